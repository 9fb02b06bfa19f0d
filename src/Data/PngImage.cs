using StbImageSharp;

namespace StaticConvNet.Data;

/// <summary>Decodes notMNIST PNG files (with StbImageSharp, a port of stb_image) to 28×28 grayscale pixels.</summary>
public static class PngImage
{
    public const int Size = 28;

    /// <summary>The grayscale pixels of a PNG; a <see cref="DataFormatException"/> names the file when it is
    /// not a readable image or not 28×28.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> bytes, string path)
    {
        // The size from the header, before decoding: a 20000x20000 PNG compresses to little and decodes to 400 MB.
        // Nothing but a PNG whose first chunk is its header reaches the decoder (which reads other formats too, and
        // sizes its buffers from what it finds).
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 33 || !bytes[..8].SequenceEqual(signature) || !bytes.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new DataFormatException(path, "is not a readable PNG image (no PNG signature and header)");
        var (width, height) = (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
        if (width != Size || height != Size)
            throw new DataFormatException(path, $"is {width}x{height} pixels; notMNIST images are {Size}x{Size}");
        // Every chunk must fit in the file: the decoder allocates what a chunk's length says before reading it, so a
        // damaged length would cost up to a gigabyte.
        // A chunk that starts at all (its length field is there) must end in the file too: a file cut short inside
        // a chunk's header or CRC is refused here, not handed to the decoder (Test_Fuzz found a 42-byte one costing 13 MB).
        for (var at = 8; at + 4 <= bytes.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            if (at + 12 > bytes.Length || length > bytes.Length - at - 12)
                throw new DataFormatException(path, $"is not a readable PNG image (a chunk at byte {at} claims {length:N0} bytes; the file ends first)");
            if (bytes.Slice(at + 4, 4).SequenceEqual("IEND"u8)) break;
            at += 12 + (int)length;
        }
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(bytes.ToArray(), ColorComponents.Grey);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(path, $"is not a readable PNG image ({e.Message})");
        }
        if (image is null || image.Data is null) throw new DataFormatException(path, "is not a readable PNG image");
        if (image.Width != Size || image.Height != Size)
            throw new DataFormatException(path, $"is {image.Width}x{image.Height} pixels; notMNIST images are {Size}x{Size}");
        return image.Data;
    }

    /// <summary>The most bytes one image file may have: a 28x28 PNG needs a few kilobytes even uncompressed.</summary>
    public const int MaxFileBytes = 1 << 20;

    public static float[] Load(string path)
    {
        var pixels = Decode(ReadFile(path), path);
        var values = new float[pixels.Length];
        Dataset.Normalise(pixels, values);
        return values;
    }

    /// <summary>What is wrong with an image file of <paramref name="length"/> bytes, or null: the one size rule for files
    /// on disk and entries in archives.</summary>
    public static string? TooLarge(long length)
        => length > MaxFileBytes ? $"is {length:N0} bytes; a {Size}x{Size} image file is at most {MaxFileBytes:N0}" : null;

    /// <summary>The bytes of an image file, refusing what is not a regular file of a sensible size before opening it:
    /// a symbolic link (to /dev/zero, say, which never ends), a FIFO (which blocks until someone writes), a device.</summary>
    public static byte[] ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new DataFormatException(path, Directory.Exists(path) ? "is a folder, not an image file" : "does not exist");
        if (info.LinkTarget is not null) throw new DataFormatException(path, $"is a symbolic link (to {info.LinkTarget}); only regular files are read");
        // FIFOs, devices and sockets report no length: refused with empty files, before anything opens them.
        if (info.Length == 0) throw new DataFormatException(path, "is empty or not a regular file");
        if (TooLarge(info.Length) is { } problem) throw new DataFormatException(path, problem);
        return File.ReadAllBytes(path);
    }
}
