using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>The mean of each channel over the whole image, H x W x C (HWC) to C values. Each channel is summed over
/// the pixels in order and divided once by their count; vectors only split the channels, so every SIMD width, the
/// scalar tail and the GPU kernel (which sums in the same order) give the same bits.</summary>
public static class GlobalAvgPool
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, int pixels, int channels)
    {
        Check(input.Length, output.Length, pixels, channels);
        input[..channels].CopyTo(output);
        for (var pixel = 1; pixel < pixels; pixel++)
            Sum.AddInto(output, input.Slice(pixel * channels, channels));
        Arithmetic.Divide(output, pixels, output);
    }

    /// <summary>Every pixel of a channel gets that channel's gradient divided by the pixel count. Overwrites
    /// <paramref name="inputGradient"/>; an empty one (the network's first layer) is left alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int pixels, int channels)
    {
        if (inputGradient.IsEmpty) return;
        Check(inputGradient.Length, outputGradient.Length, pixels, channels);
        var first = inputGradient[..channels];
        Arithmetic.Divide(outputGradient, pixels, first);
        for (var pixel = 1; pixel < pixels; pixel++)
            first.CopyTo(inputGradient.Slice(pixel * channels, channels));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(int image, int means, int pixels, int channels)
    {
        if (pixels < 1 || channels < 1 || image != pixels * channels || means != channels)
            throw new ArgumentException($"GlobalAvgPool buffers ({image}, {means}) do not match {pixels} pixels of {channels} channels.");
    }
}
