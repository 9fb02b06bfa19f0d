using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Batch normalisation per channel of HWC images, as PyTorch's <c>batch_norm</c>. Training normalises with the
/// statistics of the whole batch (mean and biased variance over images and pixels) and moves the running statistics
/// toward them (the variance unbiased, as PyTorch does); inference normalises with the running statistics.</summary>
/// <remarks>Batch sums run over images in slot order, then pixels, in double, on one thread: the same bits on one core
/// or two. The GPU sums each channel in the same order.</remarks>
public static class BatchNorm
{
    /// <summary>The batch's mean and 1/√(variance + ε) per channel of <paramref name="inputs"/> (<paramref name="count"/>
    /// images end to end), into <paramref name="batch"/> ([mean C][inverse deviation C]); then running = (1 − momentum)
    /// · running + momentum · batch for <paramref name="state"/> ([running mean C][running variance C]); an empty
    /// <paramref name="state"/> (a look at the batch that moves nothing) is left alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Statistics(ReadOnlySpan<float> inputs, int count, int pixels, int channels, float epsilon, float momentum,
        Span<float> batch, Span<float> state)
    {
        if (inputs.Length != count * pixels * channels || batch.Length != 2 * channels || (state.Length != 2 * channels && !state.IsEmpty))
            throw new ArgumentException($"BatchNorm statistics buffers ({inputs.Length}, {batch.Length}, {state.Length}) do not match {count} images of {pixels} pixels of {channels} channels.");
        Span<double> sums = channels <= 256 ? stackalloc double[2 * channels] : new double[2 * channels];
        sums.Clear();
        var sum = sums[..channels];
        var squares = sums[channels..];
        // Pixel after pixel, each a contiguous row of the channels: Σx and Σx² in double (no cancellation at these sizes).
        SumRows(inputs, inputs, channels, sum, squares);
        var values = (double)count * pixels;
        for (var c = 0; c < channels; c++)
        {
            var mean = sum[c] / values;
            var variance = Math.Max(squares[c] / values - mean * mean, 0.0);
            batch[c] = (float)mean;
            batch[channels + c] = (float)(1.0 / Math.Sqrt(variance + epsilon));
            if (state.IsEmpty) continue;
            var unbiased = values > 1 ? variance * values / (values - 1) : variance; // PyTorch moves the running variance by the unbiased one
            state[c] = (float)((1.0 - momentum) * state[c] + momentum * mean);
            state[channels + c] = (float)((1.0 - momentum) * state[channels + c] + momentum * unbiased);
        }
    }

    /// <summary>Training: y = γ · (x − mean) · inverse deviation + β, with the batch's statistics, as y = x · a + b per
    /// channel (a = γ · inverse deviation, b = β − mean · a), a vector of channels at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardTraining(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> batch,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int channels)
    {
        Check(input.Length, output.Length, channels);
        Span<float> scaleShift = channels <= 512 ? stackalloc float[2 * channels] : new float[2 * channels];
        var scale = scaleShift[..channels];
        var shift = scaleShift[channels..];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] * batch[channels + c];
            shift[c] = beta[c] - batch[c] * scale[c];
        }
        Apply(input, output, scale, shift, channels);
    }

    /// <summary>Inference: y = γ · (x − running mean) / √(running variance + ε) + β, as y = x · a + b per channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardInference(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> state,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int channels, float epsilon)
    {
        Check(input.Length, output.Length, channels);
        Span<float> scaleShift = channels <= 512 ? stackalloc float[2 * channels] : new float[2 * channels];
        var scale = scaleShift[..channels];
        var shift = scaleShift[channels..];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] / MathF.Sqrt(state[channels + c] + epsilon);
            shift[c] = beta[c] - state[c] * scale[c];
        }
        Apply(input, output, scale, shift, channels);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int channels)
    {
        var period = Period(channels);
        Span<float> tiled = period <= 1024 ? stackalloc float[2 * period] : new float[2 * period];
        var a = Tile(scale, tiled[..period]);
        var b = Tile(shift, tiled[period..]);
        for (var start = 0; start < input.Length; start += period)
        {
            var n = Math.Min(period, input.Length - start);
            Arithmetic.MultiplyAdd(input.Slice(start, n), a[..n], b[..n], output.Slice(start, n));
        }
    }

    /// <summary>How many values one call of a per-channel operation takes: whole pixels, at least 256 values where a
    /// pixel is smaller, so the call overhead is paid once per many vectors rather than once per pixel (16 channels
    /// are one 512-bit vector).</summary>
    private static int Period(int channels) => channels * Math.Max(1, 256 / channels);

    /// <summary><paramref name="perChannel"/> repeated to fill <paramref name="tiled"/> (a whole number of pixels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<float> Tile(ReadOnlySpan<float> perChannel, Span<float> tiled)
    {
        for (var start = 0; start < tiled.Length; start += perChannel.Length) perChannel.CopyTo(tiled[start..]);
        return tiled;
    }

    /// <summary><paramref name="totals"/>[c] += a[c] and <paramref name="products"/>[c] += a[c] · b[c] for every pixel's
    /// row of <paramref name="a"/> and <paramref name="b"/>, in double, pixel after pixel: the same additions in the same
    /// order whether a channel's lane is a vector's or a scalar's (widening a float to a double is exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int channels, Span<double> totals, Span<double> products)
    {
        var c0 = 0;
        if (Vector.IsHardwareAccelerated && channels >= Vector<float>.Count)
        {
            var vectors = channels / Vector<float>.Count;
            c0 = vectors * Vector<float>.Count;
            var total = MemoryMarshal.Cast<double, Vector<double>>(totals[..c0]);
            var product = MemoryMarshal.Cast<double, Vector<double>>(products[..c0]);
            for (var row = 0; row < a.Length; row += channels)
            {
                var x = MemoryMarshal.Cast<float, Vector<float>>(a.Slice(row, c0));
                var y = MemoryMarshal.Cast<float, Vector<float>>(b.Slice(row, c0));
                for (var v = 0; v < vectors; v++)
                {
                    Vector.Widen(x[v], out var xLow, out var xHigh);
                    Vector.Widen(y[v], out var yLow, out var yHigh);
                    total[2 * v] += xLow;
                    total[2 * v + 1] += xHigh;
                    product[2 * v] += xLow * yLow;
                    product[2 * v + 1] += xHigh * yHigh;
                }
            }
        }
        for (var row = 0; row < a.Length && c0 < channels; row += channels)
        {
            for (var c = c0; c < channels; c++)
            {
                totals[c] += a[row + c];
                products[c] += (double)a[row + c] * b[row + c];
            }
        }
    }

    /// <summary>Over the batch: Σ dy and Σ dy · x̂ per channel into <paramref name="sums"/> ([C][C]), and the parameter
    /// gradients they are: β's is Σ dy, γ's Σ dy · x̂, ADDED into <paramref name="gammaGradient"/> and
    /// <paramref name="betaGradient"/>. Σ dy · x̂ is taken as inverse deviation · (Σ dy · x − mean · Σ dy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientSums(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int channels, ReadOnlySpan<float> batch,
        Span<float> sums, Span<float> gammaGradient, Span<float> betaGradient)
    {
        if (inputs.Length != outputGradients.Length || inputs.Length % channels != 0 || sums.Length != 2 * channels)
            throw new ArgumentException($"BatchNorm gradient buffers ({inputs.Length}, {outputGradients.Length}, {sums.Length}) do not match {channels} channels.");
        Span<double> totals = channels <= 256 ? stackalloc double[2 * channels] : new double[2 * channels];
        totals.Clear();
        var dy = totals[..channels];
        var dyX = totals[channels..];
        SumRows(outputGradients, inputs, channels, dy, dyX);
        for (var c = 0; c < channels; c++)
        {
            var dyXhat = batch[channels + c] * (dyX[c] - batch[c] * dy[c]);
            sums[c] = (float)dy[c];
            sums[channels + c] = (float)dyXhat;
            gammaGradient[c] += (float)dyXhat;
            betaGradient[c] += (float)dy[c];
        }
    }

    /// <summary>dx = γ · inverse deviation · (dy − Σdy / M − x̂ · Σ(dy · x̂) / M), M the batch's values per channel, as
    /// dx = dy · k + x · l + m per channel. Overwrites <paramref name="inputGradient"/>; an empty one (the network's
    /// first layer) is left alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient,
        ReadOnlySpan<float> batch, ReadOnlySpan<float> sums, ReadOnlySpan<float> gamma, int channels, int valuesPerChannel)
    {
        if (inputGradient.IsEmpty) return;
        Check(input.Length, inputGradient.Length, channels);
        Span<float> factors = channels <= 256 ? stackalloc float[3 * channels] : new float[3 * channels];
        var k = factors[..channels];
        var l = factors[channels..(2 * channels)];
        var m = factors[(2 * channels)..];
        for (var c = 0; c < channels; c++)
        {
            var (mean, inverse) = (batch[c], batch[channels + c]);
            var (meanDy, meanDyXhat) = (sums[c] / valuesPerChannel, sums[channels + c] / valuesPerChannel);
            k[c] = gamma[c] * inverse;
            l[c] = -k[c] * inverse * meanDyXhat;                          // x̂ = (x − mean) · inverse
            m[c] = -k[c] * meanDy + k[c] * inverse * mean * meanDyXhat;
        }
        var period = Period(channels);
        Span<float> tiled = period <= 512 ? stackalloc float[3 * period] : new float[3 * period];
        var kt = Tile(k, tiled[..period]);
        var lt = Tile(l, tiled[period..(2 * period)]);
        var mt = Tile(m, tiled[(2 * period)..]);
        for (var start = 0; start < input.Length; start += period)
        {
            var n = Math.Min(period, input.Length - start);
            var dx = inputGradient.Slice(start, n);
            Arithmetic.MultiplyAdd(input.Slice(start, n), lt[..n], mt[..n], dx);
            Arithmetic.MultiplyAdd(outputGradient.Slice(start, n), kt[..n], dx, dx);
        }
    }

    /// <summary>The weights and bias of a layer followed by this BatchNorm, with the normalisation folded in for
    /// inference: for output channel o, scale = γ / √(running variance + ε), W'[…, o] = W[…, o] · scale and
    /// b' = (b − running mean) · scale + β. Weights are HWIO (or [in, out]): the output channel is the fastest index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fold(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> state, float epsilon, Span<float> foldedWeights, Span<float> foldedBias)
    {
        var channels = bias.Length;
        if (weights.Length % channels != 0 || foldedWeights.Length != weights.Length || foldedBias.Length != channels || state.Length != 2 * channels)
            throw new ArgumentException($"BatchNorm folding buffers ({weights.Length}, {bias.Length}, {state.Length}) do not match {channels} channels.");
        Span<float> scale = channels <= 512 ? stackalloc float[channels] : new float[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] / MathF.Sqrt(state[channels + c] + epsilon);
            foldedBias[c] = (bias[c] - state[c]) * scale[c] + beta[c];
        }
        for (var row = 0; row < weights.Length; row += channels)
            Arithmetic.Multiply(weights.Slice(row, channels), scale, foldedWeights.Slice(row, channels));
    }

    /// <summary>The state a new layer starts from: running mean 0, running variance 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ResetState(Span<float> state)
    {
        var channels = state.Length / 2;
        state[..channels].Clear();
        state[channels..].Fill(1f);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(int input, int output, int channels)
    {
        if (input != output || channels < 1 || input % channels != 0)
            throw new ArgumentException($"BatchNorm buffers ({input}, {output}) do not match {channels} channels.");
    }
}
