using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>Images and labels in memory: <see cref="Images"/> holds <see cref="Count"/> images of
/// Height × Width × Channels floats each (HWC: a pixel's channels side by side, as the networks read them). Data read
/// from notMNIST files is normalised as the notebook did, (pixel − 127.5) / 255, so values lie in [−0.5, 0.5].</summary>
public sealed class Dataset
{
    /// <param name="images">The images one after another, each HWC.</param>
    /// <param name="channels">1 for grayscale, 3 for colour, or any other count.</param>
    /// <param name="classNames">The name of each label, in label order; null when the source has none.</param>
    public Dataset(float[] images, int[] labels, int height, int width, int channels = 1, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var expected = (long)labels.Length * height * width * channels;
        if (images.Length != expected)
        {
            var perPixel = labels.Length > 0 && images.Length % ((long)labels.Length * height * width) == 0 ? images.Length / ((long)labels.Length * height * width) : 0;
            var hint = perPixel > 1 && channels == 1 ? $" That is {perPixel} values per pixel: pass channels: {perPixel}." : "";
            throw new ArgumentException($"{labels.Length} labels of {height}x{width}x{channels} images need {expected} image values, got {images.Length}.{hint}");
        }
        if (classNames is not null)
        {
            if (LabelNames.Problem(classNames) is { } problem) throw new ArgumentException($"Bad class names: {problem}.", nameof(classNames));
            var outside = Array.FindIndex(labels, l => l < 0 || l >= classNames.Count);
            if (outside >= 0) throw new ArgumentException($"Label {labels[outside]} of image {outside} has no class name: {classNames.Count} names were given.", nameof(classNames));
        }
        Images = images;
        Labels = labels;
        ClassNames = classNames?.ToArray();
        Height = height;
        Width = width;
        Channels = channels;
    }

    public float[] Images { get; }
    public int[] Labels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    /// <summary>The name of each label, or null when the source names none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }
    public int Count => Labels.Length;
    public int ImageLength { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => Height * Width * Channels; }

    /// <remarks>Read for every image of every step: optimised at its first call, never recompiled mid-run.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Image(int index) => Images.AsSpan(index * ImageLength, ImageLength);

    /// <summary>The same images and labels under these class names.</summary>
    public Dataset WithClassNames(IReadOnlyList<string>? classNames) => new(Images, Labels, Height, Width, Channels, classNames);

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
