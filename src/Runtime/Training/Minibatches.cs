using System.Runtime.CompilerServices;
using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>Which images make each training step's minibatch, and how they are shifted: pure functions of (seed, step),
/// so every device trains on the same batches and a resumed run continues exactly.</summary>
public static class Minibatches
{
    /// <summary>Images <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 of the notebook's
    /// minibatch for <paramref name="step"/>: batch images from offset step · batch mod (N − batch) of the seeded order,
    /// whichever device trains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fill(Dataset train, int[] order, long step, int batchSize, float[] images, int[] labels, int first, int count)
    {
        // step · batch mod (N − batch), as (step mod (N − batch)) · batch mod (N − batch): the same number, without a
        // product that wraps once step · batch passes 2^63.
        var span = train.Count - batchSize;
        var offset = (int)(step % span * batchSize % span);
        for (var i = first; i < first + count; i++)
        {
            var index = order[offset + i];
            train.Image(index).CopyTo(images.AsSpan(i * train.ImageLength));
            labels[i] = train.Labels[index];
        }
    }

    /// <summary>Moves each image of the batch by its own (dy, dx) in [−shift, shift], drawn from (seed, step, image);
    /// pixels shifted in from outside repeat the nearest edge pixel (a glyph's background).</summary>
    public static void Shift(Dataset train, int seed, long step, int batchSize, int shift, float[] images)
        => Shift(train, seed, step, shift, images, new float[train.ImageLength], 0, batchSize);

    /// <summary>Images <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 of the batch
    /// moved as <see cref="Shift(Dataset, int, long, int, int, float[])"/> moves them.</summary>
    /// <param name="copy">Room for one image, reused from step to step.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Shift(Dataset train, int seed, long step, int shift, float[] images, float[] copy, int first, int count)
    {
        var (height, width, channels) = (train.Height, train.Width, train.Channels);
        for (var i = first; i < first + count; i++)
        {
            var (dy, dx) = ShiftOf(seed, step, i, shift);
            if (dy == 0 && dx == 0) continue;
            var image = images.AsSpan(i * train.ImageLength, train.ImageLength);
            image.CopyTo(copy);
            for (var y = 0; y < height; y++)
            {
                var from = Math.Clamp(y - dy, 0, height - 1);
                ShiftRow(copy.AsSpan(from * width * channels, width * channels), image.Slice(y * width * channels, width * channels), dx, channels);
            }
        }
    }

    /// <summary>The (dy, dx) in [−shift, shift]² by which <see cref="Shift(Dataset, int, long, int, int, float[])"/> moves
    /// image <paramref name="image"/> of the batch of <paramref name="step"/>: a pure function of its arguments.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int Dy, int Dx) ShiftOf(int seed, long step, int image, int shift)
    {
        var key = SplitMix.Mix((ulong)(uint)seed ^ 0x5A1F7EDUL);
        var bits = SplitMix.Mix(SplitMix.Mix(key + (ulong)step) + (ulong)image);
        var dy = (int)(SplitMix.UnitDouble(bits) * (2 * shift + 1)) - shift;
        var dx = (int)(SplitMix.UnitDouble(SplitMix.Mix(bits)) * (2 * shift + 1)) - shift;
        return (dy, dx);
    }

    /// <summary>Row <paramref name="source"/> moved right by <paramref name="dx"/> pixels (left when negative) into
    /// <paramref name="destination"/>, the edge pixel repeated where the row runs out: one block copy and the edge pixels,
    /// not a copy per pixel (per pixel, the shifts took a tenth of a batch-32 step of arch2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShiftRow(ReadOnlySpan<float> source, Span<float> destination, int dx, int channels)
    {
        var width = source.Length / channels;
        if (dx >= 0)
        {
            var edge = Math.Min(dx, width); // pixels 0..edge − 1 repeat the first
            source.Slice(0, (width - edge) * channels).CopyTo(destination.Slice(edge * channels));
            for (var x = 0; x < edge; x++) source.Slice(0, channels).CopyTo(destination.Slice(x * channels, channels));
        }
        else
        {
            var kept = Math.Max(width + dx, 0); // pixels kept .. width − 1 repeat the last
            source.Slice(Math.Min(-dx, width) * channels, kept * channels).CopyTo(destination);
            for (var x = kept; x < width; x++) source.Slice((width - 1) * channels, channels).CopyTo(destination.Slice(x * channels, channels));
        }
    }

    /// <summary>A seeded Fisher–Yates permutation of 0..count−1 (our own generator: same order everywhere).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Shuffle(int count, int seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        var key = SplitMix.Mix((ulong)(uint)seed ^ 0x5EED5EEDUL);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(SplitMix.UnitDouble(SplitMix.Mix(key + (ulong)i)) * (i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
