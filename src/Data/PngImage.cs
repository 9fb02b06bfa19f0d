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

    public static float[] Load(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        var pixels = Decode(File.ReadAllBytes(path), path);
        var values = new float[pixels.Length];
        Dataset.Normalise(pixels, values);
        return values;
    }
}
