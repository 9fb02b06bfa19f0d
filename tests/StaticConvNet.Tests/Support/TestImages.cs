using System.Buffers.Binary;
using System.IO.Compression;

namespace StaticConvNet.Tests.Support;

/// <summary>Writes small real files for tests: grayscale PNGs (stored with zlib, as any encoder does), and colour PNGs
/// and JPEGs through SkiaSharp's encoders.</summary>
public static class TestImages
{
    /// <summary>A colour image whose pixel (x, y) is <paramref name="colour"/>(x, y), as PNG or (quality 95) JPEG by the
    /// file's extension.</summary>
    public static string WriteColour(string path, int width, int height, Func<int, int, (byte R, byte G, byte B)> colour)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Opaque);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = colour(x, y);
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor(r, g, b));
            }
        var format = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? SkiaSharp.SKEncodedImageFormat.Png : SkiaSharp.SKEncodedImageFormat.Jpeg;
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    public static string WritePng(string path, int width, int height, byte shade = 128)
    {
        using var file = File.Create(path);
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // grayscale
        Chunk(file, "IHDR", header);
        var raw = new byte[height * (width + 1)]; // filter byte 0, then the row
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                raw[y * (width + 1) + 1 + x] = (byte)((shade + x * 3 + y * 5) & 0xFF);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", []);
        return path;
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typed));
        stream.Write(length);
    }

    public static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
