using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Concatenation by channel of HWC images of the same height and width: each block's channels go to their
/// place in every pixel of the output. The backward pass is the same copy the other way.</summary>
public static class Concat
{
    /// <summary>Writes <paramref name="part"/> (<paramref name="partChannels"/> channels a pixel) into channels
    /// <paramref name="offset"/> … of <paramref name="output"/> (<paramref name="channels"/> a pixel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> part, Span<float> output, int pixels, int partChannels, int channels, int offset)
    {
        Check(part.Length, output.Length, pixels, partChannels, channels, offset);
        for (var pixel = 0; pixel < pixels; pixel++)
            part.Slice(pixel * partChannels, partChannels).CopyTo(output.Slice(pixel * channels + offset, partChannels));
    }

    /// <summary>The gradient of <paramref name="partGradient"/>'s block: its channels of every pixel of
    /// <paramref name="outputGradient"/>. Overwrites <paramref name="partGradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> outputGradient, Span<float> partGradient, int pixels, int partChannels, int channels, int offset)
    {
        Check(partGradient.Length, outputGradient.Length, pixels, partChannels, channels, offset);
        for (var pixel = 0; pixel < pixels; pixel++)
            outputGradient.Slice(pixel * channels + offset, partChannels).CopyTo(partGradient.Slice(pixel * partChannels, partChannels));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(int part, int output, int pixels, int partChannels, int channels, int offset)
    {
        if (pixels < 1 || partChannels < 1 || offset < 0 || offset + partChannels > channels || part != pixels * partChannels || output != pixels * channels)
            throw new ArgumentException($"Concat buffers ({part}, {output}) do not match {pixels} pixels of {partChannels} channels at {offset} of {channels}.");
    }
}
