using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Parameters of one local response normalisation, as <c>tf.nn.lrn</c> takes them.</summary>
public readonly record struct LrnShape(int Pixels, int Channels, int DepthRadius, float Bias, float Alpha, float Beta);

/// <summary>Local response normalisation across channels with TensorFlow's semantics:
/// s_c = Bias + Alpha · Σ_{|d−c| ≤ r} x_d², out_c = x_c · s_c^(−Beta).
/// Backward: dx_d = dy_d · s_d^(−β) − 2αβ · x_d · Σ_{|c−d| ≤ r} dy_c · x_c · s_c^(−β−1).
/// Everything but the window sums runs over the whole image at once (<see cref="Arithmetic"/>; a β other than 0.5,
/// 0.75 or 1 with TensorPrimitives' Log and Exp).</summary>
public static class LocalResponseNorm
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in LrnShape s)
    {
        Check(input, output, s);
        var n = input.Length;
        var scratch = Scratch.Normalisation(3 * n);
        Span<float> squares = scratch.Slice(0, n), scale = scratch.Slice(n, n), room = scratch.Slice(2 * n, n);
        Scales(input, squares, scale, s);
        InversePower(scale, s.Beta, squares, room); // not in output: it may be the input (an in-place call)
        Arithmetic.Multiply(input, squares, output);
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in LrnShape s)
    {
        Check(input, outputGradient, s);
        if (inputGradient.Length != input.Length) throw new ArgumentException("LRN input gradient does not match the input.");
        var n = input.Length;
        var scratch = Scratch.Normalisation(3 * n);
        Span<float> work = scratch.Slice(0, n), scale = scratch.Slice(n, n), power = scratch.Slice(2 * n, n);
        Scales(input, work, scale, s);                       // scale = s
        InversePower(scale, s.Beta, power, room: work);      // power = s^(−β)
        Arithmetic.Divide(power, scale, scale);              // scale = s^(−β−1)
        Arithmetic.Multiply(scale, input, scale);
        Arithmetic.Multiply(scale, outputGradient, scale);   // scale = dy · x · s^(−β−1)
        WindowSums(scale, work, s);                          // the band is symmetric: the same sums serve
        Arithmetic.Multiply(work, input, work);
        Arithmetic.Scale(work, -2f * s.Alpha * s.Beta, work);
        Arithmetic.MultiplyAdd(outputGradient, power, work, inputGradient);
    }

    /// <summary>values^(−β) for positive values, into <paramref name="result"/>, with <paramref name="room"/> (as long) to
    /// work in. The usual β are square roots, which every SIMD width does in hardware: 0.75 (AlexNet's, and the notebook's
    /// arch4) is 1 / (√v · √√v), 0.5 is 1 / √v, 1 is 1 / v. Any other β is exp(−β · log v): TensorPrimitives vectorises
    /// Log and Exp with AVX2 and AVX-512, but on x64 with 128-bit vectors only (DOTNET_EnableAVX2=0, which in .NET 10
    /// also turns off FMA; ARM64 not measured) it ran them element by element, and arch4's norm1 took 191 µs forward and
    /// 196 backward an image (its convolutions: 30), against 3.9 and 5.8 with AVX-512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InversePower(ReadOnlySpan<float> values, float beta, Span<float> result, Span<float> room)
    {
        if (beta == 0.75f)
        {
            Arithmetic.Sqrt(values, room);
            Arithmetic.Sqrt(room, result);
            Arithmetic.Multiply(room, result, room);
            Arithmetic.Reciprocal(room, result);
        }
        else if (beta == 0.5f)
        {
            Arithmetic.Sqrt(values, room);
            Arithmetic.Reciprocal(room, result);
        }
        else if (beta == 1f)
        {
            Arithmetic.Reciprocal(values, result);
        }
        else
        {
            // Out of place: TensorPrimitives' in-place Log and Exp were found 10x slower here.
            TensorPrimitives.Log(values, room);
            TensorPrimitives.Multiply(room, -beta, room);
            TensorPrimitives.Exp(room, result);
        }
    }

    /// <summary>scale = Bias + Alpha · (window sum of squares), using <paramref name="squares"/> as room for x².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scales(ReadOnlySpan<float> x, Span<float> squares, Span<float> scale, in LrnShape s)
    {
        Arithmetic.Multiply(x, x, squares);
        WindowSums(squares, scale, s);
        Arithmetic.Affine(scale, s.Alpha, s.Bias, scale);
    }

    /// <summary>sums[p, c] = Σ_{|d−c| ≤ r} values[p, d]: per pixel, the row times a C×C band matrix of ones,
    /// computed as C scaled-row additions, which vectorise over channels (a running sum would not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WindowSums(ReadOnlySpan<float> values, Span<float> sums, in LrnShape s)
    {
        var channels = s.Channels;
        if (channels > BandLimit)
        {
            PrefixWindowSums(values, sums, s);
            return;
        }
        var band = Scratch.Band(channels * channels);
        for (var d = 0; d < channels; d++)
        {
            for (var c = 0; c < channels; c++) band[d * channels + c] = Math.Abs(c - d) <= s.DepthRadius ? 1f : 0f;
        }
        if (channels == IChannelBlock<Block512>.Lanes && Block128.IsAccelerated)
        {
            if (Block512.IsAccelerated) WindowSums16<Block512>(values, sums, band, s.Pixels);
            else if (Block256.IsAccelerated) WindowSums16<Block256>(values, sums, band, s.Pixels);
            else WindowSums16<Block128>(values, sums, band, s.Pixels);
            return;
        }
        sums.Clear();
        for (var p = 0; p < s.Pixels; p++)
        {
            ref var row = ref Simd.At(sums, p * channels);
            for (var d = 0; d < channels; d++)
            {
                var value = values[p * channels + d];
                if (value != 0f) Simd.MultiplyAdd(ref row, ref Simd.At(band, d * channels), value, channels);
            }
        }
    }

    /// <summary>Deepest layer the C×C band matrix serves: beyond it the matrix grows as C² (46,341 channels would need
    /// more floats than an array holds), and a prefix sum per pixel takes over.</summary>
    private const int BandLimit = 64;

    [ThreadStatic] private static double[]? t_prefix;

    /// <summary>WindowSums for deep layers: per pixel, prefix sums in double, each window sum one subtraction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PrefixWindowSums(ReadOnlySpan<float> values, Span<float> sums, in LrnShape s)
    {
        var channels = s.Channels;
        if (t_prefix is null || t_prefix.Length < channels + 1) t_prefix = new double[channels + 1];
        var prefix = t_prefix;
        var radius = (int)Math.Min(s.DepthRadius, channels);
        for (var p = 0; p < s.Pixels; p++)
        {
            var row = values.Slice(p * channels, channels);
            for (var c = 0; c < channels; c++) prefix[c + 1] = prefix[c] + row[c];
            if (!double.IsFinite(prefix[channels]))
            {
                // An infinite square would make every later difference ∞ − ∞: sum each window directly instead, so that
                // only the windows holding it are infinite. (The band path, ≤ 64 channels, multiplies ∞ by the band's
                // zeros: the whole pixel becomes NaN there. Either way the network has diverged.)
                for (var c = 0; c < channels; c++)
                {
                    double sum = 0;
                    for (var d = Math.Max(0, c - radius); d <= Math.Min(channels - 1, c + radius); d++) sum += row[d];
                    sums[p * channels + c] = (float)sum;
                }
                continue;
            }
            for (var c = 0; c < channels; c++)
                sums[p * channels + c] = (float)(prefix[Math.Min(channels, c + radius + 1)] - prefix[Math.Max(0, c - radius)]);
        }
    }

    /// <summary>WindowSums for exactly 16 channels: one block per pixel, the band product as 16 broadcast multiply-adds
    /// with no calls or branches in between (the notebook's LRN layers are 16 channels deep).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WindowSums16<TBlock>(ReadOnlySpan<float> values, Span<float> sums, Span<float> band, int pixels)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        ref var x = ref MemoryMarshal.GetReference(values);
        ref var b = ref MemoryMarshal.GetReference(band);
        ref var y = ref MemoryMarshal.GetReference(sums);
        for (var p = 0; p < pixels; p++)
        {
            ref var pixel = ref Unsafe.Add(ref x, p * 16);
            var sum = TBlock.Zero;
            for (var d = 0; d < 16; d++)
            {
                sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref pixel, d)), TBlock.Load(ref b, (nuint)(d * 16)), sum);
            }
            sum.Store(ref y, (nuint)(p * 16));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, in LrnShape s)
    {
        if (input.Length != s.Pixels * s.Channels || output.Length != input.Length)
            throw new ArgumentException($"LRN buffers ({input.Length}, {output.Length}) do not match shape {s}.");
    }
}
