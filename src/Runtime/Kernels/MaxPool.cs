namespace StaticConvNet.Kernels;

/// <summary>Shape of one max-pooling layer, resolved at compile time.</summary>
public readonly record struct MaxPoolShape(
    int InHeight, int InWidth, int Channels, int OutHeight, int OutWidth,
    int Size, int Stride, int PadTop, int PadLeft)
{
    public int InputLength => InHeight * InWidth * Channels;
    public int OutputLength => OutHeight * OutWidth * Channels;
}

/// <summary>Max pooling per channel. Padding never wins (TensorFlow pads with -inf). The backward pass
/// routes each gradient to the first maximum of its window, found again from the input, so no index
/// buffer has to be kept between the passes.</summary>
public static class MaxPool
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in MaxPoolShape s)
    {
        Check(input, output, s);
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                for (var c = 0; c < s.Channels; c++)
                {
                    output[(oy * s.OutWidth + ox) * s.Channels + c] = input[ArgMax(input, s, oy, ox, c)];
                }
            }
        }
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in MaxPoolShape s)
    {
        Check(input, outputGradient, s);
        if (inputGradient.Length != s.InputLength) throw new ArgumentException("MaxPool input gradient does not match the shape.");
        inputGradient.Clear();
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                for (var c = 0; c < s.Channels; c++)
                {
                    inputGradient[ArgMax(input, s, oy, ox, c)] += outputGradient[(oy * s.OutWidth + ox) * s.Channels + c];
                }
            }
        }
    }

    private static int ArgMax(ReadOnlySpan<float> input, in MaxPoolShape s, int oy, int ox, int c)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var ky = 0; ky < s.Size; ky++)
        {
            var iy = oy * s.Stride - s.PadTop + ky;
            if ((uint)iy >= (uint)s.InHeight) continue;
            for (var kx = 0; kx < s.Size; kx++)
            {
                var ix = ox * s.Stride - s.PadLeft + kx;
                if ((uint)ix >= (uint)s.InWidth) continue;
                var index = (iy * s.InWidth + ix) * s.Channels + c;
                if (best < 0 || input[index] > bestValue)
                {
                    best = index;
                    bestValue = input[index];
                }
            }
        }
        return best; // every SAME/VALID window holds at least one real pixel
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, in MaxPoolShape s)
    {
        if (input.Length != s.InputLength || output.Length != s.OutputLength)
            throw new ArgumentException($"MaxPool buffers ({input.Length}, {output.Length}) do not match shape {s}.");
    }
}
