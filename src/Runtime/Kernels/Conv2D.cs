using System.Numerics.Tensors;

namespace StaticConvNet.Kernels;

/// <summary>Shape of one convolution, resolved at compile time by the generator.</summary>
public readonly record struct Conv2DShape(
    int InHeight, int InWidth, int InChannels,
    int OutHeight, int OutWidth, int OutChannels,
    int Patch, int Stride, int PadTop, int PadLeft)
{
    public int InputLength => InHeight * InWidth * InChannels;
    public int OutputLength => OutHeight * OutWidth * OutChannels;
    public int WeightLength => Patch * Patch * InChannels * OutChannels;
}

/// <summary>Direct 2-D convolution of one HWC image with HWIO weights, plus bias.
/// Every output pixel's channels form one SIMD row; rows of the weight tensor are contiguous over output
/// channels, so the inner loop is acc += x · W[ky, kx, ic, :].</summary>
public static class Conv2D
{
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, in Conv2DShape s)
    {
        Check(input, weights, output, s);
        var oc = s.OutChannels;
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                var outRow = output.Slice((oy * s.OutWidth + ox) * oc, oc);
                bias.CopyTo(outRow);
                ref var acc = ref Simd.At(outRow, 0);
                for (var ky = 0; ky < s.Patch; ky++)
                {
                    var iy = oy * s.Stride - s.PadTop + ky;
                    if ((uint)iy >= (uint)s.InHeight) continue; // zero padding contributes nothing
                    for (var kx = 0; kx < s.Patch; kx++)
                    {
                        var ix = ox * s.Stride - s.PadLeft + kx;
                        if ((uint)ix >= (uint)s.InWidth) continue;
                        var inBase = (iy * s.InWidth + ix) * s.InChannels;
                        var wBase = (ky * s.Patch + kx) * s.InChannels * oc;
                        for (var ic = 0; ic < s.InChannels; ic++)
                        {
                            Simd.MultiplyAdd(ref acc, ref Simd.At(weights, wBase + ic * oc), input[inBase + ic], oc);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Accumulates (+=) weight and bias gradients; overwrites <paramref name="inputGradient"/>
    /// unless it is empty (the first layer needs no input gradient).</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient, in Conv2DShape s)
    {
        Check(input, weights, outputGradient, s);
        if (weightGradient.Length != s.WeightLength || biasGradient.Length != s.OutChannels)
            throw new ArgumentException("Conv2D gradient buffers do not match the shape.");
        var wantInput = !inputGradient.IsEmpty;
        if (wantInput)
        {
            if (inputGradient.Length != s.InputLength) throw new ArgumentException("Conv2D input gradient does not match the shape.");
            inputGradient.Clear();
        }
        var oc = s.OutChannels;
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                var gradRow = outputGradient.Slice((oy * s.OutWidth + ox) * oc, oc);
                TensorPrimitives.Add(biasGradient, gradRow, biasGradient);
                ref var g = ref Simd.At(gradRow, 0);
                for (var ky = 0; ky < s.Patch; ky++)
                {
                    var iy = oy * s.Stride - s.PadTop + ky;
                    if ((uint)iy >= (uint)s.InHeight) continue;
                    for (var kx = 0; kx < s.Patch; kx++)
                    {
                        var ix = ox * s.Stride - s.PadLeft + kx;
                        if ((uint)ix >= (uint)s.InWidth) continue;
                        var inBase = (iy * s.InWidth + ix) * s.InChannels;
                        var wBase = (ky * s.Patch + kx) * s.InChannels * oc;
                        for (var ic = 0; ic < s.InChannels; ic++)
                        {
                            Simd.MultiplyAdd(ref Simd.At(weightGradient, wBase + ic * oc), ref g, input[inBase + ic], oc);
                            if (wantInput) inputGradient[inBase + ic] += Simd.Dot(ref Simd.At(weights, wBase + ic * oc), ref g, oc);
                        }
                    }
                }
            }
        }
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> output, in Conv2DShape s)
    {
        if (input.Length != s.InputLength || weights.Length != s.WeightLength || output.Length != s.OutputLength)
            throw new ArgumentException($"Conv2D buffers ({input.Length}, {weights.Length}, {output.Length}) do not match shape {s}.");
    }
}
