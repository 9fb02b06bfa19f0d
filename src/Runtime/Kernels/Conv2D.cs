using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Direct 2-D convolution of one HWC image with HWIO weights, plus bias.
///
/// The fast path (output channels a multiple of 16, any SIMD width) copies the input into a zero-padded scratch
/// image so that no window needs a border test, and keeps a block of output pixels × 16 channels in registers
/// while it walks the patch: each weight row W[ky, kx, ic, 16 channels] is loaded once and used for every pixel of the
/// block. It is written once over <see cref="IChannelBlock{TSelf}"/> and compiled for the widest block this machine
/// accelerates, with register blocks sized for its register file (<see cref="Blocking{T, TBlock}"/>). Otherwise a
/// generic path computes the same sums with short-row SIMD helpers.</summary>
public static class Conv2D
{
    // Every kernel is generic over the layer's shape: the generator passes a struct whose static members are the
    // layer's constants, so the JIT compiles each layer's own copy with every size, stride and padding an immediate.

    private const int Lanes = IChannelBlock<Block512>.Lanes;

    /// <summary>The most accumulators a narrower block than AVX-512's holds (<see cref="IChannelBlock{TSelf}.Accumulators"/>).
    /// Kernels written with more guard those with <c>(Narrow &gt; k || typeof(TBlock) == typeof(Block512))</c>: the JIT
    /// folds that as it reads the IL, so for a narrow block it never reads the accumulators past it, where a test on
    /// the layer's count folds only after every branch was inlined. Each inlined 128-bit block brings five locals, and
    /// past the JIT's 1,024 tracked locals it stopped keeping structs in registers: the weight-gradient kernel's two
    /// accumulators went to the stack (arch3's conv1 backward 37 µs at the 128-bit tier, 13 with this guard).</summary>
    internal const int Narrow = 6;

    /// <summary>Accumulators the strided input-gradient kernel is written with (t0…t27).</summary>
    private const int MaxTapsInRegisters = 28;

    /// <summary>True where the register-blocked path runs for this shape: 16-channel blocks, at whatever vector width
    /// this machine accelerates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool UsesBlocks<TShape>() where TShape : struct, IConv2DShape => Block128.IsAccelerated && TShape.OutChannels % Lanes == 0;

    /// <summary>A convolution, as Winograd where <paramref name="winograd"/> is active (see the overload below).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, WinogradWeights<TShape>? winograd = null)
        where TShape : struct, IConv2DShape
        => Forward<TShape, StoreAsIs>(input, weights, bias, output, winograd);

    /// <summary>The same, applying <typeparamref name="TActivation"/> to each output as it is stored (a ReLU fused into
    /// the convolution: no second pass over the output).</summary>
    /// <remarks>With <paramref name="winograd"/> active (prepared from these weights), the layer runs as Winograd
    /// instead of the direct kernel: F(4×4, 5×5) at stride 1 (F(2×2, 5×5) for an output side under 4 or
    /// without a fused multiply-add), F(4×4, 3×3) over the pixel phases at stride 2.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TShape, TActivation>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output, WinogradWeights<TShape>? winograd = null)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation
    {
        Check<TShape>(input, weights, output);
        if (bias.Length != TShape.OutChannels) throw new ArgumentException($"Conv2D bias has {bias.Length} values, expected {TShape.OutChannels}.");
        if (winograd is { Active: true })
        {
            if (TShape.Stride == 1) Winograd.Forward<TShape, TActivation>(input, winograd.Forward, bias, output);
            else StridedWinograd.Forward<TShape, TActivation>(input, winograd.Forward, bias, output);
        }
        else if (UsesBlocks<TShape>())
        {
            if (Block512.IsAccelerated) ForwardBlocked<TShape, TActivation, Block512>(input, weights, bias, output);
            else if (Block256.IsAccelerated) ForwardBlocked<TShape, TActivation, Block256>(input, weights, bias, output);
            else ForwardBlocked<TShape, TActivation, Block128>(input, weights, bias, output);
        }
        else
        {
            ForwardGeneric<TShape>(input, weights, bias, output);
            TActivation.Apply(output);
        }
    }

    /// <summary>Writes the weights as the input gradient reads them: rotated 180° with in and out channels swapped,
    /// W'[P−1−ky, P−1−kx, o, c] = W[ky, kx, c, o]. The weights do not change during a batch, so a network does this
    /// once per batch for every convolution that back-propagates into its input, not once per image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FlipWeights<TShape>(ReadOnlySpan<float> weights, Span<float> flipped)
        where TShape : struct, IConv2DShape
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, taps = TShape.Patch * TShape.Patch;
        if (weights.Length != Geometry<TShape>.WeightLength || flipped.Length != Geometry<TShape>.WeightLength)
            throw new ArgumentException($"Conv2D weights ({weights.Length}, flipped {flipped.Length}) do not match shape {Geometry<TShape>.Text}.");
        if (Block128.IsAccelerated && ic % Lanes == 0 && oc % Lanes == 0)
        {
            if (Block512.IsAccelerated) FlipWeightTiles<TShape, Block512>(weights, flipped);
            else if (Block256.IsAccelerated) FlipWeightTiles<TShape, Block256>(weights, flipped);
            else FlipWeightTiles<TShape, Block128>(weights, flipped);
            return;
        }
        for (var tap = 0; tap < taps; tap++)
        {
            var source = weights.Slice(tap * ic * oc, ic * oc);
            var target = flipped.Slice((taps - 1 - tap) * oc * ic, oc * ic);
            for (var c = 0; c < ic; c++)
            {
                for (var o = 0; o < oc; o++) target[o * ic + c] = source[c * oc + o];
            }
        }
    }

    /// <summary><see cref="FlipWeights{TShape}"/> where both channel counts are multiples of 16: each tap's in × out
    /// matrix as 16 × 16 tiles, transposed in registers (<see cref="IChannelBlock{TSelf}.Transpose"/>). A scalar
    /// transpose of arch2's 16 × 16 5 × 5 weights took 2.0–2.2 µs, once per batch on each core.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FlipWeightTiles<TShape, TBlock>(ReadOnlySpan<float> weights, Span<float> flipped)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, taps = TShape.Patch * TShape.Patch;
        ref var source = ref MemoryMarshal.GetReference(weights);
        ref var target = ref MemoryMarshal.GetReference(flipped);
        for (var tap = 0; tap < taps; tap++)
        {
            ref var from = ref Unsafe.Add(ref source, tap * ic * oc);
            ref var to = ref Unsafe.Add(ref target, (taps - 1 - tap) * oc * ic);
            for (var c = 0; c < ic; c += Lanes)
            {
                for (var o = 0; o < oc; o += Lanes)
                    TBlock.Transpose(in Unsafe.Add(ref from, c * oc + o), (nuint)oc, ref Unsafe.Add(ref to, o * ic + c), (nuint)ic);
            }
        }
    }

    /// <summary>Accumulates (+=) weight and bias gradients; overwrites <paramref name="inputGradient"/> unless it is
    /// empty (the first layer needs no input gradient). <paramref name="flippedWeights"/> are the weights as
    /// <see cref="FlipWeights{TShape}"/> wrote them (empty when there is no input gradient).</summary>
    /// <remarks>With <paramref name="winograd"/> active for the backward pass (stride 1, prepared from these flipped
    /// weights), the input gradient runs as Winograd (F(4×4, 5×5) where the input has a 4×4 tile) and so does the
    /// weight gradient where it pays (<see cref="Winograd.PaysForWeightGradient{TShape}"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> flippedWeights,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient,
        WinogradWeights<TShape>? winograd = null)
        where TShape : struct, IConv2DShape
    {
        Check<TShape>(input, weights, outputGradient);
        if (weightGradient.Length != Geometry<TShape>.WeightLength || biasGradient.Length != TShape.OutChannels)
            throw new ArgumentException("Conv2D gradient buffers do not match the shape.");
        if (!inputGradient.IsEmpty && (inputGradient.Length != Geometry<TShape>.InputLength || flippedWeights.Length != Geometry<TShape>.WeightLength))
            throw new ArgumentException("Conv2D input gradient (or its flipped weights) does not match the shape.");

        BiasGradient(outputGradient, biasGradient, TShape.OutHeight * TShape.OutWidth, TShape.OutChannels);
        if (UsesBlocks<TShape>())
        {
            if (Block512.IsAccelerated) BackwardBlocked<TShape, Block512>(input, weights, flippedWeights, outputGradient, inputGradient, weightGradient, winograd);
            else if (Block256.IsAccelerated) BackwardBlocked<TShape, Block256>(input, weights, flippedWeights, outputGradient, inputGradient, weightGradient, winograd);
            else BackwardBlocked<TShape, Block128>(input, weights, flippedWeights, outputGradient, inputGradient, weightGradient, winograd);
        }
        else
        {
            BackwardGeneric<TShape>(input, weights, outputGradient, weightGradient, inputGradient);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardBlocked<TShape, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> flippedWeights,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, WinogradWeights<TShape>? winograd)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        if (winograd is { ActiveBackward: true } && Winograd.PaysForWeightGradient<TShape>()) Winograd.WeightGradientBlocked<TShape, TBlock>(input, outputGradient, weightGradient);
        else WeightGradientBlocked<TShape, TBlock>(input, outputGradient, weightGradient);
        if (inputGradient.IsEmpty) return;
        // The strided kernel holds at least a kernel row of taps: past its accumulators (28 with AVX-512, Narrow for the
        // narrower blocks, whose kernels are compiled without the rest), the generic path.
        if (TShape.InChannels % Lanes != 0 || (TShape.Stride != 1 && TShape.Patch > (typeof(TBlock) == typeof(Block512) ? MaxTapsInRegisters : Narrow)))
            BackwardGeneric<TShape>(input, weights, outputGradient, Span<float>.Empty, inputGradient);
        else if (TShape.Stride == 1) InputGradientAsConvolution<TShape, TBlock>(flippedWeights, winograd, outputGradient, inputGradient);
        else InputGradientBlocked<TShape, TBlock>(flippedWeights, outputGradient, inputGradient);
    }

    /// <summary>dBias[c] += Σ_pixels dOut[pixel, c], summing whole blocks of channels where they fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BiasGradient(ReadOnlySpan<float> outputGradient, Span<float> biasGradient, int pixels, int channels)
    {
        if (Block512.IsAccelerated) BiasGradient<Block512>(outputGradient, biasGradient, pixels, channels);
        else if (Block256.IsAccelerated) BiasGradient<Block256>(outputGradient, biasGradient, pixels, channels);
        else BiasGradient<Block128>(outputGradient, biasGradient, pixels, channels);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BiasGradient<TBlock>(ReadOnlySpan<float> outputGradient, Span<float> biasGradient, int pixels, int channels)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        var c = 0;
        if (TBlock.IsAccelerated)
        {
            for (; c + Lanes <= channels; c += Lanes)
            {
                var sum = TBlock.Load(ref Simd.At(biasGradient, c));
                for (var p = 0; p < pixels; p++) sum += TBlock.Load(ref g, (nuint)(p * channels + c));
                sum.Store(ref Simd.At(biasGradient, c));
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
    // Register-blocked path, for every vector width
    // ---------------------------------------------------------------------------------------------

    /// <summary>Copies the input into a zeroed scratch image with the SAME padding around it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Span<float> Pad<TShape>(ReadOnlySpan<float> input)
        where TShape : struct, IConv2DShape
    {
        int height = Geometry<TShape>.PaddedHeight, width = Geometry<TShape>.PaddedWidth;
        var padded = Scratch.Padded(height * width * TShape.InChannels);
        padded.Clear();
        var rowLength = TShape.InWidth * TShape.InChannels;
        for (var y = 0; y < TShape.InHeight; y++)
        {
            input.Slice(y * rowLength, rowLength).CopyTo(padded.Slice(((y + TShape.PadTop) * width + TShape.PadLeft) * TShape.InChannels));
        }
        return padded;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlocked<TShape, TActivation, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var padded = Pad<TShape>(input);
        ref var x = ref MemoryMarshal.GetReference(padded);
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var b = ref MemoryMarshal.GetReference(bias);
        ref var o = ref MemoryMarshal.GetReference(output);
        int rows = Blocking<TShape, TBlock>.BlockRows, columns = Blocking<TShape, TBlock>.BlockColumns;
        for (var block = 0; block < TShape.OutChannels; block += Lanes)
        {
            var biasRow = TBlock.Load(ref b, (nuint)block);
            // The last block of a row (or of the image) overlaps the one before instead of leaving a ragged tail:
            // outputs are pure, so computing a pixel twice writes the same value.
            for (var top = 0; top < TShape.OutHeight; top += rows)
            {
                var oy = Math.Min(top, TShape.OutHeight - rows);
                for (var left = 0; left < TShape.OutWidth; left += columns)
                {
                    ForwardBlock<TShape, TActivation, TBlock>(ref x, ref w, ref o, biasRow, oy, Math.Min(left, TShape.OutWidth - columns), block);
                }
            }
        }
    }

    /// <summary>One register block of output pixels (<see cref="Blocking{T, TBlock}.BlockRows"/> ×
    /// <see cref="Blocking{T, TBlock}.BlockColumns"/>, at most 14) × 16 channels: each weight row W[ky, kx, c, block..] is
    /// loaded once and multiplied into every pixel's accumulator. The block size is a constant of the layer, so the
    /// JIT drops the accumulators past it and every pixel's offset in the window is an immediate.</summary>
    /// <remarks>Where it is too large to inline (2,076 bytes of IL: arch1's first layer), it is a method of its own,
    /// which must then be compiled optimised from its first call like the loops that call it (see ForwardBlocked).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlock<TShape, TActivation, TBlock>(ref float x, ref float w, ref float o, TBlock biasRow, int oy, int ox, int block)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch, stride = TShape.Stride;
        // Constants of the layer, read once: each use below folds to an immediate, and the JIT's inlining budget is
        // not spent on fourteen copies of the same property chain.
        int pixels = Blocking<TShape, TBlock>.BlockPixels, columns = Blocking<TShape, TBlock>.BlockColumns, paddedWidth = Geometry<TShape>.PaddedWidth;
        int rowStep = paddedWidth * ic, outWidth = TShape.OutWidth, rowJump = stride * rowStep, pixelStep = stride * ic;

        TBlock a0 = biasRow, a1 = biasRow, a2 = biasRow, a3 = biasRow, a4 = biasRow, a5 = biasRow, a6 = biasRow, a7 = biasRow, a8 = biasRow, a9 = biasRow, a10 = biasRow, a11 = biasRow, a12 = biasRow, a13 = biasRow;
        for (var ky = 0; ky < patch; ky++)
        {
            ref var xRow = ref Unsafe.Add(ref x, oy * rowJump + ky * rowStep + ox * pixelStep);
            ref var wRow = ref Unsafe.Add(ref w, ky * patch * ic * oc + block);
            for (var t = 0; t < patch * ic; t++) // (kx, c) pairs of this patch row: contiguous in both x and w
            {
                var wv = TBlock.Load(ref wRow, (nuint)(t * oc));
                ref var xt = ref Unsafe.Add(ref xRow, t);
                a0 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in xt), wv, a0);
                if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && pixels > 1) a1 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(1, columns, rowJump, pixelStep))), wv, a1);
                if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && pixels > 2) a2 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(2, columns, rowJump, pixelStep))), wv, a2);
                if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && pixels > 3) a3 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(3, columns, rowJump, pixelStep))), wv, a3);
                if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && pixels > 4) a4 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(4, columns, rowJump, pixelStep))), wv, a4);
                if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && pixels > 5) a5 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(5, columns, rowJump, pixelStep))), wv, a5);
                if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && pixels > 6) a6 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(6, columns, rowJump, pixelStep))), wv, a6);
                if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && pixels > 7) a7 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(7, columns, rowJump, pixelStep))), wv, a7);
                if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && pixels > 8) a8 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(8, columns, rowJump, pixelStep))), wv, a8);
                if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && pixels > 9) a9 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(9, columns, rowJump, pixelStep))), wv, a9);
                if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && pixels > 10) a10 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(10, columns, rowJump, pixelStep))), wv, a10);
                if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && pixels > 11) a11 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(11, columns, rowJump, pixelStep))), wv, a11);
                if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && pixels > 12) a12 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(12, columns, rowJump, pixelStep))), wv, a12);
                if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && pixels > 13) a13 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xt, BlockOffset(13, columns, rowJump, pixelStep))), wv, a13);
            }
        }
        ref var target = ref Unsafe.Add(ref o, (oy * outWidth + ox) * oc + block);
        TActivation.Apply(a0).Store(ref target);
        if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && pixels > 1) TActivation.Apply(a1).Store(ref target, (nuint)BlockOffset(1, columns, outWidth * oc, oc));
        if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && pixels > 2) TActivation.Apply(a2).Store(ref target, (nuint)BlockOffset(2, columns, outWidth * oc, oc));
        if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && pixels > 3) TActivation.Apply(a3).Store(ref target, (nuint)BlockOffset(3, columns, outWidth * oc, oc));
        if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && pixels > 4) TActivation.Apply(a4).Store(ref target, (nuint)BlockOffset(4, columns, outWidth * oc, oc));
        if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && pixels > 5) TActivation.Apply(a5).Store(ref target, (nuint)BlockOffset(5, columns, outWidth * oc, oc));
        if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && pixels > 6) TActivation.Apply(a6).Store(ref target, (nuint)BlockOffset(6, columns, outWidth * oc, oc));
        if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && pixels > 7) TActivation.Apply(a7).Store(ref target, (nuint)BlockOffset(7, columns, outWidth * oc, oc));
        if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && pixels > 8) TActivation.Apply(a8).Store(ref target, (nuint)BlockOffset(8, columns, outWidth * oc, oc));
        if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && pixels > 9) TActivation.Apply(a9).Store(ref target, (nuint)BlockOffset(9, columns, outWidth * oc, oc));
        if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && pixels > 10) TActivation.Apply(a10).Store(ref target, (nuint)BlockOffset(10, columns, outWidth * oc, oc));
        if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && pixels > 11) TActivation.Apply(a11).Store(ref target, (nuint)BlockOffset(11, columns, outWidth * oc, oc));
        if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && pixels > 12) TActivation.Apply(a12).Store(ref target, (nuint)BlockOffset(12, columns, outWidth * oc, oc));
        if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && pixels > 13) TActivation.Apply(a13).Store(ref target, (nuint)BlockOffset(13, columns, outWidth * oc, oc));
    }

    /// <summary>Offset of pixel <paramref name="j"/> of a register block from its first pixel, in a buffer whose rows are
    /// <paramref name="rowStep"/> apart and whose pixels are <paramref name="pixelStep"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BlockOffset(int j, int columns, int rowStep, int pixelStep) => j / columns * rowStep + j % columns * pixelStep;

    /// <summary>dW[ky, kx, c, :] += Σ_pixels x[window(pixel) + (ky, kx, c)] · dOut[pixel, :]. A group of weight rows
    /// (all of them where they fit in registers, else equal parts of one kernel row) is held in registers while every
    /// output pixel streams past, so each gradient row is loaded once per group and each weight row once per image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBlocked<TShape, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        Span<float> weightGradient)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var padded = Pad<TShape>(input);
        ref var x = ref MemoryMarshal.GetReference(padded);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        ref var dw = ref MemoryMarshal.GetReference(weightGradient);
        int oc = TShape.OutChannels, kernelRow = Geometry<TShape>.KernelRowLength, rowStep = Geometry<TShape>.PaddedWidth * TShape.InChannels;
        for (var block = 0; block < oc; block += Lanes)
        {
            if (Geometry<TShape>.WeightRows <= Blocking<TShape, TBlock>.MaxGradientRows)
            {
                WeightGradientRows<TShape, AllWeightRows<TShape, TBlock>, TBlock>(ref x, ref g, ref Unsafe.Add(ref dw, block), 0, block);
                continue;
            }
            for (var ky = 0; ky < TShape.Patch; ky++)
            {
                // Within a kernel row, weight row (kx, c) reads window offset ky · rowStep + kx · ic + c: consecutive.
                var start = 0;
                for (; start + Blocking<TShape, TBlock>.GradientGroup < kernelRow; start += Blocking<TShape, TBlock>.GradientGroup)
                {
                    WeightGradientRows<TShape, GradientGroupRows<TShape, TBlock>, TBlock>(ref x, ref g, ref Unsafe.Add(ref dw, (ky * kernelRow + start) * oc + block), ky * rowStep + start, block);
                }
                WeightGradientRows<TShape, LastGradientGroupRows<TShape, TBlock>, TBlock>(ref x, ref g, ref Unsafe.Add(ref dw, (ky * kernelRow + start) * oc + block), ky * rowStep + start, block);
            }
        }
    }

    /// <summary>How many weight rows one call of <see cref="WeightGradientRows{TShape, TCount, TBlock}"/> holds: a constant per
    /// layer and group, so the JIT drops the accumulators past it.</summary>
    private interface IRowCount
    {
        static abstract int Value { get; }
    }

    private readonly struct AllWeightRows<T, TBlock> : IRowCount where T : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        public static int Value { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Geometry<T>.WeightRows; }
    }

    private readonly struct GradientGroupRows<T, TBlock> : IRowCount where T : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        public static int Value { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Blocking<T, TBlock>.GradientGroup; }
    }

    private readonly struct LastGradientGroupRows<T, TBlock> : IRowCount where T : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        public static int Value { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Blocking<T, TBlock>.LastGradientGroup; }
    }

    /// <summary>dW rows j = 0 … count − 1 (from <paramref name="d"/>, <c>oc</c> apart) += Σ_pixels x[window + first +
    /// RowOffset(j)] · dOut[pixel, block..], each row's sum in pixel order. Every offset is a constant of the layer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientRows<TShape, TCount, TBlock>(ref float x, ref float g, ref float d, int first, int block)
        where TShape : struct, IConv2DShape where TCount : struct, IRowCount where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        // Constants of the layer, read once (see ForwardBlock).
        int count = TCount.Value, oc = TShape.OutChannels, ic = TShape.InChannels, patch = TShape.Patch, stride = TShape.Stride;
        int rowStep = Geometry<TShape>.PaddedWidth * ic, outHeight = TShape.OutHeight, outWidth = TShape.OutWidth;
        int pixelStep = stride * ic, rowJump = stride * rowStep;

        TBlock a0 = TBlock.Load(ref d), a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default, a17 = default, a18 = default, a19 = default, a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default, a26 = default, a27 = default;
        if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1 = TBlock.Load(ref d, (nuint)(1 * oc));
        if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2 = TBlock.Load(ref d, (nuint)(2 * oc));
        if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3 = TBlock.Load(ref d, (nuint)(3 * oc));
        if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4 = TBlock.Load(ref d, (nuint)(4 * oc));
        if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5 = TBlock.Load(ref d, (nuint)(5 * oc));
        if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6 = TBlock.Load(ref d, (nuint)(6 * oc));
        if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7 = TBlock.Load(ref d, (nuint)(7 * oc));
        if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8 = TBlock.Load(ref d, (nuint)(8 * oc));
        if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9 = TBlock.Load(ref d, (nuint)(9 * oc));
        if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10 = TBlock.Load(ref d, (nuint)(10 * oc));
        if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11 = TBlock.Load(ref d, (nuint)(11 * oc));
        if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12 = TBlock.Load(ref d, (nuint)(12 * oc));
        if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13 = TBlock.Load(ref d, (nuint)(13 * oc));
        if ((Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14 = TBlock.Load(ref d, (nuint)(14 * oc));
        if ((Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15 = TBlock.Load(ref d, (nuint)(15 * oc));
        if ((Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) a16 = TBlock.Load(ref d, (nuint)(16 * oc));
        if ((Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) a17 = TBlock.Load(ref d, (nuint)(17 * oc));
        if ((Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) a18 = TBlock.Load(ref d, (nuint)(18 * oc));
        if ((Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) a19 = TBlock.Load(ref d, (nuint)(19 * oc));
        if ((Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) a20 = TBlock.Load(ref d, (nuint)(20 * oc));
        if ((Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) a21 = TBlock.Load(ref d, (nuint)(21 * oc));
        if ((Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) a22 = TBlock.Load(ref d, (nuint)(22 * oc));
        if ((Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) a23 = TBlock.Load(ref d, (nuint)(23 * oc));
        if ((Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) a24 = TBlock.Load(ref d, (nuint)(24 * oc));
        if ((Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) a25 = TBlock.Load(ref d, (nuint)(25 * oc));
        if ((Narrow > 26 || typeof(TBlock) == typeof(Block512)) && count > 26) a26 = TBlock.Load(ref d, (nuint)(26 * oc));
        if ((Narrow > 27 || typeof(TBlock) == typeof(Block512)) && count > 27) a27 = TBlock.Load(ref d, (nuint)(27 * oc));
        ref var gv = ref Unsafe.Add(ref g, block);
        for (var oy = 0; oy < outHeight; oy++)
        {
            ref var xw = ref Unsafe.Add(ref x, oy * rowJump + first);
            for (var ox = 0; ox < outWidth; ox++)
            {
                var gradient = TBlock.Load(ref gv);
                a0 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in xw), gradient, a0);
                if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(1, patch, ic, rowStep))), gradient, a1);
                if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(2, patch, ic, rowStep))), gradient, a2);
                if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(3, patch, ic, rowStep))), gradient, a3);
                if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(4, patch, ic, rowStep))), gradient, a4);
                if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(5, patch, ic, rowStep))), gradient, a5);
                if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(6, patch, ic, rowStep))), gradient, a6);
                if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(7, patch, ic, rowStep))), gradient, a7);
                if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(8, patch, ic, rowStep))), gradient, a8);
                if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(9, patch, ic, rowStep))), gradient, a9);
                if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(10, patch, ic, rowStep))), gradient, a10);
                if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(11, patch, ic, rowStep))), gradient, a11);
                if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(12, patch, ic, rowStep))), gradient, a12);
                if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(13, patch, ic, rowStep))), gradient, a13);
                if ((Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(14, patch, ic, rowStep))), gradient, a14);
                if ((Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(15, patch, ic, rowStep))), gradient, a15);
                if ((Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) a16 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(16, patch, ic, rowStep))), gradient, a16);
                if ((Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) a17 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(17, patch, ic, rowStep))), gradient, a17);
                if ((Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) a18 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(18, patch, ic, rowStep))), gradient, a18);
                if ((Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) a19 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(19, patch, ic, rowStep))), gradient, a19);
                if ((Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) a20 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(20, patch, ic, rowStep))), gradient, a20);
                if ((Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) a21 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(21, patch, ic, rowStep))), gradient, a21);
                if ((Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) a22 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(22, patch, ic, rowStep))), gradient, a22);
                if ((Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) a23 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(23, patch, ic, rowStep))), gradient, a23);
                if ((Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) a24 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(24, patch, ic, rowStep))), gradient, a24);
                if ((Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) a25 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(25, patch, ic, rowStep))), gradient, a25);
                if ((Narrow > 26 || typeof(TBlock) == typeof(Block512)) && count > 26) a26 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(26, patch, ic, rowStep))), gradient, a26);
                if ((Narrow > 27 || typeof(TBlock) == typeof(Block512)) && count > 27) a27 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xw, RowOffset(27, patch, ic, rowStep))), gradient, a27);
                xw = ref Unsafe.Add(ref xw, pixelStep);
                gv = ref Unsafe.Add(ref gv, oc);
            }
        }
        a0.Store(ref d);
        if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1.Store(ref d, (nuint)(1 * oc));
        if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2.Store(ref d, (nuint)(2 * oc));
        if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3.Store(ref d, (nuint)(3 * oc));
        if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4.Store(ref d, (nuint)(4 * oc));
        if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5.Store(ref d, (nuint)(5 * oc));
        if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6.Store(ref d, (nuint)(6 * oc));
        if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7.Store(ref d, (nuint)(7 * oc));
        if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8.Store(ref d, (nuint)(8 * oc));
        if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9.Store(ref d, (nuint)(9 * oc));
        if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10.Store(ref d, (nuint)(10 * oc));
        if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11.Store(ref d, (nuint)(11 * oc));
        if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12.Store(ref d, (nuint)(12 * oc));
        if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13.Store(ref d, (nuint)(13 * oc));
        if ((Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14.Store(ref d, (nuint)(14 * oc));
        if ((Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15.Store(ref d, (nuint)(15 * oc));
        if ((Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) a16.Store(ref d, (nuint)(16 * oc));
        if ((Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) a17.Store(ref d, (nuint)(17 * oc));
        if ((Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) a18.Store(ref d, (nuint)(18 * oc));
        if ((Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) a19.Store(ref d, (nuint)(19 * oc));
        if ((Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) a20.Store(ref d, (nuint)(20 * oc));
        if ((Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) a21.Store(ref d, (nuint)(21 * oc));
        if ((Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) a22.Store(ref d, (nuint)(22 * oc));
        if ((Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) a23.Store(ref d, (nuint)(23 * oc));
        if ((Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) a24.Store(ref d, (nuint)(24 * oc));
        if ((Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) a25.Store(ref d, (nuint)(25 * oc));
        if ((Narrow > 26 || typeof(TBlock) == typeof(Block512)) && count > 26) a26.Store(ref d, (nuint)(26 * oc));
        if ((Narrow > 27 || typeof(TBlock) == typeof(Block512)) && count > 27) a27.Store(ref d, (nuint)(27 * oc));
    }

    /// <summary>Where weight row (ky, kx, c) reads inside a window of the padded input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RowOffset(int row, int patch, int ic, int rowStep)
    {
        var c = row % ic;
        var tap = row / ic;
        return tap / patch * rowStep + tap % patch * ic + c;
    }

    /// <summary>At stride 1 the input gradient is itself a convolution: of dOut, padded by Patch − 1 − pad, with the
    /// weights rotated 180° and their in/out channels swapped. dIn[iy] = Σ_ky dOut[iy + pad − ky] · W[ky]
    /// = Σ_ky' dOut[iy − (P − 1 − pad) + ky'] · W[P − 1 − ky'], so the fast forward kernel computes it.</summary>
    /// <remarks>With <paramref name="winograd"/> active, that convolution runs as Winograd on its flipped kernels.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientAsConvolution<TShape, TBlock>(ReadOnlySpan<float> flippedWeights, WinogradWeights<TShape>? winograd,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        Span<float> noBias = stackalloc float[TShape.InChannels];
        noBias.Clear();
        if (winograd is { ActiveBackward: true }) Winograd.ForwardBlocked<InputGradientShape<TShape>, StoreAsIs, TBlock>(outputGradient, winograd.InputGradient, noBias, inputGradient);
        else ForwardBlocked<InputGradientShape<TShape>, StoreAsIs, TBlock>(outputGradient, flippedWeights, noBias, inputGradient);
    }

    /// <summary>Strided: dIn[window(pixel) + tap, :] += Σ_o dOut[pixel, o] · W[tap, :, o], scattered into a padded
    /// scratch gradient. For each output pixel a group of taps (whole kernel rows, up to 28) is summed over the output
    /// channels in registers, one independent chain per tap, and then added into the input gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientBlocked<TShape, TBlock>(ReadOnlySpan<float> flippedWeights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, patch = TShape.Patch, stride = TShape.Stride, taps = patch * patch;
        var paddedGradient = Scratch.Gradient(Geometry<TShape>.PaddedLength);
        paddedGradient.Clear();
        ref var dx = ref MemoryMarshal.GetReference(paddedGradient);
        ref var wf = ref MemoryMarshal.GetReference(flippedWeights);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        var rowStep = Geometry<TShape>.PaddedWidth * ic;
        var tapRows = Blocking<TShape, TBlock>.TapRows;
        for (var block = 0; block < ic; block += Lanes)
        {
            for (var oy = 0; oy < TShape.OutHeight; oy++)
            {
                for (var ox = 0; ox < TShape.OutWidth; ox++)
                {
                    ref var gRow = ref Unsafe.Add(ref g, (oy * TShape.OutWidth + ox) * oc);
                    ref var window = ref Unsafe.Add(ref dx, oy * stride * rowStep + ox * stride * ic + block);
                    for (var ky = 0; ky < patch; ky += tapRows)
                    {
                        // Flipped, tap (ky, kx) is at index taps − 1 − (ky · patch + kx): the group's taps run backwards.
                        ref var wGroup = ref Unsafe.Add(ref wf, (taps - 1 - ky * patch) * oc * ic + block);
                        InputGradientTaps<TShape, TBlock>(ref gRow, ref wGroup, ref Unsafe.Add(ref window, ky * rowStep));
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

    /// <summary>For taps j = 0 … count − 1 of a group (tap j is kernel position (j / patch, j % patch) from the group's
    /// first row): t_j = Σ_o dOut[o] · W'[−j][o, 16 channels], then window[tap j] += t_j.</summary>
    /// <remarks>At 3,547 bytes of IL the JIT does not inline it: it must be compiled optimised from its first call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientTaps<TShape, TBlock>(ref float gRow, ref float wGroup, ref float window)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        // Constants of the layer, read once (see ForwardBlock).
        int count = Blocking<TShape, TBlock>.TapRows * TShape.Patch, oc = TShape.OutChannels, ic = TShape.InChannels, patch = TShape.Patch;
        int tapStep = oc * ic, rowStep = Geometry<TShape>.PaddedWidth * ic;

        TBlock t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default, t8 = default, t9 = default, t10 = default, t11 = default, t12 = default, t13 = default, t14 = default, t15 = default, t16 = default, t17 = default, t18 = default, t19 = default, t20 = default, t21 = default, t22 = default, t23 = default, t24 = default, t25 = default, t26 = default, t27 = default;
        for (var o = 0; o < oc; o++)
        {
            var gradient = TBlock.LoadBroadcast(in Unsafe.Add(ref gRow, o));
            ref var w = ref Unsafe.Add(ref wGroup, o * ic);
            t0 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref w), t0);
            if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) t1 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -1 * tapStep)), t1);
            if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) t2 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -2 * tapStep)), t2);
            if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) t3 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -3 * tapStep)), t3);
            if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) t4 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -4 * tapStep)), t4);
            if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) t5 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -5 * tapStep)), t5);
            if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) t6 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -6 * tapStep)), t6);
            if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) t7 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -7 * tapStep)), t7);
            if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) t8 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -8 * tapStep)), t8);
            if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) t9 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -9 * tapStep)), t9);
            if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) t10 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -10 * tapStep)), t10);
            if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) t11 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -11 * tapStep)), t11);
            if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) t12 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -12 * tapStep)), t12);
            if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) t13 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -13 * tapStep)), t13);
            if ((Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) t14 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -14 * tapStep)), t14);
            if ((Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) t15 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -15 * tapStep)), t15);
            if ((Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) t16 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -16 * tapStep)), t16);
            if ((Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) t17 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -17 * tapStep)), t17);
            if ((Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) t18 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -18 * tapStep)), t18);
            if ((Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) t19 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -19 * tapStep)), t19);
            if ((Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) t20 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -20 * tapStep)), t20);
            if ((Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) t21 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -21 * tapStep)), t21);
            if ((Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) t22 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -22 * tapStep)), t22);
            if ((Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) t23 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -23 * tapStep)), t23);
            if ((Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) t24 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -24 * tapStep)), t24);
            if ((Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) t25 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -25 * tapStep)), t25);
            if ((Narrow > 26 || typeof(TBlock) == typeof(Block512)) && count > 26) t26 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -26 * tapStep)), t26);
            if ((Narrow > 27 || typeof(TBlock) == typeof(Block512)) && count > 27) t27 = TBlock.MultiplyAdd(gradient, TBlock.Load(ref Unsafe.Add(ref w, -27 * tapStep)), t27);
        }
        AddTo(ref window, t0);
        if ((Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) AddTo(ref Unsafe.Add(ref window, BlockOffset(1, patch, rowStep, ic)), t1);
        if ((Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) AddTo(ref Unsafe.Add(ref window, BlockOffset(2, patch, rowStep, ic)), t2);
        if ((Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) AddTo(ref Unsafe.Add(ref window, BlockOffset(3, patch, rowStep, ic)), t3);
        if ((Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) AddTo(ref Unsafe.Add(ref window, BlockOffset(4, patch, rowStep, ic)), t4);
        if ((Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) AddTo(ref Unsafe.Add(ref window, BlockOffset(5, patch, rowStep, ic)), t5);
        if ((Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) AddTo(ref Unsafe.Add(ref window, BlockOffset(6, patch, rowStep, ic)), t6);
        if ((Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) AddTo(ref Unsafe.Add(ref window, BlockOffset(7, patch, rowStep, ic)), t7);
        if ((Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) AddTo(ref Unsafe.Add(ref window, BlockOffset(8, patch, rowStep, ic)), t8);
        if ((Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) AddTo(ref Unsafe.Add(ref window, BlockOffset(9, patch, rowStep, ic)), t9);
        if ((Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) AddTo(ref Unsafe.Add(ref window, BlockOffset(10, patch, rowStep, ic)), t10);
        if ((Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) AddTo(ref Unsafe.Add(ref window, BlockOffset(11, patch, rowStep, ic)), t11);
        if ((Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) AddTo(ref Unsafe.Add(ref window, BlockOffset(12, patch, rowStep, ic)), t12);
        if ((Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) AddTo(ref Unsafe.Add(ref window, BlockOffset(13, patch, rowStep, ic)), t13);
        if ((Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) AddTo(ref Unsafe.Add(ref window, BlockOffset(14, patch, rowStep, ic)), t14);
        if ((Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) AddTo(ref Unsafe.Add(ref window, BlockOffset(15, patch, rowStep, ic)), t15);
        if ((Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) AddTo(ref Unsafe.Add(ref window, BlockOffset(16, patch, rowStep, ic)), t16);
        if ((Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) AddTo(ref Unsafe.Add(ref window, BlockOffset(17, patch, rowStep, ic)), t17);
        if ((Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) AddTo(ref Unsafe.Add(ref window, BlockOffset(18, patch, rowStep, ic)), t18);
        if ((Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) AddTo(ref Unsafe.Add(ref window, BlockOffset(19, patch, rowStep, ic)), t19);
        if ((Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) AddTo(ref Unsafe.Add(ref window, BlockOffset(20, patch, rowStep, ic)), t20);
        if ((Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) AddTo(ref Unsafe.Add(ref window, BlockOffset(21, patch, rowStep, ic)), t21);
        if ((Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) AddTo(ref Unsafe.Add(ref window, BlockOffset(22, patch, rowStep, ic)), t22);
        if ((Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) AddTo(ref Unsafe.Add(ref window, BlockOffset(23, patch, rowStep, ic)), t23);
        if ((Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) AddTo(ref Unsafe.Add(ref window, BlockOffset(24, patch, rowStep, ic)), t24);
        if ((Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) AddTo(ref Unsafe.Add(ref window, BlockOffset(25, patch, rowStep, ic)), t25);
        if ((Narrow > 26 || typeof(TBlock) == typeof(Block512)) && count > 26) AddTo(ref Unsafe.Add(ref window, BlockOffset(26, patch, rowStep, ic)), t26);
        if ((Narrow > 27 || typeof(TBlock) == typeof(Block512)) && count > 27) AddTo(ref Unsafe.Add(ref window, BlockOffset(27, patch, rowStep, ic)), t27);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddTo<TBlock>(ref float target, TBlock value) where TBlock : unmanaged, IChannelBlock<TBlock> => (TBlock.Load(ref target) + value).Store(ref target);

    // ---------------------------------------------------------------------------------------------
    // Generic path: any channel count, any SIMD width (or none)
    // ---------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> output)
        where TShape : struct, IConv2DShape
    {
        if (input.Length != Geometry<TShape>.InputLength || weights.Length != Geometry<TShape>.WeightLength || output.Length != Geometry<TShape>.OutputLength)
            throw new ArgumentException($"Conv2D buffers ({input.Length}, {weights.Length}, {output.Length}) do not match shape {Geometry<TShape>.Text}.");
    }
}
