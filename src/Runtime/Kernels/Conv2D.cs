using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Direct 2-D convolution of one HWC image with HWIO weights, plus bias.
///
/// The fast path (AVX-512 and output channels a multiple of 16) copies the input into a zero-padded scratch
/// image so that no window needs a border test, and keeps a block of output pixels × 16 channels in registers
/// while it walks the patch: each weight row W[ky, kx, ic, 16 channels] is loaded once and used for four pixels.
/// Otherwise a generic path computes the same sums with short-row SIMD helpers.</summary>
public static class Conv2D
{
    // Every kernel is generic over the layer's shape: the generator passes a struct whose static members are the
    // layer's constants, so the JIT compiles each layer's own copy with every size, stride and padding an immediate.
    // The overloads taking a Conv2DShape value run the same code for shapes known only at run time (tests, tools).

    private const int Lanes = 16; // floats per Vector512

    /// <summary>True where the register-blocked AVX-512 path runs for this shape.</summary>
    public static bool UsesVector512<TShape>() where TShape : struct, IConv2DShape => Vector512.IsHardwareAccelerated && TShape.OutChannels % Lanes == 0;

    public static void Forward<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape
    {
        Check<TShape>(input, weights, output);
        if (bias.Length != TShape.OutChannels) throw new ArgumentException($"Conv2D bias has {bias.Length} values, expected {TShape.OutChannels}.");
        if (UsesVector512<TShape>()) ForwardVector512<TShape>(input, weights, bias, output);
        else ForwardGeneric<TShape>(input, weights, bias, output);
    }

    /// <summary>The same, for a shape known only at run time.</summary>
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, in Conv2DShape s)
    {
        using var _ = RuntimeConv2DShape.Use(s);
        Forward<RuntimeConv2DShape>(input, weights, bias, output);
    }

    /// <summary>The same, for a shape known only at run time.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient, in Conv2DShape s)
    {
        using var _ = RuntimeConv2DShape.Use(s);
        Backward<RuntimeConv2DShape>(input, weights, outputGradient, inputGradient, weightGradient, biasGradient);
    }

    /// <summary>Accumulates (+=) weight and bias gradients; overwrites <paramref name="inputGradient"/>
    /// unless it is empty (the first layer needs no input gradient).</summary>
    public static void Backward<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient)
        where TShape : struct, IConv2DShape
    {
        Check<TShape>(input, weights, outputGradient);
        if (weightGradient.Length != Geometry<TShape>.WeightLength || biasGradient.Length != TShape.OutChannels)
            throw new ArgumentException("Conv2D gradient buffers do not match the shape.");
        if (!inputGradient.IsEmpty && inputGradient.Length != Geometry<TShape>.InputLength)
            throw new ArgumentException("Conv2D input gradient does not match the shape.");

        BiasGradient(outputGradient, biasGradient, TShape.OutHeight * TShape.OutWidth, TShape.OutChannels);
        if (UsesVector512<TShape>())
        {
            WeightGradientVector512<TShape>(input, outputGradient, weightGradient);
            if (!inputGradient.IsEmpty)
            {
                if (TShape.InChannels % Lanes != 0) BackwardGeneric<TShape>(input, weights, outputGradient, Span<float>.Empty, inputGradient);
                else if (TShape.Stride == 1) InputGradientAsConvolution<TShape>(weights, outputGradient, inputGradient);
                else InputGradientVector512<TShape>(weights, outputGradient, inputGradient);
            }
        }
        else
        {
            BackwardGeneric<TShape>(input, weights, outputGradient, weightGradient, inputGradient);
        }
    }

    /// <summary>dBias[c] += Σ_pixels dOut[pixel, c], summing whole registers of channels where they fit.</summary>
    internal static void BiasGradient(ReadOnlySpan<float> outputGradient, Span<float> biasGradient, int pixels, int channels)
    {
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        var c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + Lanes <= channels; c += Lanes)
            {
                var sum = Vector512.LoadUnsafe(ref Simd.At(biasGradient, c));
                for (var p = 0; p < pixels; p++) sum += Vector512.LoadUnsafe(ref g, (nuint)(p * channels + c));
                sum.StoreUnsafe(ref Simd.At(biasGradient, c));
            }
        }
        for (; c < channels; c++)
        {
            var sum = biasGradient[c];
            for (var p = 0; p < pixels; p++) sum += outputGradient[p * channels + c];
            biasGradient[c] = sum;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // AVX-512 path
    // ---------------------------------------------------------------------------------------------

    /// <summary>Copies the input into a zeroed scratch image with the SAME padding around it.</summary>
    private static Span<float> Pad<TShape>(ReadOnlySpan<float> input)
        where TShape : struct, IConv2DShape
    {
        var padded = Scratch.Padded(Geometry<TShape>.PaddedLength);
        padded.Clear();
        var rowLength = TShape.InWidth * TShape.InChannels;
        for (var y = 0; y < TShape.InHeight; y++)
        {
            input.Slice(y * rowLength, rowLength).CopyTo(padded.Slice(((y + TShape.PadTop) * Geometry<TShape>.PaddedWidth + TShape.PadLeft) * TShape.InChannels));
        }
        return padded;
    }

    private static void ForwardVector512<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape
    {
        var padded = Pad<TShape>(input);
        ref var x = ref MemoryMarshal.GetReference(padded);
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var b = ref MemoryMarshal.GetReference(bias);
        ref var o = ref MemoryMarshal.GetReference(output);
        var oc = TShape.OutChannels;
        for (var block = 0; block < oc; block += Lanes)
        {
            var biasRow = Vector512.LoadUnsafe(ref b, (nuint)block);
            for (var oy = 0; oy < TShape.OutHeight; oy++)
            {
                if (TShape.OutWidth < 4)
                {
                    for (var ox = 0; ox < TShape.OutWidth; ox++) ForwardPixel<TShape>(ref x, ref w, ref o, biasRow, oy, ox, block);
                    continue;
                }
                // Blocks of eight (or, on narrow rows, four) pixels: that many independent FMA chains hide the
                // FMA latency. The last block overlaps the one before instead of leaving a ragged tail (outputs are
                // pure, so computing a pixel twice writes the same value).
                var width = TShape.OutWidth >= 8 ? 8 : 4;
                for (var start = 0; start < TShape.OutWidth; start += width)
                {
                    var ox = Math.Min(start, TShape.OutWidth - width);
                    if (width == 8) ForwardEightPixels<TShape>(ref x, ref w, ref o, biasRow, oy, ox, block);
                    else ForwardFourPixels<TShape>(ref x, ref w, ref o, biasRow, oy, ox, block);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardEightPixels<TShape>(ref float x, ref float w, ref float o, Vector512<float> biasRow, int oy, int ox, int block)
        where TShape : struct, IConv2DShape
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch, stride = TShape.Stride;
        var rowStep = Geometry<TShape>.PaddedWidth * ic;
        var step = (nuint)(stride * ic); // from one output pixel's window to the next one's
        Vector512<float> a0 = biasRow, a1 = biasRow, a2 = biasRow, a3 = biasRow, a4 = biasRow, a5 = biasRow, a6 = biasRow, a7 = biasRow;
        for (var ky = 0; ky < patch; ky++)
        {
            ref var xRow = ref Unsafe.Add(ref x, (oy * stride + ky) * rowStep + ox * stride * ic);
            ref var wRow = ref Unsafe.Add(ref w, ky * patch * ic * oc + block);
            var taps = patch * ic; // (kx, c) pairs of this patch row, contiguous in both x and w
            for (var t = 0; t < taps; t++)
            {
                var wv = Vector512.LoadUnsafe(ref wRow, (nuint)(t * oc));
                ref var xt = ref Unsafe.Add(ref xRow, t);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(xt), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, step)), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 2 * step)), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 3 * step)), wv, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 4 * step)), wv, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 5 * step)), wv, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 6 * step)), wv, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 7 * step)), wv, a7);
            }
        }
        ref var target = ref Unsafe.Add(ref o, (oy * TShape.OutWidth + ox) * oc + block);
        a0.StoreUnsafe(ref target);
        a1.StoreUnsafe(ref target, (nuint)oc);
        a2.StoreUnsafe(ref target, (nuint)(2 * oc));
        a3.StoreUnsafe(ref target, (nuint)(3 * oc));
        a4.StoreUnsafe(ref target, (nuint)(4 * oc));
        a5.StoreUnsafe(ref target, (nuint)(5 * oc));
        a6.StoreUnsafe(ref target, (nuint)(6 * oc));
        a7.StoreUnsafe(ref target, (nuint)(7 * oc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardFourPixels<TShape>(ref float x, ref float w, ref float o, Vector512<float> biasRow, int oy, int ox, int block)
        where TShape : struct, IConv2DShape
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch, stride = TShape.Stride;
        var rowStep = Geometry<TShape>.PaddedWidth * ic;
        var step = (nuint)(stride * ic);
        Vector512<float> a0 = biasRow, a1 = biasRow, a2 = biasRow, a3 = biasRow;
        for (var ky = 0; ky < patch; ky++)
        {
            ref var xRow = ref Unsafe.Add(ref x, (oy * stride + ky) * rowStep + ox * stride * ic);
            ref var wRow = ref Unsafe.Add(ref w, ky * patch * ic * oc + block);
            var taps = patch * ic;
            for (var t = 0; t < taps; t++)
            {
                var wv = Vector512.LoadUnsafe(ref wRow, (nuint)(t * oc));
                ref var xt = ref Unsafe.Add(ref xRow, t);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(xt), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, step)), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 2 * step)), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xt, 3 * step)), wv, a3);
            }
        }
        ref var target = ref Unsafe.Add(ref o, (oy * TShape.OutWidth + ox) * oc + block);
        a0.StoreUnsafe(ref target);
        a1.StoreUnsafe(ref target, (nuint)oc);
        a2.StoreUnsafe(ref target, (nuint)(2 * oc));
        a3.StoreUnsafe(ref target, (nuint)(3 * oc));
    }

    private static void ForwardPixel<TShape>(ref float x, ref float w, ref float o, Vector512<float> biasRow, int oy, int ox, int block)
        where TShape : struct, IConv2DShape
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch;
        var rowStep = Geometry<TShape>.PaddedWidth * ic;
        var a = biasRow;
        for (var ky = 0; ky < patch; ky++)
        {
            ref var xRow = ref Unsafe.Add(ref x, (oy * TShape.Stride + ky) * rowStep + ox * TShape.Stride * ic);
            ref var wRow = ref Unsafe.Add(ref w, ky * patch * ic * oc + block);
            for (var t = 0; t < patch * ic; t++)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xRow, t)), Vector512.LoadUnsafe(ref wRow, (nuint)(t * oc)), a);
            }
        }
        a.StoreUnsafe(ref o, (nuint)((oy * TShape.OutWidth + ox) * oc + block));
    }

    /// <summary>dW[ky, kx, c, :] += Σ_pixels x[window(pixel) + (ky, kx, c)] · dOut[pixel, :]. Eight weight rows are
    /// held in registers while all output pixels stream past, so each gradient row is loaded once per image.</summary>
    private static void WeightGradientVector512<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        Span<float> weightGradient)
        where TShape : struct, IConv2DShape
    {
        var padded = Pad<TShape>(input);
        ref var x = ref MemoryMarshal.GetReference(padded);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        ref var dw = ref MemoryMarshal.GetReference(weightGradient);
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch;
        var rows = patch * patch * ic;
        var rowStep = Geometry<TShape>.PaddedWidth * ic;
        for (var block = 0; block < oc; block += Lanes)
        {
            var row = 0;
            for (; row + 8 <= rows; row += 8)
            {
                ref var d = ref Unsafe.Add(ref dw, row * oc + block);
                // Rows (kx, c) of one kernel row ky read consecutive values of a window row: one base offset serves
                // all eight (at 16 input channels every group is like that). A group across two kernel rows needs
                // eight offsets, which the JIT cannot keep in registers.
                if (row / (patch * ic) == (row + 7) / (patch * ic))
                {
                    WeightGradientEightRows<ConsecutiveRows, TShape>(ref x, ref g, ref d, new ConsecutiveRows(RowOffset(row, patch, ic, rowStep)), block, rowStep);
                }
                else
                {
                    var scattered = new ScatteredRows();
                    for (var j = 0; j < 8; j++) scattered[j] = RowOffset(row + j, patch, ic, rowStep);
                    WeightGradientEightRows<ScatteredRows, TShape>(ref x, ref g, ref d, scattered, block, rowStep);
                }
            }
            for (; row < rows; row++)
            {
                // One row alone would be one long dependency chain: four partial sums, one per pixel mod 4.
                var off = RowOffset(row, patch, ic, rowStep);
                ref var d = ref Unsafe.Add(ref dw, row * oc + block);
                Vector512<float> p0 = Vector512.LoadUnsafe(ref d), p1 = default, p2 = default, p3 = default;
                var pixels = TShape.OutHeight * TShape.OutWidth;
                var pixel = 0;
                for (; pixel + 4 <= pixels; pixel += 4)
                {
                    p0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, WindowStart<TShape>(pixel, rowStep) + off)), Vector512.LoadUnsafe(ref g, (nuint)(pixel * oc + block)), p0);
                    p1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, WindowStart<TShape>(pixel + 1, rowStep) + off)), Vector512.LoadUnsafe(ref g, (nuint)((pixel + 1) * oc + block)), p1);
                    p2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, WindowStart<TShape>(pixel + 2, rowStep) + off)), Vector512.LoadUnsafe(ref g, (nuint)((pixel + 2) * oc + block)), p2);
                    p3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, WindowStart<TShape>(pixel + 3, rowStep) + off)), Vector512.LoadUnsafe(ref g, (nuint)((pixel + 3) * oc + block)), p3);
                }
                for (; pixel < pixels; pixel++)
                {
                    p0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, WindowStart<TShape>(pixel, rowStep) + off)), Vector512.LoadUnsafe(ref g, (nuint)(pixel * oc + block)), p0);
                }
                (p0 + p1 + (p2 + p3)).StoreUnsafe(ref d);
            }
        }
    }

    /// <summary>Where, inside a window of the padded input, each of eight weight rows reads.</summary>
    private interface IEightRows
    {
        int Offset(int j);
    }

    /// <summary>Eight rows of one kernel row: offsets first, first + 1, …, first + 7, constants once inlined.</summary>
    private readonly struct ConsecutiveRows(int first) : IEightRows
    {
        public int Offset(int j) => first + j;
    }

    /// <summary>Eight rows anywhere in the patch.</summary>
    [InlineArray(8)]
    private struct ScatteredRows : IEightRows
    {
        private int _offset;

        public readonly int Offset(int j) => this[j];
    }

    /// <summary>dW rows starting at <paramref name="d"/> (eight of them, <c>oc</c> apart) += Σ_pixels x[window + offset_j]
    /// · dOut[pixel, block..]: eight accumulators in registers while every output pixel streams past, each row's sum
    /// in pixel order. Specialised per <typeparamref name="TRows"/>, so consecutive rows address x from one base.</summary>
    private static void WeightGradientEightRows<TRows, TShape>(ref float x, ref float g, ref float d, TRows rows, int block, int rowStep)
        where TRows : struct, IEightRows where TShape : struct, IConv2DShape
    {
        int oc = TShape.OutChannels, pixelStep = TShape.Stride * TShape.InChannels, rowJump = TShape.Stride * rowStep;
        var a0 = Vector512.LoadUnsafe(ref d);
        var a1 = Vector512.LoadUnsafe(ref d, (nuint)oc);
        var a2 = Vector512.LoadUnsafe(ref d, (nuint)(2 * oc));
        var a3 = Vector512.LoadUnsafe(ref d, (nuint)(3 * oc));
        var a4 = Vector512.LoadUnsafe(ref d, (nuint)(4 * oc));
        var a5 = Vector512.LoadUnsafe(ref d, (nuint)(5 * oc));
        var a6 = Vector512.LoadUnsafe(ref d, (nuint)(6 * oc));
        var a7 = Vector512.LoadUnsafe(ref d, (nuint)(7 * oc));
        ref var gv = ref Unsafe.Add(ref g, block);
        for (var oy = 0; oy < TShape.OutHeight; oy++)
        {
            ref var xw = ref Unsafe.Add(ref x, oy * rowJump);
            for (var ox = 0; ox < TShape.OutWidth; ox++)
            {
                var gradient = Vector512.LoadUnsafe(ref gv);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(0))), gradient, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(1))), gradient, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(2))), gradient, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(3))), gradient, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(4))), gradient, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(5))), gradient, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(6))), gradient, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xw, rows.Offset(7))), gradient, a7);
                xw = ref Unsafe.Add(ref xw, pixelStep);
                gv = ref Unsafe.Add(ref gv, oc);
            }
        }
        a0.StoreUnsafe(ref d);
        a1.StoreUnsafe(ref d, (nuint)oc);
        a2.StoreUnsafe(ref d, (nuint)(2 * oc));
        a3.StoreUnsafe(ref d, (nuint)(3 * oc));
        a4.StoreUnsafe(ref d, (nuint)(4 * oc));
        a5.StoreUnsafe(ref d, (nuint)(5 * oc));
        a6.StoreUnsafe(ref d, (nuint)(6 * oc));
        a7.StoreUnsafe(ref d, (nuint)(7 * oc));
    }

    /// <summary>Index in the padded input of the top-left of output pixel <paramref name="pixel"/>'s window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WindowStart<TShape>(int pixel, int rowStep) where TShape : struct, IConv2DShape
    {
        var oy = pixel / TShape.OutWidth;
        return oy * TShape.Stride * rowStep + (pixel - oy * TShape.OutWidth) * TShape.Stride * TShape.InChannels;
    }

    /// <summary>Where weight row (ky, kx, c) reads inside a window of the padded input.</summary>
    private static int RowOffset(int row, int patch, int ic, int rowStep)
    {
        var c = row % ic;
        var tap = row / ic;
        return tap / patch * rowStep + tap % patch * ic + c;
    }

    /// <summary>At stride 1 the input gradient is itself a convolution: of dOut, padded by Patch − 1 − pad, with the
    /// weights rotated 180° and their in/out channels swapped. dIn[iy] = Σ_ky dOut[iy + pad − ky] · W[ky]
    /// = Σ_ky' dOut[iy − (P − 1 − pad) + ky'] · W[P − 1 − ky'], so the fast forward kernel computes it.</summary>
    private static void InputGradientAsConvolution<TShape>(ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient)
        where TShape : struct, IConv2DShape
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch;
        var flipped = Scratch.Weights(Geometry<TShape>.WeightLength);
        for (var ky = 0; ky < patch; ky++)
        {
            for (var kx = 0; kx < patch; kx++)
            {
                var source = ((patch - 1 - ky) * patch + (patch - 1 - kx)) * ic * oc;
                var target = (ky * patch + kx) * oc * ic;
                for (var c = 0; c < ic; c++)
                {
                    for (var o = 0; o < oc; o++) flipped[target + o * ic + c] = weights[source + c * oc + o];
                }
            }
        }
        Span<float> noBias = stackalloc float[ic];
        noBias.Clear();
        ForwardVector512<InputGradientShape<TShape>>(outputGradient, flipped, noBias, inputGradient);
    }

    /// <summary>dIn[window(pixel) + (ky, kx), :] += Σ_o dOut[pixel, o] · W[ky, kx, :, o], scattered into a padded
    /// scratch gradient over weights transposed to [ky, kx, o, c] so each row is contiguous over input channels.</summary>
    private static void InputGradientVector512<TShape>(ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient)
        where TShape : struct, IConv2DShape
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch, stride = TShape.Stride, taps = patch * patch;
        var transposed = Scratch.Weights(Geometry<TShape>.WeightLength);
        for (var tap = 0; tap < taps; tap++)
        {
            for (var c = 0; c < ic; c++)
            {
                for (var o = 0; o < oc; o++) transposed[(tap * oc + o) * ic + c] = weights[(tap * ic + c) * oc + o];
            }
        }
        var paddedGradient = Scratch.Gradient(Geometry<TShape>.PaddedLength);
        paddedGradient.Clear();
        ref var dx = ref MemoryMarshal.GetReference(paddedGradient);
        ref var wt = ref MemoryMarshal.GetReference(transposed);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        var rowStep = Geometry<TShape>.PaddedWidth * ic;
        for (var oy = 0; oy < TShape.OutHeight; oy++)
        {
            for (var ox = 0; ox < TShape.OutWidth; ox++)
            {
                ref var gRow = ref Unsafe.Add(ref g, (oy * TShape.OutWidth + ox) * oc);
                for (var ky = 0; ky < patch; ky++)
                {
                    for (var kx = 0; kx < patch; kx++)
                    {
                        ref var target = ref Unsafe.Add(ref dx, (oy * stride + ky) * rowStep + (ox * stride + kx) * ic);
                        ref var wTap = ref Unsafe.Add(ref wt, (ky * patch + kx) * oc * ic);
                        for (var block = 0; block < ic; block += Lanes)
                        {
                            // Two partial sums halve the dependency chain through the FMA latency.
                            var even = Vector512.LoadUnsafe(ref target, (nuint)block);
                            var odd = Vector512<float>.Zero;
                            var o = 0;
                            for (; o + 1 < oc; o += 2)
                            {
                                even = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref gRow, o)), Vector512.LoadUnsafe(ref wTap, (nuint)(o * ic + block)), even);
                                odd = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref gRow, o + 1)), Vector512.LoadUnsafe(ref wTap, (nuint)((o + 1) * ic + block)), odd);
                            }
                            if (o < oc) even = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref gRow, o)), Vector512.LoadUnsafe(ref wTap, (nuint)(o * ic + block)), even);
                            (even + odd).StoreUnsafe(ref target, (nuint)block);
                        }
                    }
                }
            }
        }
        var rowLength = TShape.InWidth * ic;
        for (var y = 0; y < TShape.InHeight; y++)
        {
            paddedGradient.Slice(((y + TShape.PadTop) * Geometry<TShape>.PaddedWidth + TShape.PadLeft) * ic, rowLength).CopyTo(inputGradient.Slice(y * rowLength));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Generic path: any channel count, any SIMD width (or none)
    // ---------------------------------------------------------------------------------------------

    private static void ForwardGeneric<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape
    {
        var oc = TShape.OutChannels;
        for (var oy = 0; oy < TShape.OutHeight; oy++)
        {
            for (var ox = 0; ox < TShape.OutWidth; ox++)
            {
                var outRow = output.Slice((oy * TShape.OutWidth + ox) * oc, oc);
                bias.CopyTo(outRow);
                ref var acc = ref Simd.At(outRow, 0);
                for (var ky = 0; ky < TShape.Patch; ky++)
                {
                    var iy = oy * TShape.Stride - TShape.PadTop + ky;
                    if ((uint)iy >= (uint)TShape.InHeight) continue; // zero padding contributes nothing
                    for (var kx = 0; kx < TShape.Patch; kx++)
                    {
                        var ix = ox * TShape.Stride - TShape.PadLeft + kx;
                        if ((uint)ix >= (uint)TShape.InWidth) continue;
                        var inBase = (iy * TShape.InWidth + ix) * TShape.InChannels;
                        var wBase = (ky * TShape.Patch + kx) * TShape.InChannels * oc;
                        for (var ic = 0; ic < TShape.InChannels; ic++)
                        {
                            Simd.MultiplyAdd(ref acc, ref Simd.At(weights, wBase + ic * oc), input[inBase + ic], oc);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Both backward products in one walk over the windows: weight gradients accumulate (+=) unless
    /// <paramref name="weightGradient"/> is empty; the input gradient is overwritten unless it is empty.</summary>
    private static void BackwardGeneric<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> weightGradient, Span<float> inputGradient)
        where TShape : struct, IConv2DShape
    {
        var (wantWeights, wantInput) = (!weightGradient.IsEmpty, !inputGradient.IsEmpty);
        inputGradient.Clear();
        var oc = TShape.OutChannels;
        for (var oy = 0; oy < TShape.OutHeight; oy++)
        {
            for (var ox = 0; ox < TShape.OutWidth; ox++)
            {
                ref var g = ref Simd.At(outputGradient, (oy * TShape.OutWidth + ox) * oc);
                for (var ky = 0; ky < TShape.Patch; ky++)
                {
                    var iy = oy * TShape.Stride - TShape.PadTop + ky;
                    if ((uint)iy >= (uint)TShape.InHeight) continue;
                    for (var kx = 0; kx < TShape.Patch; kx++)
                    {
                        var ix = ox * TShape.Stride - TShape.PadLeft + kx;
                        if ((uint)ix >= (uint)TShape.InWidth) continue;
                        var inBase = (iy * TShape.InWidth + ix) * TShape.InChannels;
                        var wBase = (ky * TShape.Patch + kx) * TShape.InChannels * oc;
                        for (var ic = 0; ic < TShape.InChannels; ic++)
                        {
                            if (wantWeights) Simd.MultiplyAdd(ref Simd.At(weightGradient, wBase + ic * oc), ref g, input[inBase + ic], oc);
                            if (wantInput) inputGradient[inBase + ic] += Simd.Dot(ref Simd.At(weights, wBase + ic * oc), ref g, oc);
                        }
                    }
                }
            }
        }
    }

    private static void Check<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> output)
        where TShape : struct, IConv2DShape
    {
        if (input.Length != Geometry<TShape>.InputLength || weights.Length != Geometry<TShape>.WeightLength || output.Length != Geometry<TShape>.OutputLength)
            throw new ArgumentException($"Conv2D buffers ({input.Length}, {weights.Length}, {output.Length}) do not match shape {Geometry<TShape>.Text}.");
    }
}
