namespace StaticConvNet.Kernels;

/// <summary>Parameters of one local response normalisation, as <c>tf.nn.lrn</c> takes them.</summary>
public readonly record struct LrnShape(int Pixels, int Channels, int DepthRadius, float Bias, float Alpha, float Beta);

/// <summary>Local response normalisation across channels with TensorFlow's semantics:
/// s_c = Bias + Alpha · Σ_{|d−c| ≤ r} x_d², out_c = x_c · s_c^(−Beta).
/// Backward: dx_d = dy_d · s_d^(−β) − 2αβ · x_d · Σ_{|c−d| ≤ r} dy_c · x_c · s_c^(−β−1).</summary>
public static class LocalResponseNorm
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in LrnShape s)
    {
        Check(input, output, s);
        Span<float> scale = stackalloc float[s.Channels];
        for (var p = 0; p < s.Pixels; p++)
        {
            var x = input.Slice(p * s.Channels, s.Channels);
            Scales(x, scale, s);
            var y = output.Slice(p * s.Channels, s.Channels);
            for (var c = 0; c < s.Channels; c++) y[c] = x[c] * MathF.Pow(scale[c], -s.Beta);
        }
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in LrnShape s)
    {
        Check(input, outputGradient, s);
        if (inputGradient.Length != input.Length) throw new ArgumentException("LRN input gradient does not match the input.");
        Span<float> scale = stackalloc float[s.Channels];
        Span<float> weighted = stackalloc float[s.Channels];
        for (var p = 0; p < s.Pixels; p++)
        {
            var x = input.Slice(p * s.Channels, s.Channels);
            var dy = outputGradient.Slice(p * s.Channels, s.Channels);
            var dx = inputGradient.Slice(p * s.Channels, s.Channels);
            Scales(x, scale, s);
            for (var c = 0; c < s.Channels; c++) weighted[c] = dy[c] * x[c] * MathF.Pow(scale[c], -s.Beta - 1f);
            for (var d = 0; d < s.Channels; d++)
            {
                var sum = 0f;
                for (var c = Math.Max(0, d - s.DepthRadius); c <= Math.Min(s.Channels - 1, d + s.DepthRadius); c++) sum += weighted[c];
                dx[d] = dy[d] * MathF.Pow(scale[d], -s.Beta) - 2f * s.Alpha * s.Beta * x[d] * sum;
            }
        }
    }

    private static void Scales(ReadOnlySpan<float> x, Span<float> scale, in LrnShape s)
    {
        for (var c = 0; c < s.Channels; c++)
        {
            var sum = 0f;
            for (var d = Math.Max(0, c - s.DepthRadius); d <= Math.Min(s.Channels - 1, c + s.DepthRadius); d++) sum += x[d] * x[d];
            scale[c] = s.Bias + s.Alpha * sum;
        }
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, in LrnShape s)
    {
        if (input.Length != s.Pixels * s.Channels || output.Length != input.Length)
            throw new ArgumentException($"LRN buffers ({input.Length}, {output.Length}) do not match shape {s}.");
    }
}
