using System.Buffers.Binary;
using System.IO.Compression;

namespace StaticConvNet.Data;

/// <summary>Writes a dataset as gzip-compressed IDX files (images and labels), atomically, so a user converts once.
/// Values are mapped back to bytes with the notebook's normalisation inverted: px = v · 255 + 127.5.</summary>
public static class IdxWriter
{
    public static void Write(Dataset data, string imagesPath, string labelsPath)
    {
        if (data.Channels != 1)
            throw new ArgumentException($"IDX image files hold one value per pixel; these images have {data.Channels} channels.");
        foreach (var value in data.Images)
        {
            if (!float.IsFinite(value)) throw new ArgumentException("Images hold a non-finite value; IDX stores bytes.");
        }
        // Checked before either file is written, so a refusal never leaves new images beside old labels.
        foreach (var label in data.Labels)
        {
            if ((uint)label > byte.MaxValue) throw new ArgumentException($"IDX label files hold one byte per label, 0 to 255; label {label} does not fit.");
        }
        AtomicFile.Write(imagesPath, stream =>
        {
            using var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            Span<byte> header = stackalloc byte[16];
            BinaryPrimitives.WriteInt32BigEndian(header, 0x00000803);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], data.Count);
            BinaryPrimitives.WriteInt32BigEndian(header[8..], data.Height);
            BinaryPrimitives.WriteInt32BigEndian(header[12..], data.Width);
            gzip.Write(header);
            var pixels = new byte[data.Images.Length];
            for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)Math.Clamp(MathF.Round(data.Images[i] * 255f + 127.5f), 0f, 255f);
            gzip.Write(pixels);
        });
        AtomicFile.Write(labelsPath, stream =>
        {
            using var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            Span<byte> header = stackalloc byte[8];
            BinaryPrimitives.WriteInt32BigEndian(header, 0x00000801);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], data.Count);
            gzip.Write(header);
            gzip.Write(data.Labels.Select(l => (byte)l).ToArray());
        });
    }
}
