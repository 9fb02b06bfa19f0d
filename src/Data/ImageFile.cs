using System.Buffers.Binary;
using StbImageSharp;

namespace StaticConvNet.Data;

/// <summary>Reads PNG and JPEG files of any size (with StbImageSharp, a port of stb_image) into the HWC values a
/// network takes: turned as a JPEG's EXIF orientation says (<see cref="ExifOrientation"/>), converted to its channels,
/// checked against (or, when asked, resized to) its height and width, and normalised as notMNIST was,
/// (pixel − 127.5) / 255. Every problem is a <see cref="DataFormatException"/> naming the file, raised before the
/// decoder allocates anything a damaged header could size.</summary>
public static class ImageFile
{
    /// <summary>The most bytes one image file may have (a 12-megapixel JPEG is a few megabytes).</summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary>The most pixels one image may have: decoded, 160 MB at four bytes a pixel.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>The most pixels one side may have (a 12-megapixel photo's long side is 4,000): a 1x40,000,000 strip has
    /// few pixels but costs its resizing a weight for every one.</summary>
    public const int MaxSide = 32_768;

    /// <summary>The most scans a JPEG may have (a progressive one has about ten).</summary>
    public const int MaxJpegScans = 64;

    /// <summary>Past a megapixel, the most pixels a header may claim per byte of the file. Real images stay far under it
    /// (a flat 12-megapixel JPEG is about 70 pixels a byte; deflate cannot pass 1,032 bytes out per byte in), while a
    /// damaged header claiming thousands of megapixels from a small file would have the decoder allocate for them.</summary>
    public const int MaxPixelsPerByte = 4096;

    /// <summary>Why images cannot be read for a network that takes <paramref name="channels"/> channels, or null: image
    /// files give grayscale or colour.</summary>
    public static string? ChannelsProblem(int channels)
        => channels is 1 or 3 ? null : $"the network takes {channels}-channel images; image files give 1 (grayscale) or 3 (colour)";

    /// <summary>The file names an image folder reads: .png, .jpg and .jpeg, in any case.</summary>
    public static bool IsImageName(string path)
        => Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg";

    /// <summary>What the file's header says, checked before any decoding: width and height as displayed (a JPEG's EXIF
    /// orientation, 1 to 8, may turn the stored image a quarter), and channels stored (1 grey, 2 grey and alpha,
    /// 3 colour, 4 colour and alpha).</summary>
    public readonly record struct Header(int Width, int Height, int Channels, int Orientation = 1);

    /// <summary>Decoded pixels, one byte per channel, HWC; <paramref name="StoredChannels"/> what the file held (1 grey,
    /// 2 grey and alpha, 3 colour, 4 colour and alpha) before they were converted to <paramref name="Channels"/>.</summary>
    public sealed record Pixels(byte[] Data, int Height, int Width, int Channels, int StoredChannels);

    public static Header ReadHeader(ReadOnlySpan<byte> bytes, string path)
    {
        var kind = IsPng(bytes) ? "PNG" : IsJpeg(bytes) ? "JPEG" : null;
        if (kind is null) throw new DataFormatException(path, "is not a readable image (neither a PNG nor a JPEG signature)");
        if (kind == "PNG") CheckPngChunks(bytes, path);
        else CheckJpegSegments(bytes, path);
        ImageInfo? info;
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            info = ImageInfo.FromStream(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(path, $"is not a readable {kind} image ({e.Message})");
        }
        if (info is not { Width: > 0, Height: > 0 } header) throw new DataFormatException(path, $"is not a readable {kind} image (its header is damaged)");
        if (header.Width > MaxSide || header.Height > MaxSide)
            throw new DataFormatException(path, $"is {header.Width}x{header.Height} pixels; images of up to {MaxSide:N0} pixels a side are read");
        var pixels = (long)header.Width * header.Height;
        if (pixels > MaxPixels)
            throw new DataFormatException(path, $"is {header.Width}x{header.Height} pixels; images of up to {MaxPixels:N0} pixels are read");
        if (pixels > 1_000_000 && pixels > (long)MaxPixelsPerByte * bytes.Length)
            throw new DataFormatException(path, $"claims {header.Width}x{header.Height} pixels in {bytes.Length:N0} bytes, more than any real image packs (its header is damaged)");
        // As displayed: a photo whose EXIF orientation turns it a quarter is as wide as it is stored high.
        var orientation = kind == "JPEG" ? ExifOrientation.Of(bytes) : 1;
        return ExifOrientation.Turns(orientation)
            ? new Header(header.Height, header.Width, (int)header.ColorComponents, orientation)
            : new Header(header.Width, header.Height, (int)header.ColorComponents, orientation);
    }

    /// <summary>The pixels of a PNG or JPEG, converted to <paramref name="channels"/> (1: luminance; 3: grey
    /// repeated, alpha dropped).</summary>
    public static Pixels Decode(ReadOnlySpan<byte> bytes, string path, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Image files give 1 (grayscale) or 3 (colour) channels.");
        var header = ReadHeader(bytes, path);
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(bytes.ToArray(), channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(path, $"is not a readable image ({e.Message})");
        }
        // The header gives the displayed size; the decoder, the stored one.
        var orientation = header.Orientation;
        var (storedWidth, storedHeight) = ExifOrientation.Turns(orientation) ? (header.Height, header.Width) : (header.Width, header.Height);
        if (image?.Data is null || image.Width != storedWidth || image.Height != storedHeight)
            throw new DataFormatException(path, "is not a readable image (it decodes to something other than its header says)");
        return new Pixels(ExifOrientation.Apply(image.Data, image.Height, image.Width, channels, orientation), header.Height, header.Width, channels, header.Channels);
    }

    /// <summary>The network's values for decoded <paramref name="pixels"/>: resized to <paramref name="shape"/> when
    /// <paramref name="resize"/>, otherwise refused (naming both sizes) unless they already have its size.</summary>
    /// <param name="sizeOwner">Who wants that size, for the refusal: "the network takes" unless said otherwise.</param>
    public static float[] ToValues(Pixels pixels, string path, LayerShape shape, bool resize, string sizeOwner = "the network takes")
    {
        if (pixels.Channels != shape.Channels) throw new ArgumentException($"{path} was decoded to {pixels.Channels} channels, not the {shape.Channels} asked for.");
        var values = new float[shape.Length];
        if (pixels.Height == shape.Height && pixels.Width == shape.Width)
        {
            Dataset.Normalise(pixels.Data, values);
            return values;
        }
        if (!resize)
            throw new DataFormatException(path, $"is {pixels.Width}x{pixels.Height} pixels; {sizeOwner} {shape.Width}x{shape.Height} (--resize scales images to it)");
        ImageResize.Resize(pixels.Data, pixels.Height, pixels.Width, values, shape.Height, shape.Width, shape.Channels);
        for (var i = 0; i < values.Length; i++) values[i] = (values[i] - 127.5f) * (1f / 255f);
        return values;
    }

    /// <summary>Reads, decodes and converts one image file.</summary>
    public static float[] Load(string path, LayerShape shape, bool resize)
        => ToValues(Decode(ReadFile(path), path, shape.Channels), path, shape, resize);

    /// <summary>The bytes of an image file, refusing what is not a regular file of a sensible size before opening it:
    /// a symbolic link (to /dev/zero, say, which never ends), a FIFO (which blocks until someone writes), a device.</summary>
    public static byte[] ReadFile(string path, long maxBytes = MaxFileBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new DataFormatException(path, Directory.Exists(path) ? "is a folder, not an image file" : "does not exist");
        if (info.LinkTarget is not null) throw new DataFormatException(path, $"is a symbolic link (to {info.LinkTarget}); only regular files are read");
        // FIFOs, devices and sockets report no length: refused with empty files, before anything opens them.
        if (info.Length == 0) throw new DataFormatException(path, "is empty or not a regular file");
        if (info.Length > maxBytes) throw new DataFormatException(path, $"is {info.Length:N0} bytes; an image file is read up to {maxBytes:N0}");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot be read ({e.Message})");
        }
    }

    private static bool IsPng(ReadOnlySpan<byte> bytes)
        => bytes.Length >= 8 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    private static bool IsJpeg(ReadOnlySpan<byte> bytes) => bytes.Length >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;

    /// <summary>A JPEG must be whole before the decoder sees it: StbImageSharp loops for ever on one that ends early
    /// (seven bytes, <c>FF D8 FF E0 00 10 01</c>, never return). Walks the segments from the start of image: each
    /// segment's length must fit in the file, a frame header must come before the first scan, each scan's
    /// entropy-coded data must end at a marker, scans be at most <see cref="MaxJpegScans"/>, and the end-of-image
    /// marker be there.</summary>
    private static void CheckJpegSegments(ReadOnlySpan<byte> bytes, string path)
    {
        DataFormatException Broken(string why) => new(path, $"is not a readable JPEG image ({why})");
        var frame = false;
        var scans = 0;
        for (var at = 2; ;)
        {
            if (at >= bytes.Length) throw Broken("it ends before its end-of-image marker");
            if (bytes[at] != 0xFF) throw Broken($"byte {at} should start a marker");
            while (at < bytes.Length && bytes[at] == 0xFF) at++; // fill bytes
            if (at >= bytes.Length) throw Broken("it ends before its end-of-image marker");
            var marker = bytes[at++];
            if (marker == 0xD9) return; // end of image
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) continue; // markers without a segment
            if (at + 2 > bytes.Length) throw Broken($"it ends inside the segment at byte {at - 2}");
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
            if (length < 2 || at + length > bytes.Length) throw Broken($"the segment at byte {at - 2} claims {length:N0} bytes; the file ends first");
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8 || BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 3)..]) == 0 || BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 5)..]) == 0)
                    throw Broken("its frame header gives no size");
                frame = true;
            }
            at += length;
            if (marker != 0xDA) continue;
            if (!frame) throw Broken("a scan comes before the frame header");
            // The decoder walks the whole image once a scan: thousands of tiny scans would take hours (libjpeg-turbo's
            // tools cap them too). Progressive encoders write about ten.
            if (++scans > MaxJpegScans) throw Broken($"it has more than {MaxJpegScans} scans");
            // Entropy-coded data: runs to the next marker that is not a stuffed 0xFF (FF 00) or a restart (FF D0..D7).
            while (true)
            {
                if (at + 1 >= bytes.Length) throw Broken("it ends inside a scan's data");
                if (bytes[at] == 0xFF && bytes[at + 1] != 0x00 && bytes[at + 1] is not (>= 0xD0 and <= 0xD7) && bytes[at + 1] != 0xFF) break;
                at++;
            }
        }
    }

    /// <summary>A PNG's first chunk must be its header, and every chunk must fit in the file: the decoder allocates
    /// what a chunk's length says before reading it, so a damaged length would cost up to a gigabyte. A chunk that
    /// starts at all (its length field is there) must end in the file too (Test_Fuzz found a 42-byte file, cut short
    /// inside a chunk's CRC, costing 13 MB).</summary>
    private static void CheckPngChunks(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < 33 || !bytes.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new DataFormatException(path, "is not a readable PNG image (no PNG signature and header)");
        using var imageData = new MemoryStream(); // the IDAT chunks' contents, one zlib stream
        for (var at = 8; at + 4 <= bytes.Length;)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            if (at + 12 > bytes.Length || length > bytes.Length - at - 12)
                throw new DataFormatException(path, $"is not a readable PNG image (a chunk at byte {at} claims {length:N0} bytes; the file ends first)");
            var type = bytes.Slice(at + 4, 4);
            if (type.SequenceEqual("IEND"u8)) break;
            if (type.SequenceEqual("IDAT"u8)) imageData.Write(bytes.Slice(at + 8, (int)length));
            at += 12 + (int)length;
        }
        CheckPngInflatedSize(bytes, imageData, path);
    }

    /// <summary>The image data must inflate to no more than the header's size needs: stb_image grows its buffer for as
    /// long as the data inflates, so a few megabytes of zeros (deflate reaches 1,032 bytes out per byte in) behind a
    /// small header would cost gigabytes of native memory. Inflated here first, into a small buffer, counting.</summary>
    private static void CheckPngInflatedSize(ReadOnlySpan<byte> bytes, MemoryStream data, string path)
    {
        var (width, height) = (BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
        var (depth, colour, interlaced) = (bytes[24], bytes[25], bytes[28] == 1);
        int samples = colour switch { 0 or 3 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 0 };
        if (samples == 0 || depth is not (1 or 2 or 4 or 8 or 16) || width == 0 || height == 0 || width > MaxSide || height > MaxSide)
            return; // the decoder refuses these itself, from the header alone
        long Rows(long w, long h) => w == 0 || h == 0 ? 0 : h * (1 + (w * samples * depth + 7) / 8);
        var needed = interlaced
            ? Rows((width + 7) / 8, (height + 7) / 8) + Rows((width + 3) / 8, (height + 7) / 8) + Rows((width + 3) / 4, (height + 3) / 8)
              + Rows((width + 1) / 4, (height + 3) / 4) + Rows((width + 1) / 2, (height + 1) / 4) + Rows(width / 2, (height + 1) / 2) + Rows(width, height / 2)
            : Rows(width, height);
        data.Position = 0;
        var buffer = new byte[1 << 16];
        long inflated = 0;
        try
        {
            using var zlib = new System.IO.Compression.ZLibStream(data, System.IO.Compression.CompressionMode.Decompress);
            for (int read; (read = zlib.Read(buffer)) > 0;)
            {
                inflated += read;
                if (inflated > needed)
                    throw new DataFormatException(path, $"is not a readable PNG image (its image data inflates past the {needed:N0} bytes its {width}x{height} size needs)");
            }
        }
        // zlib's "unexpected error code" (some damaged streams) comes as an IOException, not an InvalidDataException.
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataFormatException(path, $"is not a readable PNG image (its image data is damaged: {e.Message})");
        }
    }
}
