using System.Buffers.Binary;
using System.IO.Compression;

namespace StaticConvNet.Data;

/// <summary>Reads IDX files (the MNIST format: big-endian magic 0x0000_08_0D with D dimensions, then the sizes,
/// then unsigned bytes), plain or gzip-compressed. Every problem is a <see cref="DataFormatException"/> naming the file.</summary>
public static class IdxReader
{
    private const int ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    /// <summary>Loads an images file and its labels file into a dataset, checking that they agree.</summary>
    public static Dataset Load(string imagesPath, string labelsPath, int classes = 10)
    {
        var (bytes, offset, count, height, width) = ReadImageBytes(imagesPath);
        var labels = ReadLabels(labelsPath, classes);
        if (labels.Length != count)
            throw new DataFormatException(labelsPath, $"has {labels.Length} labels, but {Path.GetFileName(imagesPath)} has {count} images");
        var images = new float[bytes.Length - offset];
        Dataset.Normalise(bytes.AsSpan(offset), images);
        return new Dataset(images, labels, height, width);
    }

    public static (byte[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        var (bytes, offset, count, height, width) = ReadImageBytes(path);
        return (bytes.AsSpan(offset).ToArray(), count, height, width);
    }

    /// <summary>The file's bytes and where its pixels start, checked against its header (no copy of the pixels).</summary>
    private static (byte[] Bytes, int Offset, int Count, int Height, int Width) ReadImageBytes(string path)
    {
        var bytes = ReadAll(path);
        var dims = Header(path, bytes, ImagesMagic, 3, "images (magic 0x00000803: unsigned bytes, 3 dimensions)");
        var (count, height, width) = (dims[0], dims[1], dims[2]);
        var length = (long)count * height * width;
        var offset = 4 + 4 * 3;
        CheckLength(path, bytes, offset, length, $"{count} images of {height}x{width}");
        return (bytes, offset, count, height, width);
    }

    public static int[] ReadLabels(string path, int classes)
    {
        var bytes = ReadAll(path);
        var count = Header(path, bytes, LabelsMagic, 1, "labels (magic 0x00000801: unsigned bytes, 1 dimension)")[0];
        CheckLength(path, bytes, 8, count, $"{count} labels");
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = bytes[8 + i];
            if (labels[i] >= classes)
                throw new DataFormatException(path, $"label {labels[i]} at index {i} is out of range 0..{classes - 1}");
        }
        return labels;
    }

    private static int[] Header(string path, byte[] bytes, int magic, int dimensions, string what)
    {
        if (bytes.Length < 4 + 4 * dimensions)
            throw new DataFormatException(path, $"is {bytes.Length} bytes long, too short for an IDX header");
        var found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
            throw new DataFormatException(path, $"is not an IDX file of {what}: magic number is 0x{found:X8}");
        var dims = new int[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] <= 0 && !(i == 0 && dims[i] == 0))
                throw new DataFormatException(path, $"dimension {i} is {dims[i]}; sizes must be positive");
        }
        return dims;
    }

    private static void CheckLength(string path, byte[] bytes, int offset, long expected, string what)
    {
        if (bytes.Length - offset < expected)
            throw new DataFormatException(path, $"is truncated: the header promises {what} ({expected} bytes of data), but only {bytes.Length - offset} follow");
        if (bytes.Length - offset > expected)
            throw new DataFormatException(path, $"has {bytes.Length - offset - expected} bytes after the {what} its header promises");
    }

    /// <summary>The uncompressed size a gzip file's last four bytes state (modulo 2³²): a hint only, since the file may
    /// lie, so capped by what deflate can expand the file to (1032:1) and by 256 MiB. Leaves the stream at its start.</summary>
    private static int GzipSizeHint(FileStream file)
    {
        const long Cap = 256 << 20, DeflateRatio = 1032;
        if (file.Length < 18) return 0;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        return (int)Math.Min(size, Math.Min(Cap, file.Length * DeflateRatio));
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[2];
            var gzip = file.Read(head) == 2 && head[0] == 0x1F && head[1] == 0x8B;
            file.Position = 0;
            if (!gzip) return File.ReadAllBytes(path);
            var expected = GzipSizeHint(file);
            using var source = new GZipStream(file, CompressionMode.Decompress);
            // Decompressed straight into an array of the size the gzip trailer states (every byte copied and every page
            // touched costs time at start-up); a trailer that is wrong or absent falls back to a growing buffer.
            var bytes = new byte[expected];
            var filled = 0;
            while (filled < bytes.Length && source.Read(bytes, filled, bytes.Length - filled) is var read and > 0) filled += read;
            var next = filled == bytes.Length ? source.ReadByte() : -1;
            if (filled == bytes.Length && next < 0) return bytes;
            using var memory = new MemoryStream();
            memory.Write(bytes, 0, filled);
            if (next >= 0) // more than the trailer said (a file of several gzip members): keep reading
            {
                memory.WriteByte((byte)next);
                source.CopyTo(memory);
            }
            return memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"is not a readable gzip file ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException(path, "is a truncated gzip file");
        }
    }
}
