using System.Numerics.Tensors;

namespace StaticConvNet.Data;

/// <summary>Images and labels in memory: <see cref="Images"/> holds <see cref="Count"/> images of
/// Height × Width floats each, normalised as the notebook did, (pixel − 127.5) / 255, so values lie in [−0.5, 0.5].</summary>
public sealed class Dataset
{
    public Dataset(float[] images, int[] labels, int height, int width)
    {
        if (images.Length != labels.Length * height * width)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * height * width} image values, got {images.Length}.");
        Images = images;
        Labels = labels;
        Height = height;
        Width = width;
    }

    public float[] Images { get; }
    public int[] Labels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => Labels.Length;
    public int ImageLength => Height * Width;

    public ReadOnlySpan<float> Image(int index) => Images.AsSpan(index * ImageLength, ImageLength);

    /// <summary>The notebook's pixel normalisation.</summary>
    public static void Normalise(ReadOnlySpan<byte> pixels, Span<float> values)
    {
        TensorPrimitives.ConvertChecked<byte, float>(pixels, values.Slice(0, pixels.Length)); // exact: every byte is a float
        TensorPrimitives.Add(values, -127.5f, values);
        TensorPrimitives.Multiply(values, 1f / 255f, values);
    }

    /// <summary>Images per class label, 0..classes−1.</summary>
    public int[] CountPerClass(int classes)
    {
        var counts = new int[classes];
        foreach (var label in Labels) counts[label]++;
        return counts;
    }
}
