using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>Reads IDX files (the MNIST format: big-endian magic 0x0000_08_0D with D dimensions, then the sizes,
/// then unsigned bytes), plain or gzip-compressed. Every problem is a <see cref="DataFormatException"/> naming the file.</summary>
public static class IdxReader
{
    private const int ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    /// <summary>Loads an images file and its labels file into a dataset, checking that they agree.
    /// The labels are read first: an images file whose header disagrees with them is refused before its pixels are read.</summary>
    public static Dataset Load(string imagesPath, string labelsPath, int classes = 10)
    {
        var labels = ReadLabels(labelsPath, classes);
        var (bytes, offset, _, height, width) = ReadImageBytes(imagesPath, count =>
        {
            if (labels.Length != count)
                throw new DataFormatException(labelsPath, $"has {labels.Length} labels, but {Path.GetFileName(imagesPath)} has {count} images");
        });
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
    /// <param name="checkCount">Called with the header's image count before any pixel is read.</param>
    private static (byte[] Bytes, int Offset, int Count, int Height, int Width) ReadImageBytes(string path, Action<int>? checkCount = null)
    {
        const int Offset = 4 + 4 * 3;
        var dims = Array.Empty<int>();
        var bytes = ReadChecked(path, Offset, header =>
        {
            dims = Header(path, header, ImagesMagic, 3, "images (magic 0x00000803: unsigned bytes, 3 dimensions)");
            checkCount?.Invoke(dims[0]);
            var what = $"{dims[0]} images of {dims[1]}x{dims[2]}";
            // Three sizes up to 2^31 each: a product in long could wrap (2^24 · 2^20 · 2^20 is 0) and pass any check.
            var pixels = (Int128)dims[0] * dims[1] * dims[2];
            if (pixels > long.MaxValue)
                throw new DataFormatException(path, $"its header promises {what} ({pixels} bytes of data), more than one array can hold");
            return ((long)pixels, what);
        });
        return (bytes, Offset, dims[0], dims[1], dims[2]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] ReadLabels(string path, int classes)
    {
        var count = 0;
        var bytes = ReadChecked(path, 8, header =>
        {
            count = Header(path, header, LabelsMagic, 1, "labels (magic 0x00000801: unsigned bytes, 1 dimension)")[0];
            return (count, $"{count} labels");
        });
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = bytes[8 + i];
            if (labels[i] >= classes)
                throw new DataFormatException(path, $"label {labels[i]} at index {i} is out of range 0..{classes - 1}");
        }
        return labels;
    }

    /// <summary>Reads the header, asks <paramref name="promise"/> how many bytes of data it promises (and in words what),
    /// then reads exactly that many and checks that nothing follows. Nothing is inflated beyond what the header
    /// promises; a promise larger than the file could hold is refused before anything is allocated, and a gzip file's
    /// buffer grows with what it inflates to.</summary>
    private static byte[] ReadChecked(string path, int headerLength, Func<byte[], (long Length, string What)> promise)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            var gzip = file.Read(magic) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
            file.Position = 0;
            using var source = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
            var header = new byte[headerLength];
            var got = source.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            var (length, what) = promise(header[..got]); // a short header is refused here
            // A plain file holds what its length says; deflate inflates at most 1032:1.
            if (!gzip && length > file.Length - headerLength)
                throw new DataFormatException(path, $"is truncated: the header promises {what} ({length} bytes of data), but only {file.Length - headerLength} follow");
            if ((gzip && length > file.Length * 1032) || headerLength + length > Array.MaxLength)
                throw new DataFormatException(path, $"its header promises {what} ({length} bytes of data), more than a {(gzip ? "gzip file" : "file")} of {file.Length} bytes can hold");
            var (bytes, data) = gzip ? ReadGrowing(source, header, length) : ReadWhole(source, header, length);
            if (data < length)
                throw new DataFormatException(path, $"is truncated: the header promises {what} ({length} bytes of data), but only {data} follow");
            var after = CountRest(source);
            if (after > 0)
                throw new DataFormatException(path, $"has {(after > RestCap ? $"more than {RestCap}" : after.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes after the {what} its header promises");
            return bytes;
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

    /// <summary>A plain file's data, all at once: its length was checked against the header's promise.</summary>
    private static (byte[] Bytes, long Read) ReadWhole(Stream source, byte[] header, long length)
    {
        var bytes = new byte[header.Length + length];
        header.CopyTo(bytes, 0);
        return (bytes, source.ReadAtLeast(bytes.AsSpan(header.Length), (int)length, throwOnEndOfStream: false));
    }

    /// <summary>A gzip file's data into a buffer that doubles as the data arrives, up to what the header promises: a
    /// header promising gigabytes over a stream that inflates to far less costs a few times what it holds (the buffer
    /// is at most twice it, and while it doubles the old one is held too), not what it promises (deflate's 1032:1 still
    /// lets a megabyte promise a gigabyte).</summary>
    private static (byte[] Bytes, long Read) ReadGrowing(Stream source, byte[] header, long length)
    {
        var total = header.Length + length;
        var bytes = new byte[Math.Min(total, header.Length + InitialGzipBuffer)];
        header.CopyTo(bytes, 0);
        var filled = header.Length;
        while (true)
        {
            var read = source.ReadAtLeast(bytes.AsSpan(filled), bytes.Length - filled, throwOnEndOfStream: false);
            filled += read;
            if (filled < bytes.Length || bytes.Length == total) return (bytes, filled - header.Length);
            Array.Resize(ref bytes, (int)Math.Min(total, 2L * bytes.Length));
        }
    }

    private const int InitialGzipBuffer = 1 << 20;

    private const long RestCap = 1 << 20;

    /// <summary>How many bytes are left in <paramref name="source"/>, counting no further than just past <see cref="RestCap"/>.</summary>
    private static long CountRest(Stream source)
    {
        var buffer = new byte[4096];
        long total = 0;
        while (total <= RestCap && source.Read(buffer) is var read and > 0) total += read;
        return total;
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
}
