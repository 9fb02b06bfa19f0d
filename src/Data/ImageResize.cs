using System.Numerics;

namespace StaticConvNet.Data;

/// <summary>Resampling an image to another size with a triangle (bilinear) filter whose width grows with the
/// reduction, as Pillow's and torchvision's antialiased bilinear resize do: shrinking averages every source pixel
/// under an output pixel instead of sampling two and aliasing; enlarging interpolates between neighbours.</summary>
public static class ImageResize
{
    /// <summary>Resizes HWC bytes to HWC floats on the same 0..255 scale. The pass that leaves the smaller intermediate
    /// image runs first: a 1x16,000,000 strip widened first would need gigabytes, heightened first a few bytes.</summary>
    public static void Resize(ReadOnlySpan<byte> source, int sourceHeight, int sourceWidth, Span<float> target, int targetHeight, int targetWidth, int channels)
    {
        var columns = Weights(sourceWidth, targetWidth);
        var rows = Weights(sourceHeight, targetHeight);
        if ((long)sourceHeight * targetWidth <= (long)targetHeight * sourceWidth)
        {
            var wide = new float[checked(sourceHeight * targetWidth * channels)];
            Horizontal(source, sourceHeight, sourceWidth, wide, targetWidth, channels, columns);
            Vertical<float>(wide, targetWidth, target, targetHeight, channels, rows);
        }
        else
        {
            var tall = new float[checked(targetHeight * sourceWidth * channels)];
            Vertical(source, sourceWidth, tall, targetHeight, channels, rows);
            Horizontal<float>(tall, targetHeight, sourceWidth, target, targetWidth, channels, columns);
        }
    }

    /// <summary>Every row of <paramref name="source"/> (<paramref name="height"/> rows of <paramref name="sourceWidth"/>
    /// pixels) resampled to <paramref name="targetWidth"/> pixels. Generic over the source's values, the decoded bytes
    /// or an intermediate's floats, so the bytes are read as they are instead of copied to floats first.</summary>
    private static void Horizontal<T>(ReadOnlySpan<T> source, int height, int sourceWidth, Span<float> target, int targetWidth, int channels, (int First, float[] Weights)[] columns)
        where T : unmanaged, INumberBase<T>
    {
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * sourceWidth * channels, sourceWidth * channels);
            for (var x = 0; x < targetWidth; x++)
            {
                var (first, weights) = columns[x];
                for (var c = 0; c < channels; c++)
                {
                    var sum = 0f;
                    for (var k = 0; k < weights.Length; k++) sum += weights[k] * float.CreateTruncating(row[(first + k) * channels + c]);
                    target[(y * targetWidth + x) * channels + c] = sum;
                }
            }
        }
    }

    /// <summary>Rows of <paramref name="width"/> pixels resampled to <paramref name="targetHeight"/> rows (generic as
    /// <see cref="Horizontal{T}"/> is).</summary>
    private static void Vertical<T>(ReadOnlySpan<T> source, int width, Span<float> target, int targetHeight, int channels, (int First, float[] Weights)[] rows)
        where T : unmanaged, INumberBase<T>
    {
        var rowLength = width * channels;
        for (var y = 0; y < targetHeight; y++)
        {
            var (first, weights) = rows[y];
            var output = target.Slice(y * rowLength, rowLength);
            output.Clear();
            for (var k = 0; k < weights.Length; k++)
            {
                var input = source.Slice((first + k) * rowLength, rowLength);
                for (var i = 0; i < rowLength; i++) output[i] += weights[k] * float.CreateTruncating(input[i]);
            }
        }
    }

    /// <summary>For each target position, the first source position it reads and the normalised weights of the
    /// source positions from there on.</summary>
    private static (int First, float[] Weights)[] Weights(int source, int target)
    {
        var scale = (double)source / target;
        var support = Math.Max(scale, 1.0); // the triangle's half-width, in source pixels
        var result = new (int, float[])[target];
        for (var t = 0; t < target; t++)
        {
            var centre = (t + 0.5) * scale; // in source coordinates, pixel centres at i + 0.5
            var first = Math.Max(0, (int)Math.Floor(centre - support));
            var last = Math.Min(source - 1, (int)Math.Ceiling(centre + support));
            var weights = new double[last - first + 1];
            for (var i = first; i <= last; i++) weights[i - first] = Math.Max(0, 1 - Math.Abs((i + 0.5 - centre) / support));
            var total = weights.Sum(); // > 0: the source pixel under the centre is within half a pixel of it
            result[t] = (first, weights.Select(w => (float)(w / total)).ToArray());
        }
        return result;
    }
}
