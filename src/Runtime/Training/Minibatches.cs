using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>Which images make each training step's minibatch, and how they are shifted: pure functions of (seed, step),
/// so every device trains on the same batches and a resumed run continues exactly.</summary>
public static class Minibatches
{
    /// <summary>The notebook's minibatch for <paramref name="step"/>: batch images from offset step · batch mod (N − batch)
    /// of the seeded order, whichever device trains.</summary>
    internal static void Fill(Dataset train, int[] order, long step, int batchSize, float[] images, int[] labels)
    {
        var offset = (int)(step * batchSize % (train.Count - batchSize));
        for (var i = 0; i < batchSize; i++)
        {
            var index = order[offset + i];
            train.Image(index).CopyTo(images.AsSpan(i * train.ImageLength));
            labels[i] = train.Labels[index];
        }
    }

    /// <summary>Moves each image of the batch by its own (dy, dx) in [−shift, shift], drawn from (seed, step, image);
    /// pixels shifted in from outside repeat the nearest edge pixel (a glyph's background).</summary>
    public static void Shift(Dataset train, int seed, long step, int batchSize, int shift, float[] images)
        => Shift(train, seed, step, batchSize, shift, images, new float[train.ImageLength]);

    /// <param name="copy">Room for one image, reused from step to step.</param>
    internal static void Shift(Dataset train, int seed, long step, int batchSize, int shift, float[] images, float[] copy)
    {
        var (height, width, channels) = (train.Height, train.Width, train.Channels);
        var key = SplitMix.Mix((ulong)(uint)seed ^ 0x5A1F7EDUL);
        for (var i = 0; i < batchSize; i++)
        {
            var bits = SplitMix.Mix(SplitMix.Mix(key + (ulong)step) + (ulong)i);
            var dy = (int)(SplitMix.UnitDouble(bits) * (2 * shift + 1)) - shift;
            var dx = (int)(SplitMix.UnitDouble(SplitMix.Mix(bits)) * (2 * shift + 1)) - shift;
            if (dy == 0 && dx == 0) continue;
            var image = images.AsSpan(i * train.ImageLength, train.ImageLength);
            image.CopyTo(copy);
            for (var y = 0; y < height; y++)
            {
                var from = Math.Clamp(y - dy, 0, height - 1);
                for (var x = 0; x < width; x++)
                {
                    var source = (from * width + Math.Clamp(x - dx, 0, width - 1)) * channels;
                    copy.AsSpan(source, channels).CopyTo(image.Slice((y * width + x) * channels, channels));
                }
            }
        }
    }

    /// <summary>A seeded Fisher–Yates permutation of 0..count−1 (our own generator: same order everywhere).</summary>
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
