using System.Buffers.Binary;

namespace StaticConvNet.Data;

/// <summary>notMNIST's own images, as its archives hold them: 28×28 grayscale PNGs.</summary>
public static class PngImage
{
    public const int Size = 28;

    /// <summary>The most bytes one archive entry may have: a 28x28 PNG needs a few kilobytes even uncompressed.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The grayscale pixels of a notMNIST PNG; a <see cref="DataFormatException"/> names the file when it is
    /// not a readable image or not 28×28.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> bytes, string path)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 33 || !bytes[..8].SequenceEqual(signature) || !bytes.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new DataFormatException(path, "is not a readable PNG image (no PNG signature and header)");
        // The size from the header, before anything else reads it: notMNIST's rule, in notMNIST's words.
        var (width, height) = (BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
        if (width != Size || height != Size) throw new DataFormatException(path, $"is {width}x{height} pixels; notMNIST images are {Size}x{Size}");
        return ImageFile.Decode(bytes, path, channels: 1).Data;
    }

    /// <summary>What is wrong with an archive entry of <paramref name="length"/> bytes, or null.</summary>
    public static string? TooLarge(long length)
        => length > MaxFileBytes ? $"is {length:N0} bytes; a {Size}x{Size} image file is at most {MaxFileBytes:N0}" : null;
}
