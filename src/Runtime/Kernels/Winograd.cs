using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Stride-1 5×5 convolutions as Winograd F(2×2, 5×5): each 2×2 block of outputs costs 36 multiply-adds per
/// (input channel, output channel) pair instead of 100, so such a layer does 2.8x fewer than the direct kernel. This
/// class is the entry point for every stride-1 Winograd pass: each pass over a result with a 4×4 tile goes on to
/// <see cref="Winograd4x4"/>'s F(4×4, 5×5), which does fewer still (where the machine has a fused multiply-add);
/// F(2×2, 5×5) keeps results two or three pixels a side and machines without. This class holds what the tile sizes
/// share, each written once over them: the walks over windows, kernels (G), products, output tiles and tile sums (Gᵀ),
/// the matrix products, and the forward pass's band loop and the weight gradient's steps.
///
/// With d a 6×6 input window and g a 5×5 kernel, the 2×2 outputs are Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. The matrices come
/// from Toom-Cook at the points 0, ±1, ±2 and ∞, the same points (and the same Bᵀ) as the widely used F(4×4, 3×3),
/// whose fp32 error is well studied. Over channels the elementwise product becomes 36 small matrix products,
/// M[position] = V[position] · U[position], with V the transformed windows (tiles × input channels) and U the
/// transformed kernels (input × output channels); that product is where the time goes, so it runs from registers
/// like the direct kernel's blocks.
///
/// The transformed kernels U depend only on the weights: <see cref="WinogradWeights{TShape}"/> keeps them, refreshed
/// once per call when the weights' bits changed. Sums run in a fixed order, so results are the same bits on every run;
/// they differ from the direct kernel's by rounding (within 1e-5 of the terms' magnitudes in Test_Winograd, 10–40 times
/// the direct kernel's error).</summary>
public static class Winograd
{
    internal const int Lanes = IChannelBlock<Block512>.Lanes;

    /// <summary>Outputs per tile side, window side (2 + 5 − 1) and positions of a transformed window.</summary>
    internal const int TileSide = 2, WindowSide = 6, Positions = WindowSide * WindowSide;

    /// <summary>Most tiles one register block of the matrix products holds: 26 accumulators beside the kernel row with
    /// AVX-512, what the register file holds elsewhere (<see cref="IChannelBlock{TSelf}.Accumulators"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MaxBlockTiles<TBlock>() where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Accumulators < 26 ? TBlock.Accumulators : 26;

    /// <summary>Fewest tiles a band of the forward pass holds (see <see cref="BandRows"/>): enough independent
    /// accumulators to cover the multiply-add's latency.</summary>
    private const int MinBandTiles = 6;

    /// <summary>True where a layer of this shape runs as Winograd: any SIMD width, stride 1, a 5×5 patch, channels in whole
    /// registers and at least one full tile of outputs. The generator keeps Winograd weights only for layers whose
    /// shape fits (the same <see cref="WinogradFit"/> rule).</summary>
    public static bool Applies<TShape>() where TShape : struct, IConv2DShape
        => Block128.IsAccelerated && Fits<TShape>();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Fits<TShape>() where TShape : struct, IConv2DShape
        => WinogradFit.TwoByTwoFiveByFive(TShape.Stride, TShape.Patch, TShape.InChannels, TShape.OutChannels, TShape.OutHeight, TShape.OutWidth);

    /// <summary>Whether the weight gradient gains from Winograd at this size. It sums N = Σ Vᵀ Ŷ over the tiles and
    /// then transforms N back once per image, a fixed cost. With 2×2 tiles that cost is about a third of the products'
    /// for a 16×16-channel layer of 7×7 outputs, whose 16 tiles also cover 64 pixels for 49: measured there (arch3's
    /// conv3) the direct kernel was faster, and at 14×14 (conv2) Winograd was. With 4×4 tiles the same layer's four
    /// tiles take 256 products a channel pair against the direct kernel's 1,225: its backward pass (the input gradient
    /// by F(4×4, 5×5) either way) went from 3.96 µs with the direct weight gradient to 3.27 (AVX2: 6.87 to 5.28).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool PaysForWeightGradient<TShape>() where TShape : struct, IConv2DShape
        => Winograd4x4.Runs<TShape>() || TShape.OutHeight * TShape.OutWidth >= 100;

    /// <summary>Floats of a layer's transformed kernels U: [position][input channel][output channel].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int TransformedLength<TShape>() where TShape : struct, IConv2DShape
        => Winograd4x4.Runs<TShape>() ? TransformedLength<TShape, Winograd4x4.FourByFour>() : TransformedLength<TShape, TwoByTwo>();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TransformedLength<TShape, TTiles>() where TShape : struct, IConv2DShape where TTiles : struct, IFiveByFiveTiles
        => TTiles.Side * TTiles.Side * TShape.InChannels * TShape.OutChannels;

    // ---------------------------------------------------------------------------------------------
    // Kernels: U = G g Gᵀ for every (input, output) channel pair, output channels in registers
    // ---------------------------------------------------------------------------------------------

    /// <summary>Writes U[position][c][o] = (G g Gᵀ)[position] with g[ky, kx] = W[ky, kx, c, o] (HWIO weights), 16 output
    /// channels at a time (<see cref="TransformKernels{TShape, TBlock, TTiles}"/>), with F(4×4, 5×5)'s G (8×5) where
    /// <see cref="Winograd4x4"/> runs, else F(2×2, 5×5)'s (6×5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformWeights<TShape>(ReadOnlySpan<float> weights, Span<float> transformed)
        where TShape : struct, IConv2DShape
    {
        if (Winograd4x4.Runs<TShape>()) TransformWeights<TShape, Winograd4x4.FourByFour>(weights, transformed);
        else TransformWeights<TShape, TwoByTwo>(weights, transformed);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformWeights<TShape, TTiles>(ReadOnlySpan<float> weights, Span<float> transformed)
        where TShape : struct, IConv2DShape where TTiles : struct, IFiveByFiveTiles
    {
        if (!Fits<TShape>()) throw new ArgumentException($"Winograd does not fit shape {Geometry<TShape>.Text}.");
        if (weights.Length != Geometry<TShape>.WeightLength || transformed.Length != TransformedLength<TShape, TTiles>())
            throw new ArgumentException($"Winograd weights ({weights.Length}, transformed {transformed.Length}) do not match shape {Geometry<TShape>.Text}.");
        if (Block512.IsAccelerated) TransformKernels<TShape, Block512, TTiles>(weights, transformed);
        else if (Block256.IsAccelerated) TransformKernels<TShape, Block256, TTiles>(weights, transformed);
        else TransformKernels<TShape, Block128, TTiles>(weights, transformed);
    }

    /// <summary>U[position][c][o] = (G g Gᵀ)[position] for every channel pair, 16 output channels at a time: G down the
    /// five kernel columns (into a side × 5 stack block), then across the window's rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformKernels<TShape, TBlock, TTiles>(ReadOnlySpan<float> weights, Span<float> transformed)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock> where TTiles : struct, IFiveByFiveTiles
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, side = TTiles.Side, tapStep = ic * oc, positionStep = ic * oc;
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var u = ref MemoryMarshal.GetReference(transformed);
        Span<TBlock> columns = stackalloc TBlock[8 * 5]; // [window row][kernel column], for sides up to 8
        ref var t = ref Unsafe.As<TBlock, float>(ref MemoryMarshal.GetReference(columns));
        for (var c = 0; c < ic; c++)
        {
            for (var o = 0; o < oc; o += Lanes)
            {
                ref var kernel = ref Unsafe.Add(ref w, c * oc + o);
                for (var kx = 0; kx < 5; kx++) TTiles.Kernel<TBlock>(ref Unsafe.Add(ref kernel, kx * tapStep), (nuint)(5 * tapStep), ref Unsafe.Add(ref t, kx * Lanes), 5 * Lanes);
                ref var target = ref Unsafe.Add(ref u, c * oc + o);
                for (var i = 0; i < side; i++) TTiles.Kernel<TBlock>(ref Unsafe.Add(ref t, i * 5 * Lanes), Lanes, ref Unsafe.Add(ref target, i * side * positionStep), (nuint)positionStep);
            }
        }
    }

    /// <summary>Six transformed values into floats <paramref name="step"/> apart: a row of six positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreSix<TBlock>(ref float target, int step,
        TBlock u0, TBlock u1, TBlock u2, TBlock u3, TBlock u4, TBlock u5)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        u0.Store(ref target);
        u1.Store(ref target, (nuint)step);
        u2.Store(ref target, (nuint)(2 * step));
        u3.Store(ref target, (nuint)(3 * step));
        u4.Store(ref target, (nuint)(4 * step));
        u5.Store(ref target, (nuint)(5 * step));
    }

    /// <summary>G k for five kernel values: their values at the points 0, 1, −1, 2, −2 and ∞, scaled so that Bᵀ is
    /// integral (G's rows: [1/4 0 0 0 0], [1 1 1 1 1]/6, [1 −1 1 −1 1]/6, [1 2 4 8 16]/24, [1 −2 4 −8 16]/24,
    /// [0 0 0 0 1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelSix<TBlock>(TBlock k0, TBlock k1, TBlock k2, TBlock k3, TBlock k4,
        out TBlock u0, out TBlock u1, out TBlock u2, out TBlock u3, out TBlock u4, out TBlock u5)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var sixth = TBlock.Broadcast(1f / 6);
        var twentyFourth = TBlock.Broadcast(1f / 24);
        TBlock even = k0 + k2 + k4, odd = k1 + k3;
        var evenPowers = TBlock.MultiplyAdd(TBlock.Broadcast(16f), k4, TBlock.MultiplyAdd(TBlock.Broadcast(4f), k2, k0));
        var oddPowers = TBlock.MultiplyAdd(TBlock.Broadcast(8f), k3, k1 + k1);
        u0 = TBlock.Broadcast(1f / 4) * k0;
        u1 = sixth * (even + odd);
        u2 = sixth * (even - odd);
        u3 = twentyFourth * (evenPowers + oddPowers);
        u4 = twentyFourth * (evenPowers - oddPowers);
        u5 = k4;
    }

    // ---------------------------------------------------------------------------------------------
    // Forward
    // ---------------------------------------------------------------------------------------------

    /// <summary>Tiles of <paramref name="tileSide"/> outputs a side per column and row. In the forward pass the last one
    /// overlaps the one before where the output is not a multiple of the side (outputs are pure, so a pixel computed
    /// twice is written twice with the same value); in the weight gradient it reads zeros past the edge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TilesDown<T>(int tileSide) where T : struct, IConv2DShape => (T.OutHeight + tileSide - 1) / tileSide;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TilesAcross<T>(int tileSide) where T : struct, IConv2DShape => (T.OutWidth + tileSide - 1) / tileSide;

    /// <summary>The sizes of a stride-1 layer's matrix products in the forward pass: its input channels, output channels,
    /// the tile size's positions and the tiles of a band.</summary>
    private readonly struct StrideOneProducts<T, TTiles> : IWinogradProducts where T : struct, IConv2DShape where TTiles : struct, IFiveByFiveTiles
    {
        public static int Channels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.InChannels; }
        public static int OutChannels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutChannels; }
        public static int Positions { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => TTiles.Side * TTiles.Side; }
        public static int BandTiles
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => BandRows(TilesDown<T>(TTiles.TileSide), TilesAcross<T>(TTiles.TileSide)) * TilesAcross<T>(TTiles.TileSide);
        }
    }

    /// <summary>The same for the weight gradient, which sums every tile of the layer at once.</summary>
    private readonly struct AllTiles<T, TTiles> : IWinogradProducts where T : struct, IConv2DShape where TTiles : struct, IFiveByFiveTiles
    {
        public static int Channels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.InChannels; }
        public static int OutChannels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutChannels; }
        public static int Positions { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => TTiles.Side * TTiles.Side; }
        public static int BandTiles { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => TilesDown<T>(TTiles.TileSide) * TilesAcross<T>(TTiles.TileSide); }
    }

    /// <summary>Rows of tiles the forward pass transforms, multiplies and transforms back at a time: the fewest that
    /// hold <see cref="MinBandTiles"/>. A band's transformed windows stay in the L1 cache between the window transform
    /// that writes them and the products that read them (arch2's conv2: 16 KB a row); the whole layer's at once (113 KB)
    /// went to L2 and back, and the transform took 3.4 µs of the layer's 12.5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BandRows(int down, int across) => Math.Min(down, (MinBandTiles + across - 1) / across);

    /// <summary>A count that is a constant of the layer (see <see cref="ProductBlock{TProducts, TCount, TBlock}"/>).</summary>
    private interface ITileCount
    {
        static abstract int Value { get; }
    }

    /// <summary>The matrix products' register block: tiles split into equal parts of at most <see cref="MaxBlockTiles"/>.</summary>
    private readonly struct BlockTiles<TProducts, TBlock> : ITileCount where TProducts : struct, IWinogradProducts where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        private static int Parts { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (TProducts.BandTiles + MaxBlockTiles<TBlock>() - 1) / MaxBlockTiles<TBlock>(); }

        public static int Value { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (TProducts.BandTiles + Parts - 1) / Parts; }
    }

    /// <summary>output = activation(conv(input, W) + bias), with <paramref name="transformed"/> the kernels as
    /// <see cref="TransformWeights{TShape}"/> wrote them. Needs <see cref="Applies{TShape}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TShape, TActivation>(ReadOnlySpan<float> input, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation
    {
        if (Block512.IsAccelerated) ForwardBlocked<TShape, TActivation, Block512>(input, transformed, bias, output);
        else if (Block256.IsAccelerated) ForwardBlocked<TShape, TActivation, Block256>(input, transformed, bias, output);
        else ForwardBlocked<TShape, TActivation, Block128>(input, transformed, bias, output);
    }

    /// <summary>The forward pass at one SIMD width: F(4×4, 5×5) where the output holds a 4×4 tile
    /// (<see cref="Winograd4x4"/>), else F(2×2, 5×5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardBlocked<TShape, TActivation, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        if (!Applies<TShape>()) throw new InvalidOperationException($"Winograd does not run shape {Geometry<TShape>.Text} on this machine.");
        if (Winograd4x4.Runs<TShape>()) ForwardBlocked<TShape, TActivation, TBlock, Winograd4x4.FourByFour>(input, transformed, bias, output);
        else ForwardBlocked<TShape, TActivation, TBlock, TwoByTwo>(input, transformed, bias, output);
    }

    /// <summary>The forward pass with tiles of <typeparamref name="TTiles"/>'s size, in bands of tile rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlocked<TShape, TActivation, TBlock, TTiles>(ReadOnlySpan<float> input, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
        where TTiles : struct, IFiveByFiveTiles
    {
        if (input.Length != Geometry<TShape>.InputLength || transformed.Length != TransformedLength<TShape, TTiles>()
            || output.Length != Geometry<TShape>.OutputLength || bias.Length != TShape.OutChannels)
            throw new ArgumentException($"Winograd buffers ({input.Length}, {transformed.Length}, {bias.Length}, {output.Length}) do not match shape {Geometry<TShape>.Text}.");

        int ic = TShape.InChannels, oc = TShape.OutChannels, positions = TTiles.Side * TTiles.Side;
        int down = TilesDown<TShape>(TTiles.TileSide), rows = BandRows(down, TilesAcross<TShape>(TTiles.TileSide));
        var bandTiles = StrideOneProducts<TShape, TTiles>.BandTiles;
        var windows = Scratch.Winograd(positions * bandTiles * (ic + oc));
        var v = windows.Slice(0, positions * bandTiles * ic); // [tile][16-channel group][position][16 channels]
        var m = windows.Slice(v.Length);                      // [tile][position][output channel]
        for (var first = 0; first < down; first += rows)
        {
            // A last band past the bottom moves up, recomputing rows the band before wrote (with the same values).
            var top = Math.Min(first, down - rows);
            TransformWindows<TShape, TBlock, TTiles>(input, v, TTiles.TileSide, overlapLast: true, top, rows);
            Products<StrideOneProducts<TShape, TTiles>, TBlock>(v, transformed, m);
            TTiles.TransformOutputs<TShape, TActivation, TBlock>(m, bias, output, top, rows);
        }
    }

    /// <summary>M[tile][position] = V[tile][position] · U[position] for every position of the transformed windows V and
    /// kernels U ([position][channel][output channel]), into M ([tile][position][output channel]): the 36 matrix products
    /// where a Winograd layer spends most of its time, in register blocks of tiles. V is laid out
    /// [tile][16-channel group][position][16 channels] (<see cref="WindowOffset"/>), so the window transform writes each
    /// tile's 36 positions of a channel group as one contiguous run: laid out by position first, its stores strayed a
    /// kilobyte or more apart and missed the L1 cache, which took the strided layer's transform from 1.1 to 2.0 µs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Products<TProducts, TBlock>(ReadOnlySpan<float> v, ReadOnlySpan<float> transformed, Span<float> m)
        where TProducts : struct, IWinogradProducts where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int channels = TProducts.Channels, oc = TProducts.OutChannels, tiles = TProducts.BandTiles, block = BlockTiles<TProducts, TBlock>.Value;
        var positions = TProducts.Positions;
        ref var u = ref MemoryMarshal.GetReference(transformed);
        ref var vr = ref MemoryMarshal.GetReference(v);
        for (var position = 0; position < positions; position++)
        {
            for (var o = 0; o < oc; o += Lanes)
            {
                for (var first = 0; first < tiles; first += block)
                {
                    var t = Math.Min(first, tiles - block);
                    ref var vt = ref Unsafe.Add(ref vr, WindowOffset(t, 0, channels, positions) + position * Lanes);
                    ref var ut = ref Unsafe.Add(ref u, position * channels * oc + o);
                    ref var mt = ref Simd.At(m, (t * positions + position) * oc + o);
                    if (typeof(TBlock) == typeof(Block512) && block <= MaxPairedTiles)
                        ProductBlockPaired<TProducts, BlockTiles<TProducts, TBlock>, TBlock>(ref vt, ref ut, ref mt);
                    else ProductBlock<TProducts, BlockTiles<TProducts, TBlock>, TBlock>(ref vt, ref ut, ref mt);
                }
            }
        }
    }

    /// <summary>Where tile <paramref name="tile"/>'s window values of channels <paramref name="channel"/>…+15 (a multiple of
    /// 16) start in V: positions follow, 16 floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WindowOffset(int tile, int channel, int channels, int positions) => (tile * channels + channel) * positions;

    /// <summary>V[tile][c / 16][position][c % 16] = (Bᵀ d B)[position] for every tile's window d (<typeparamref name="TWindow"/>'s side, tiles
    /// <paramref name="tileSide"/> outputs a side), 16 channels at a time. At stride 2 the windows are those of the four pixel phase images (see
    /// <see cref="StridedWinograd"/>), two input pixels apart, and channel c of phase (py, px) is py·2 + px input
    /// channel blocks further: c' = (2 py + px)·InChannels + c.
    ///
    /// For each row of tiles (and row phase), Bᵀ runs down every padded column once (neighbouring tiles share columns;
    /// both column phases), into a scratch block of <typeparamref name="TWindow"/>'s side of transformed rows; then Bᵀ across each tile's part of those rows
    /// (every second value at stride 2, once per column phase). The input is read where it is, zeros standing in for the
    /// padding: copying it into a zeroed padded image first cost 0.36 µs of the strided layer's 4.4. With
    /// <paramref name="overlapLast"/> a last tile past an edge that is not a multiple of the tile side moves back (the
    /// forward pass); without, it reads zeros
    /// past the edge (the weight gradient, where a pixel counted twice would be summed twice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformWindows<TShape, TBlock, TWindow>(ReadOnlySpan<float> input, Span<float> v, int tileSide, bool overlapLast, int firstRow, int rows)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock> where TWindow : struct, IWindowTransform
    {
        int side = TWindow.Side, positions = side * side;
        int stride = TShape.Stride, ic = TShape.InChannels, channels = stride * stride * ic, rowStep = TShape.InWidth * ic;
        var across = (TShape.OutWidth + tileSide - 1) / tileSide;
        int lastTop = overlapLast ? TShape.OutHeight - tileSide : int.MaxValue, lastLeft = overlapLast ? TShape.OutWidth - tileSide : int.MaxValue;
        // The padded columns the last tile's window reaches, at every phase.
        int columns = stride * (Math.Min((across - 1) * tileSide, lastLeft) + side), rowsStep = columns * Lanes;
        ref var x = ref MemoryMarshal.GetReference(input);
        ref var target = ref MemoryMarshal.GetReference(v);
        ref var t = ref MemoryMarshal.GetReference(Scratch.WinogradRows(side * rowsStep)); // [row i][padded column][16 channels]
        ref readonly var zeros = ref MemoryMarshal.GetReference(Scratch.Zeros(rowStep));
        for (var ty = firstRow; ty < firstRow + rows; ty++)
        {
            var oy = Math.Min(ty * tileSide, lastTop);
            for (var py = 0; py < stride; py++)
            {
                // The window's rows, stride rows apart; one in the padding reads a row of zeros instead, and a column
                // in the padding transforms to zeros. A six-point transform never reads the last two.
                ref readonly var r0 = ref InputRow<TShape>(ref x, in zeros, oy, py, 0);
                ref readonly var r1 = ref InputRow<TShape>(ref x, in zeros, oy, py, 1);
                ref readonly var r2 = ref InputRow<TShape>(ref x, in zeros, oy, py, 2);
                ref readonly var r3 = ref InputRow<TShape>(ref x, in zeros, oy, py, 3);
                ref readonly var r4 = ref InputRow<TShape>(ref x, in zeros, oy, py, 4);
                ref readonly var r5 = ref InputRow<TShape>(ref x, in zeros, oy, py, 5);
                ref readonly var r6 = ref side > 6 ? ref InputRow<TShape>(ref x, in zeros, oy, py, 6) : ref zeros;
                ref readonly var r7 = ref side > 6 ? ref InputRow<TShape>(ref x, in zeros, oy, py, 7) : ref zeros;
                for (var c = 0; c < ic; c += Lanes)
                {
                    for (var column = 0; column < columns; column++)
                    {
                        var ix = column - TShape.PadLeft;
                        ref var columnTarget = ref Unsafe.Add(ref t, column * Lanes);
                        if ((uint)ix >= (uint)TShape.InWidth)
                        {
                            for (var i = 0; i < side; i++) TBlock.Zero.Store(ref columnTarget, (nuint)(i * rowsStep));
                            continue;
                        }
                        var offset = (nuint)(ix * ic + c);
                        TWindow.Column<TBlock>(in r0, in r1, in r2, in r3, in r4, in r5, in r6, in r7, offset, ref columnTarget, rowsStep);
                    }
                    for (var tx = 0; tx < across; tx++)
                    {
                        var ox = Math.Min(tx * tileSide, lastLeft);
                        for (var px = 0; px < stride; px++)
                        {
                            ref var tileTarget = ref Unsafe.Add(ref target, WindowOffset((ty - firstRow) * across + tx, (stride * py + px) * ic + c, channels, positions));
                            for (var i = 0; i < side; i++)
                            {
                                ref var row = ref Unsafe.Add(ref t, i * rowsStep + (stride * ox + px) * Lanes);
                                TWindow.Row<TBlock>(ref row, (nuint)(stride * Lanes), ref Unsafe.Add(ref tileTarget, i * side * Lanes), Lanes);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Input row k of the window at output row <paramref name="oy"/> (row phase <paramref name="py"/>), or the
    /// row of zeros where it falls in the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref readonly float InputRow<TShape>(ref float x, ref readonly float zeros, int oy, int py, int k) where TShape : struct, IConv2DShape
    {
        var iy = TShape.Stride * (oy + k) + py - TShape.PadTop;
        return ref (uint)iy < (uint)TShape.InHeight ? ref Unsafe.Add(ref x, iy * TShape.InWidth * TShape.InChannels) : ref zeros;
    }

    /// <summary>Bᵀ d for six values d0…d5 (rows of Bᵀ: [4 0 −5 0 1 0], [0 4 4 −1 −1 0], [0 −4 4 1 −1 0],
    /// [0 −2 −1 2 1 0], [0 2 −1 −2 1 0], [0 4 0 −5 0 1]), into floats <paramref name="step"/> apart.</summary>
    /// <remarks>Rows 1 and 2 are (4 d2 − d4) ± (4 d1 − d3), rows 3 and 4 are (d4 − d2) ± 2 (d3 − d1): each pair shares
    /// its two halves. That is 15 operations instead of 17 with a fused multiply-add, and 19 instead of 25 without one
    /// (128-bit x64, WebAssembly), where this transform took 6.9x its AVX-512 time in arch3's conv2 (products: 3.6x).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void TransformSixTo<TBlock>(TBlock d0, TBlock d1, TBlock d2, TBlock d3, TBlock d4, TBlock d5,
        ref float target, int step)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var four = TBlock.Broadcast(4f);
        var five = TBlock.Broadcast(5f);
        TBlock.MultiplyAdd(four, d0, TBlock.MultiplyAdd(-five, d2, d4)).Store(ref target);
        var outer = four * d2 - d4;
        var inner = four * d1 - d3;
        (outer + inner).Store(ref target, (nuint)step);
        (outer - inner).Store(ref target, (nuint)(2 * step));
        var even = d4 - d2;
        var odd = d3 - d1;
        odd += odd;
        (even + odd).Store(ref target, (nuint)(3 * step));
        (even - odd).Store(ref target, (nuint)(4 * step));
        TBlock.MultiplyAdd(four, d1, TBlock.MultiplyAdd(-five, d3, d5)).Store(ref target, (nuint)(5 * step));
    }

    /// <summary>F(2×2, 5×5) as the drivers above take it: its six-point windows (<see cref="TransformSixTo"/>, which the
    /// strided F(4×4, 3×3) shares), and the transforms on each side of the products.</summary>
    internal readonly struct TwoByTwo : IFiveByFiveTiles
    {
        public static int Side => WindowSide;
        public static int TileSide => Winograd.TileSide;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Column<TBlock>(ref readonly float r0, ref readonly float r1, ref readonly float r2, ref readonly float r3,
            ref readonly float r4, ref readonly float r5, ref readonly float r6, ref readonly float r7, nuint offset, ref float target, int step)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => TransformSixTo(TBlock.Load(in r0, offset), TBlock.Load(in r1, offset), TBlock.Load(in r2, offset),
                TBlock.Load(in r3, offset), TBlock.Load(in r4, offset), TBlock.Load(in r5, offset), ref target, step);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row<TBlock>(ref float row, nuint apart, ref float target, int step)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => TransformSixTo(TBlock.Load(ref row), TBlock.Load(ref row, apart), TBlock.Load(ref row, 2 * apart),
                TBlock.Load(ref row, 3 * apart), TBlock.Load(ref row, 4 * apart), TBlock.Load(ref row, 5 * apart), ref target, step);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Kernel<TBlock>(ref float first, nuint apart, ref float target, nuint step)
            where TBlock : unmanaged, IChannelBlock<TBlock>
        {
            KernelSix(TBlock.Load(ref first), TBlock.Load(ref first, apart), TBlock.Load(ref first, 2 * apart), TBlock.Load(ref first, 3 * apart),
                TBlock.Load(ref first, 4 * apart), out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
            StoreSix(ref target, (int)step, u0, u1, u2, u3, u4, u5);
        }

        public static void TransformOutputs<TShape, TActivation, TBlock>(Span<float> m, ReadOnlySpan<float> bias, Span<float> output, int firstRow, int rows)
            where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
            => Winograd.TransformOutputs<TShape, TActivation, TBlock>(m, bias, output, firstRow, rows);

        public static void TransformOutputGradients<TShape, TBlock>(ReadOnlySpan<float> outputGradient, Span<float> target)
            where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
            => Winograd.TransformOutputGradients<TShape, TBlock>(outputGradient, target);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void KernelAdjoint<TBlock>(ref float first, nuint apart, out TBlock k0, out TBlock k1, out TBlock k2, out TBlock k3, out TBlock k4)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => InverseSix(TBlock.Load(ref first), TBlock.Load(ref first, apart), TBlock.Load(ref first, 2 * apart), TBlock.Load(ref first, 3 * apart),
                TBlock.Load(ref first, 4 * apart), TBlock.Load(ref first, 5 * apart), out k0, out k1, out k2, out k3, out k4);
    }

    /// <summary>Blocks of at most this many tiles take <see cref="ProductBlockPaired"/> on AVX-512.</summary>
    private const int MaxPairedTiles = 6;

    /// <summary><see cref="ProductBlock"/> for a block of few tiles with AVX-512: each tile sums its even and its odd
    /// channels in two accumulators, added at the end. With one accumulator a tile, a block of four tiles (arch1's strided
    /// layer: a 7×7 output is four 4×4 tiles) is four chains of dependent multiply-adds, and the multiply-add's latency
    /// (4 cycles on each of 2 pipes, so 8 chains to fill them) held the products to about half the ceiling: they took
    /// 2.07 µs at AVX-512 against 2.51 at AVX2, which has two registers a block and so twice the chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductBlockPaired<TProducts, TCount, TBlock>(ref float v, ref float u, ref float m)
        where TProducts : struct, IWinogradProducts where TCount : struct, ITileCount where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int count = TCount.Value, ic = TProducts.Channels, oc = TProducts.OutChannels, mStep = TProducts.Positions * oc, tileStep = WindowOffset(1, 0, ic, TProducts.Positions);
        TBlock a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        TBlock b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
        for (var c = 0; c < ic; c += 2) // channels c and c + 1 are neighbours in V: ic is a multiple of 16
        {
            var even = TBlock.Load(ref u, (nuint)(c * oc));
            var odd = TBlock.Load(ref u, (nuint)((c + 1) * oc));
            ref var vc = ref Unsafe.Add(ref v, WindowOffset(0, c & ~(Lanes - 1), ic, TProducts.Positions) + (c & (Lanes - 1)));
            a0 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in vc), even, a0);
            b0 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 1)), odd, b0);
            if (count > 1)
            {
                a1 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 1 * tileStep)), even, a1);
                b1 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 1 * tileStep + 1)), odd, b1);
            }
            if (count > 2)
            {
                a2 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 2 * tileStep)), even, a2);
                b2 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 2 * tileStep + 1)), odd, b2);
            }
            if (count > 3)
            {
                a3 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 3 * tileStep)), even, a3);
                b3 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 3 * tileStep + 1)), odd, b3);
            }
            if (count > 4)
            {
                a4 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 4 * tileStep)), even, a4);
                b4 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 4 * tileStep + 1)), odd, b4);
            }
            if (count > 5)
            {
                a5 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 5 * tileStep)), even, a5);
                b5 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 5 * tileStep + 1)), odd, b5);
            }
        }
        (a0 + b0).Store(ref m);
        if (count > 1) (a1 + b1).Store(ref m, (nuint)(1 * mStep));
        if (count > 2) (a2 + b2).Store(ref m, (nuint)(2 * mStep));
        if (count > 3) (a3 + b3).Store(ref m, (nuint)(3 * mStep));
        if (count > 4) (a4 + b4).Store(ref m, (nuint)(4 * mStep));
        if (count > 5) (a5 + b5).Store(ref m, (nuint)(5 * mStep));
    }

    /// <summary>M[t + k][position][16 channels] = Σ_c V[t + k][c][position] · U[position][c][16 channels] for the
    /// block's tiles k: each kernel row is loaded once for all of them, and each tile's value is broadcast into its
    /// multiply-add. The block size is a constant of the layer, so the JIT drops the accumulators past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductBlock<TProducts, TCount, TBlock>(ref float v, ref float u, ref float m)
        where TProducts : struct, IWinogradProducts where TCount : struct, ITileCount where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        // Constants of the layer, read once (see Conv2D.ForwardBlock).
        int count = TCount.Value, ic = TProducts.Channels, oc = TProducts.OutChannels, mStep = TProducts.Positions * oc, tileStep = WindowOffset(1, 0, ic, TProducts.Positions);
        TBlock a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default, a17 = default, a18 = default, a19 = default, a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default;
        for (var c = 0; c < ic; c++)
        {
            var row = TBlock.Load(ref u, (nuint)(c * oc));
            ref var vc = ref Unsafe.Add(ref v, WindowOffset(0, c & ~(Lanes - 1), ic, TProducts.Positions) + (c & (Lanes - 1)));
            a0 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in vc), row, a0);
            if ((Conv2D.Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 1 * tileStep)), row, a1);
            if ((Conv2D.Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 2 * tileStep)), row, a2);
            if ((Conv2D.Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 3 * tileStep)), row, a3);
            if ((Conv2D.Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 4 * tileStep)), row, a4);
            if ((Conv2D.Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 5 * tileStep)), row, a5);
            if ((Conv2D.Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 6 * tileStep)), row, a6);
            if ((Conv2D.Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 7 * tileStep)), row, a7);
            if ((Conv2D.Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 8 * tileStep)), row, a8);
            if ((Conv2D.Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 9 * tileStep)), row, a9);
            if ((Conv2D.Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 10 * tileStep)), row, a10);
            if ((Conv2D.Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 11 * tileStep)), row, a11);
            if ((Conv2D.Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 12 * tileStep)), row, a12);
            if ((Conv2D.Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 13 * tileStep)), row, a13);
            if ((Conv2D.Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 14 * tileStep)), row, a14);
            if ((Conv2D.Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 15 * tileStep)), row, a15);
            if ((Conv2D.Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) a16 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 16 * tileStep)), row, a16);
            if ((Conv2D.Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) a17 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 17 * tileStep)), row, a17);
            if ((Conv2D.Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) a18 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 18 * tileStep)), row, a18);
            if ((Conv2D.Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) a19 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 19 * tileStep)), row, a19);
            if ((Conv2D.Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) a20 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 20 * tileStep)), row, a20);
            if ((Conv2D.Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) a21 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 21 * tileStep)), row, a21);
            if ((Conv2D.Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) a22 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 22 * tileStep)), row, a22);
            if ((Conv2D.Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) a23 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 23 * tileStep)), row, a23);
            if ((Conv2D.Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) a24 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 24 * tileStep)), row, a24);
            if ((Conv2D.Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) a25 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vc, 25 * tileStep)), row, a25);
        }
        a0.Store(ref m);
        if ((Conv2D.Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1.Store(ref m, (nuint)(1 * mStep));
        if ((Conv2D.Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2.Store(ref m, (nuint)(2 * mStep));
        if ((Conv2D.Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3.Store(ref m, (nuint)(3 * mStep));
        if ((Conv2D.Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4.Store(ref m, (nuint)(4 * mStep));
        if ((Conv2D.Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5.Store(ref m, (nuint)(5 * mStep));
        if ((Conv2D.Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6.Store(ref m, (nuint)(6 * mStep));
        if ((Conv2D.Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7.Store(ref m, (nuint)(7 * mStep));
        if ((Conv2D.Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8.Store(ref m, (nuint)(8 * mStep));
        if ((Conv2D.Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9.Store(ref m, (nuint)(9 * mStep));
        if ((Conv2D.Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10.Store(ref m, (nuint)(10 * mStep));
        if ((Conv2D.Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11.Store(ref m, (nuint)(11 * mStep));
        if ((Conv2D.Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12.Store(ref m, (nuint)(12 * mStep));
        if ((Conv2D.Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13.Store(ref m, (nuint)(13 * mStep));
        if ((Conv2D.Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14.Store(ref m, (nuint)(14 * mStep));
        if ((Conv2D.Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15.Store(ref m, (nuint)(15 * mStep));
        if ((Conv2D.Narrow > 16 || typeof(TBlock) == typeof(Block512)) && count > 16) a16.Store(ref m, (nuint)(16 * mStep));
        if ((Conv2D.Narrow > 17 || typeof(TBlock) == typeof(Block512)) && count > 17) a17.Store(ref m, (nuint)(17 * mStep));
        if ((Conv2D.Narrow > 18 || typeof(TBlock) == typeof(Block512)) && count > 18) a18.Store(ref m, (nuint)(18 * mStep));
        if ((Conv2D.Narrow > 19 || typeof(TBlock) == typeof(Block512)) && count > 19) a19.Store(ref m, (nuint)(19 * mStep));
        if ((Conv2D.Narrow > 20 || typeof(TBlock) == typeof(Block512)) && count > 20) a20.Store(ref m, (nuint)(20 * mStep));
        if ((Conv2D.Narrow > 21 || typeof(TBlock) == typeof(Block512)) && count > 21) a21.Store(ref m, (nuint)(21 * mStep));
        if ((Conv2D.Narrow > 22 || typeof(TBlock) == typeof(Block512)) && count > 22) a22.Store(ref m, (nuint)(22 * mStep));
        if ((Conv2D.Narrow > 23 || typeof(TBlock) == typeof(Block512)) && count > 23) a23.Store(ref m, (nuint)(23 * mStep));
        if ((Conv2D.Narrow > 24 || typeof(TBlock) == typeof(Block512)) && count > 24) a24.Store(ref m, (nuint)(24 * mStep));
        if ((Conv2D.Narrow > 25 || typeof(TBlock) == typeof(Block512)) && count > 25) a25.Store(ref m, (nuint)(25 * mStep));
    }

    /// <summary>Y = Aᵀ M A for every tile of the band of <paramref name="rows"/> tile rows from <paramref name="firstRow"/>
    /// (rows of Aᵀ: [1 1 1 1 1 0], [0 1 −1 2 −2 1]), plus bias, through the activation, into the tile's 2×2 output pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutputs<TShape, TActivation, TBlock>(Span<float> m, ReadOnlySpan<float> bias, Span<float> output, int firstRow, int rows)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int oc = TShape.OutChannels, across = TilesAcross<TShape>(TileSide), tiles = rows * across, outWidth = TShape.OutWidth;
        ref var source = ref MemoryMarshal.GetReference(m);
        ref var b = ref MemoryMarshal.GetReference(bias);
        ref var y = ref MemoryMarshal.GetReference(output);
        var two = TBlock.Broadcast(2f);
        for (var tile = 0; tile < tiles; tile++)
        {
            var oy = Math.Min((firstRow + tile / across) * TileSide, TShape.OutHeight - TileSide);
            var ox = Math.Min(tile % across * TileSide, TShape.OutWidth - TileSide);
            for (var o = 0; o < oc; o += Lanes)
            {
                ref var tileM = ref Unsafe.Add(ref source, tile * Positions * oc + o);
                // Aᵀ applied to each row i of M: r0[i] = Σ_{j<5} M[i][j], r1[i] = M[i][1] − M[i][2] + 2 (M[i][3] − M[i][4]) + M[i][5].
                TBlock top0 = default, top1 = default, bottom0 = default, bottom1 = default;
                for (var i = 0; i < WindowSide; i++)
                {
                    ref var row = ref Unsafe.Add(ref tileM, i * WindowSide * oc);
                    var m0 = TBlock.Load(ref row);
                    var m1 = TBlock.Load(ref row, (nuint)oc);
                    var m2 = TBlock.Load(ref row, (nuint)(2 * oc));
                    var m3 = TBlock.Load(ref row, (nuint)(3 * oc));
                    var m4 = TBlock.Load(ref row, (nuint)(4 * oc));
                    var m5 = TBlock.Load(ref row, (nuint)(5 * oc));
                    var r0 = m0 + (m1 + m2) + (m3 + m4);
                    var r1 = TBlock.MultiplyAdd(two, m3 - m4, m1 - m2 + m5);
                    // Then Aᵀ down the columns: row 0 of the output sums rows 0…4, row 1 weighs them 0, 1, −1, 2, −2, 1.
                    switch (i)
                    {
                        case 0: top0 = r0; top1 = r1; break;
                        case 1: top0 += r0; top1 += r1; bottom0 = r0; bottom1 = r1; break;
                        case 2: top0 += r0; top1 += r1; bottom0 -= r0; bottom1 -= r1; break;
                        case 3: top0 += r0; top1 += r1; bottom0 = TBlock.MultiplyAdd(two, r0, bottom0); bottom1 = TBlock.MultiplyAdd(two, r1, bottom1); break;
                        case 4: top0 += r0; top1 += r1; bottom0 = TBlock.MultiplyAdd(-two, r0, bottom0); bottom1 = TBlock.MultiplyAdd(-two, r1, bottom1); break;
                        default: bottom0 += r0; bottom1 += r1; break;
                    }
                }
                var biasRow = TBlock.Load(ref b, (nuint)o);
                ref var pixel = ref Unsafe.Add(ref y, (oy * outWidth + ox) * oc + o);
                TActivation.Apply(top0 + biasRow).Store(ref pixel);
                TActivation.Apply(top1 + biasRow).Store(ref pixel, (nuint)oc);
                TActivation.Apply(bottom0 + biasRow).Store(ref pixel, (nuint)(outWidth * oc));
                TActivation.Apply(bottom1 + biasRow).Store(ref pixel, (nuint)((outWidth + 1) * oc));
            }
        }
    }

    /// <summary>Y = Aᵀ M A for every 4×4-output tile of the band of <paramref name="rows"/> tile rows from
    /// <paramref name="firstRow"/>, plus bias, through the activation: Aᵀ across each of M's rows (into a stack block of
    /// side × 4), then down each of the four columns. Both forms with 4×4 tiles store this way: F(4×4, 5×5)
    /// (<see cref="Winograd4x4"/>, eight points) and the strided F(4×4, 3×3) (<see cref="StridedWinograd"/>, six).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformFourByFourOutputs<TShape, TActivation, TBlock, TOutputs>(Span<float> m, ReadOnlySpan<float> bias, Span<float> output,
        int firstRow, int rows)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
        where TOutputs : struct, IFourOutputs
    {
        const int tileSide = 4;
        int oc = TShape.OutChannels, side = TOutputs.Side, across = TilesAcross<TShape>(tileSide), tiles = rows * across;
        int outWidth = TShape.OutWidth, rowStep = outWidth * oc;
        ref var source = ref MemoryMarshal.GetReference(m);
        ref var b = ref MemoryMarshal.GetReference(bias);
        ref var y = ref MemoryMarshal.GetReference(output);
        Span<TBlock> block = stackalloc TBlock[8 * tileSide]; // [row i][output column], for sides up to 8
        ref var r = ref MemoryMarshal.GetReference(block);
        ref var rFloats = ref Unsafe.As<TBlock, float>(ref r);
        for (var tile = 0; tile < tiles; tile++)
        {
            var oy = Math.Min((firstRow + tile / across) * tileSide, TShape.OutHeight - tileSide);
            var ox = Math.Min(tile % across * tileSide, TShape.OutWidth - tileSide);
            for (var o = 0; o < oc; o += Lanes)
            {
                ref var tileM = ref Unsafe.Add(ref source, tile * side * side * oc + o);
                for (var i = 0; i < side; i++)
                {
                    TOutputs.OutputFour(ref Unsafe.Add(ref tileM, i * side * oc), (nuint)oc,
                        out Unsafe.Add(ref r, i * tileSide), out Unsafe.Add(ref r, i * tileSide + 1), out Unsafe.Add(ref r, i * tileSide + 2), out Unsafe.Add(ref r, i * tileSide + 3));
                }
                var biasRow = TBlock.Load(ref b, (nuint)o);
                ref var corner = ref Unsafe.Add(ref y, (oy * outWidth + ox) * oc + o);
                for (var column = 0; column < tileSide; column++)
                {
                    TOutputs.OutputFour(ref Unsafe.Add(ref rFloats, column * Lanes), tileSide * Lanes, out TBlock y0, out var y1, out var y2, out var y3);
                    ref var pixel = ref Unsafe.Add(ref corner, column * oc);
                    TActivation.Apply(y0 + biasRow).Store(ref pixel);
                    TActivation.Apply(y1 + biasRow).Store(ref pixel, (nuint)rowStep);
                    TActivation.Apply(y2 + biasRow).Store(ref pixel, (nuint)(2 * rowStep));
                    TActivation.Apply(y3 + biasRow).Store(ref pixel, (nuint)(3 * rowStep));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Weight gradient
    // ---------------------------------------------------------------------------------------------

    /// <summary>dW += the weight gradient of one image (with 4×4 tiles where <see cref="Winograd4x4"/> runs). The forward map g ↦ Aᵀ[(G g Gᵀ) ⊙ V]A has the adjoint
    /// dY ↦ Gᵀ[(A dY Aᵀ) ⊙ V]G, and it is linear, so the tiles are summed in the Winograd domain first:
    /// N[position] = Σ_tiles V[position]ᵀ · Ŷ[position] (input × output channels, the same multiply-adds as the forward
    /// products), then dW[c, o] += Gᵀ N[c, o] G once. Tiles never overlap here: one past an edge that is not a multiple of the
    /// tile side reads zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient)
        where TShape : struct, IConv2DShape
    {
        if (Block512.IsAccelerated) WeightGradientBlocked<TShape, Block512>(input, outputGradient, weightGradient);
        else if (Block256.IsAccelerated) WeightGradientBlocked<TShape, Block256>(input, outputGradient, weightGradient);
        else WeightGradientBlocked<TShape, Block128>(input, outputGradient, weightGradient);
    }

    /// <summary>The weight gradient at one SIMD width: F(4×4, 5×5) where the output holds a 4×4 tile
    /// (<see cref="Winograd4x4"/>), else F(2×2, 5×5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightGradientBlocked<TShape, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        if (!Applies<TShape>()) throw new InvalidOperationException($"Winograd does not run shape {Geometry<TShape>.Text} on this machine.");
        if (Winograd4x4.Runs<TShape>()) WeightGradientBlocked<TShape, TBlock, Winograd4x4.FourByFour>(input, outputGradient, weightGradient);
        else WeightGradientBlocked<TShape, TBlock, TwoByTwo>(input, outputGradient, weightGradient);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBlocked<TShape, TBlock, TTiles>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock> where TTiles : struct, IFiveByFiveTiles
    {
        if (input.Length != Geometry<TShape>.InputLength || outputGradient.Length != Geometry<TShape>.OutputLength || weightGradient.Length != Geometry<TShape>.WeightLength)
            throw new ArgumentException($"Winograd gradient buffers ({input.Length}, {outputGradient.Length}, {weightGradient.Length}) do not match shape {Geometry<TShape>.Text}.");

        int ic = TShape.InChannels, oc = TShape.OutChannels, positions = TTiles.Side * TTiles.Side, tiles = AllTiles<TShape, TTiles>.BandTiles;
        var scratch = Scratch.Winograd(positions * (tiles * (ic + oc) + ic * oc));
        var v = scratch.Slice(0, positions * tiles * ic);                  // [tile][16-channel group][position][16 channels]
        var gradients = scratch.Slice(v.Length, positions * tiles * oc);   // [position][tile][output channel]
        var sums = scratch.Slice(v.Length + gradients.Length);             // [position][input channel][output channel]
        TransformWindows<TShape, TBlock, TTiles>(input, v, TTiles.TileSide, overlapLast: false, 0, TilesDown<TShape>(TTiles.TileSide));
        TTiles.TransformOutputGradients<TShape, TBlock>(outputGradient, gradients);
        GradientSums<AllTiles<TShape, TTiles>, TBlock>(v, gradients, sums);
        AddInverseTransform<TShape, TBlock, TTiles>(sums, weightGradient);
    }

    /// <summary>N[position][c][o] = Σ_tiles V[tile][c][position] · Ŷ[position][tile][o] over all
    /// <see cref="IWinogradProducts.BandTiles"/> tiles, with V as <see cref="TransformWindows"/> lays it out and Ŷ
    /// [position][tile][output channel]: the weight gradient's multiply-adds, at either tile size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientSums<TProducts, TBlock>(ReadOnlySpan<float> v, ReadOnlySpan<float> gradients, Span<float> sums)
        where TProducts : struct, IWinogradProducts where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int ic = TProducts.Channels, oc = TProducts.OutChannels, positions = TProducts.Positions, tiles = TProducts.BandTiles;
        ref var vr = ref MemoryMarshal.GetReference(v);
        ref var gr = ref MemoryMarshal.GetReference(gradients);
        ref var nr = ref MemoryMarshal.GetReference(sums);
        for (var position = 0; position < positions; position++)
        {
            for (var o = 0; o < oc; o += Lanes)
            {
                for (var c = 0; c < ic; c += Lanes)
                {
                    for (var k = 0; k < Lanes; k += GradientChannels<TBlock>())
                    {
                        GradientProduct<TProducts, TBlock>(ref Unsafe.Add(ref vr, WindowOffset(0, c, ic, positions) + position * Lanes + k),
                            ref Unsafe.Add(ref gr, position * tiles * oc + o), ref Unsafe.Add(ref nr, (position * ic + c + k) * oc + o));
                    }
                }
            }
        }
    }

    /// <summary>Ŷ[position][tile] = (A dY Aᵀ)[position] for every tile's 2×2 output gradient dY (zeros past the edge).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutputGradients<TShape, TBlock>(ReadOnlySpan<float> outputGradient, Span<float> target)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int oc = TShape.OutChannels, tiles = AllTiles<TShape, TwoByTwo>.BandTiles, across = TilesAcross<TShape>(TileSide);
        int outHeight = TShape.OutHeight, outWidth = TShape.OutWidth, positionStep = tiles * oc;
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        ref var t = ref MemoryMarshal.GetReference(target);
        var two = TBlock.Broadcast(2f);
        for (var tile = 0; tile < tiles; tile++)
        {
            int oy = tile / across * TileSide, ox = tile % across * TileSide;
            bool right = ox + 1 < outWidth, below = oy + 1 < outHeight;
            for (var o = 0; o < oc; o += Lanes)
            {
                ref var pixel = ref Unsafe.Add(ref g, (oy * outWidth + ox) * oc + o);
                var y00 = TBlock.Load(ref pixel);
                var y01 = right ? TBlock.Load(ref pixel, (nuint)oc) : default;
                var y10 = below ? TBlock.Load(ref pixel, (nuint)(outWidth * oc)) : default;
                var y11 = right && below ? TBlock.Load(ref pixel, (nuint)((outWidth + 1) * oc)) : default;
                // A's columns are Aᵀ's rows: a0 = (1, 1, 1, 1, 1, 0), a1 = (0, 1, −1, 2, −2, 1). Row i of A dY is
                // a0[i] dY[0] + a1[i] dY[1]; each row then spreads the same way across its six columns.
                ref var tileTarget = ref Unsafe.Add(ref t, tile * oc + o);
                SpreadRow(y00, y01, ref tileTarget, positionStep, two);
                SpreadRow(y00 + y10, y01 + y11, ref Unsafe.Add(ref tileTarget, 1 * WindowSide * positionStep), positionStep, two);
                SpreadRow(y00 - y10, y01 - y11, ref Unsafe.Add(ref tileTarget, 2 * WindowSide * positionStep), positionStep, two);
                SpreadRow(TBlock.MultiplyAdd(two, y10, y00), TBlock.MultiplyAdd(two, y11, y01), ref Unsafe.Add(ref tileTarget, 3 * WindowSide * positionStep), positionStep, two);
                SpreadRow(TBlock.MultiplyAdd(-two, y10, y00), TBlock.MultiplyAdd(-two, y11, y01), ref Unsafe.Add(ref tileTarget, 4 * WindowSide * positionStep), positionStep, two);
                SpreadRow(y10, y11, ref Unsafe.Add(ref tileTarget, 5 * WindowSide * positionStep), positionStep, two);
            }
        }
    }

    /// <summary>The six values a0[j] r0 + a1[j] r1 of one row, into floats <paramref name="step"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadRow<TBlock>(TBlock r0, TBlock r1, ref float target, int step, TBlock two)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        r0.Store(ref target);
        (r0 + r1).Store(ref target, (nuint)step);
        (r0 - r1).Store(ref target, (nuint)(2 * step));
        TBlock.MultiplyAdd(two, r1, r0).Store(ref target, (nuint)(3 * step));
        TBlock.MultiplyAdd(-two, r1, r0).Store(ref target, (nuint)(4 * step));
        r1.Store(ref target, (nuint)(5 * step));
    }

    /// <summary>Input channels whose sums <see cref="GradientProduct{TProducts, TBlock}"/> holds at once: all sixteen of a
    /// group with AVX-512, else as many (of 16's divisors) as the register file holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GradientChannels<TBlock>() where TBlock : unmanaged, IChannelBlock<TBlock>
        => TBlock.Accumulators >= 16 ? 16 : TBlock.Accumulators >= 8 ? 8 : TBlock.Accumulators >= 4 ? 4 : 2;

    /// <summary>N[position][c + k][16 channels] = Σ_tiles V[tile][c + k][position] · Ŷ[position][tile][16 channels] for
    /// k &lt; <see cref="GradientChannels{TBlock}"/>: those input channels' sums in registers while the tiles stream past,
    /// each in tile order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientProduct<TProducts, TBlock>(ref float v, ref float g, ref float n)
        where TProducts : struct, IWinogradProducts where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int count = GradientChannels<TBlock>(), ic = TProducts.Channels, oc = TProducts.OutChannels, tiles = TProducts.BandTiles, tileStep = WindowOffset(1, 0, ic, TProducts.Positions);
        TBlock a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (var tile = 0; tile < tiles; tile++)
        {
            var gradient = TBlock.Load(ref g, (nuint)(tile * oc));
            ref var vt = ref Unsafe.Add(ref v, tile * tileStep);
            a0 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in vt), gradient, a0);
            if ((Conv2D.Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 1)), gradient, a1);
            if ((Conv2D.Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 2)), gradient, a2);
            if ((Conv2D.Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 3)), gradient, a3);
            if ((Conv2D.Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 4)), gradient, a4);
            if ((Conv2D.Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 5)), gradient, a5);
            if ((Conv2D.Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 6)), gradient, a6);
            if ((Conv2D.Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 7)), gradient, a7);
            if ((Conv2D.Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 8)), gradient, a8);
            if ((Conv2D.Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 9)), gradient, a9);
            if ((Conv2D.Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 10)), gradient, a10);
            if ((Conv2D.Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 11)), gradient, a11);
            if ((Conv2D.Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 12)), gradient, a12);
            if ((Conv2D.Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 13)), gradient, a13);
            if ((Conv2D.Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 14)), gradient, a14);
            if ((Conv2D.Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15 = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref vt, 15)), gradient, a15);
        }
        a0.Store(ref n);
        if ((Conv2D.Narrow > 1 || typeof(TBlock) == typeof(Block512)) && count > 1) a1.Store(ref n, (nuint)(1 * oc));
        if ((Conv2D.Narrow > 2 || typeof(TBlock) == typeof(Block512)) && count > 2) a2.Store(ref n, (nuint)(2 * oc));
        if ((Conv2D.Narrow > 3 || typeof(TBlock) == typeof(Block512)) && count > 3) a3.Store(ref n, (nuint)(3 * oc));
        if ((Conv2D.Narrow > 4 || typeof(TBlock) == typeof(Block512)) && count > 4) a4.Store(ref n, (nuint)(4 * oc));
        if ((Conv2D.Narrow > 5 || typeof(TBlock) == typeof(Block512)) && count > 5) a5.Store(ref n, (nuint)(5 * oc));
        if ((Conv2D.Narrow > 6 || typeof(TBlock) == typeof(Block512)) && count > 6) a6.Store(ref n, (nuint)(6 * oc));
        if ((Conv2D.Narrow > 7 || typeof(TBlock) == typeof(Block512)) && count > 7) a7.Store(ref n, (nuint)(7 * oc));
        if ((Conv2D.Narrow > 8 || typeof(TBlock) == typeof(Block512)) && count > 8) a8.Store(ref n, (nuint)(8 * oc));
        if ((Conv2D.Narrow > 9 || typeof(TBlock) == typeof(Block512)) && count > 9) a9.Store(ref n, (nuint)(9 * oc));
        if ((Conv2D.Narrow > 10 || typeof(TBlock) == typeof(Block512)) && count > 10) a10.Store(ref n, (nuint)(10 * oc));
        if ((Conv2D.Narrow > 11 || typeof(TBlock) == typeof(Block512)) && count > 11) a11.Store(ref n, (nuint)(11 * oc));
        if ((Conv2D.Narrow > 12 || typeof(TBlock) == typeof(Block512)) && count > 12) a12.Store(ref n, (nuint)(12 * oc));
        if ((Conv2D.Narrow > 13 || typeof(TBlock) == typeof(Block512)) && count > 13) a13.Store(ref n, (nuint)(13 * oc));
        if ((Conv2D.Narrow > 14 || typeof(TBlock) == typeof(Block512)) && count > 14) a14.Store(ref n, (nuint)(14 * oc));
        if ((Conv2D.Narrow > 15 || typeof(TBlock) == typeof(Block512)) && count > 15) a15.Store(ref n, (nuint)(15 * oc));
    }

    /// <summary>dW[ky, kx, c, o] += (Gᵀ N[c, o] G)[ky, kx] for every channel pair of the tile sums N, 16 output channels at
    /// a time: Gᵀ down each of the window's columns (into a 5 × side stack block), then across the five rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddInverseTransform<TShape, TBlock, TTiles>(ReadOnlySpan<float> sums, Span<float> weightGradient)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock> where TTiles : struct, IFiveByFiveTiles
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, side = TTiles.Side, positionStep = ic * oc, tapStep = ic * oc;
        ref var n = ref MemoryMarshal.GetReference(sums);
        ref var dw = ref MemoryMarshal.GetReference(weightGradient);
        Span<TBlock> columns = stackalloc TBlock[5 * 8]; // [tap row][window column], for sides up to 8
        ref var t = ref MemoryMarshal.GetReference(columns);
        ref var tFloats = ref Unsafe.As<TBlock, float>(ref t);
        for (var c = 0; c < ic; c++)
        {
            for (var o = 0; o < oc; o += Lanes)
            {
                ref var pair = ref Unsafe.Add(ref n, c * oc + o);
                for (var j = 0; j < side; j++)
                {
                    TTiles.KernelAdjoint(ref Unsafe.Add(ref pair, j * positionStep), (nuint)(side * positionStep),
                        out Unsafe.Add(ref t, j), out Unsafe.Add(ref t, side + j), out Unsafe.Add(ref t, 2 * side + j),
                        out Unsafe.Add(ref t, 3 * side + j), out Unsafe.Add(ref t, 4 * side + j));
                }
                ref var target = ref Unsafe.Add(ref dw, c * oc + o);
                for (var ky = 0; ky < 5; ky++)
                {
                    TTiles.KernelAdjoint(ref Unsafe.Add(ref tFloats, ky * side * Lanes), Lanes, out TBlock k0, out var k1, out var k2, out var k3, out var k4);
                    ref var taps = ref Unsafe.Add(ref target, ky * 5 * tapStep);
                    Conv2D.AddTo(ref taps, k0);
                    Conv2D.AddTo(ref Unsafe.Add(ref taps, tapStep), k1);
                    Conv2D.AddTo(ref Unsafe.Add(ref taps, 2 * tapStep), k2);
                    Conv2D.AddTo(ref Unsafe.Add(ref taps, 3 * tapStep), k3);
                    Conv2D.AddTo(ref Unsafe.Add(ref taps, 4 * tapStep), k4);
                }
            }
        }
    }

    /// <summary>Gᵀ m for six values: the five kernel taps (Gᵀ's rows are G's columns, see <see cref="KernelSix"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InverseSix<TBlock>(TBlock m0, TBlock m1, TBlock m2, TBlock m3, TBlock m4, TBlock m5,
        out TBlock k0, out TBlock k1, out TBlock k2, out TBlock k3, out TBlock k4)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        TBlock sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4;
        var sixth = TBlock.Broadcast(1f / 6);
        k0 = TBlock.MultiplyAdd(TBlock.Broadcast(1f / 4), m0, TBlock.MultiplyAdd(sixth, sum12, TBlock.Broadcast(1f / 24) * sum34));
        k1 = TBlock.MultiplyAdd(sixth, difference12, TBlock.Broadcast(1f / 12) * difference34);
        k2 = sixth * (sum12 + sum34);
        k3 = TBlock.MultiplyAdd(sixth, difference12, TBlock.Broadcast(1f / 3) * difference34);
        k4 = TBlock.MultiplyAdd(sixth, sum12, TBlock.MultiplyAdd(TBlock.Broadcast(2f / 3), sum34, m5));
    }

}

/// <summary>The sizes of a Winograd layer's matrix products, constants of the layer: the channels summed over (the
/// input channels; at stride 2 those of the four pixel phases), the output channels and the tiles of a band (see
/// <see cref="Winograd.BandRows"/>).</summary>
internal interface IWinogradProducts
{
    static abstract int Channels { get; }
    static abstract int OutChannels { get; }
    static abstract int Positions { get; }
    static abstract int BandTiles { get; }
}

/// <summary>One convolution's kernels in the Winograd domain: for its forward pass (F(4×4, 5×5) or F(2×2, 5×5) at stride 1,
/// <see cref="StridedWinograd"/>'s F(4×4, 3×3) over pixel phases at stride 2) and, at stride 1, where the input
/// gradient is a forward convolution of the output gradient with the flipped weights, for its input gradient. A
/// generated network keeps one per core (<see cref="LayoutCopies"/>) for each layer whose shape fits, and each core
/// prepares its own once per call (per batch), so the per-image passes never transform a kernel. Where Winograd does
/// not run on this machine it holds nothing and the layer takes the direct kernels.</summary>
public sealed class WinogradWeights<TShape> where TShape : struct, IConv2DShape
{
    // The weights _forward was transformed from, as bits: an unchanged network (inference) skips the transform for
    // the cost of comparing them, and a changed float (even −0 for +0) is never missed.
    private readonly float[] _source;
    private readonly AlignedFloats _forward;
    private readonly AlignedFloats _inputGradient;
    private bool _forwardReady;
    private bool _inputGradientReady;

    public WinogradWeights()
    {
        var strideOne = Winograd.Applies<TShape>();
        var forward = strideOne ? Winograd.TransformedLength<TShape>()
            : StridedWinograd.Applies<TShape>() ? StridedWinograd.TransformedLength<TShape>() : 0;
        _source = forward > 0 ? new float[Geometry<TShape>.WeightLength] : [];
        _forward = new AlignedFloats(forward);
        _inputGradient = new AlignedFloats(strideOne ? Winograd.TransformedLength<InputGradientShape<TShape>>() : 0);
    }

    /// <summary>True where the layer's forward pass runs as Winograd on this machine.</summary>
    public bool Active => _forward.Length > 0;

    /// <summary>True where its backward pass does too (stride 1).</summary>
    public bool ActiveBackward => _inputGradient.Length > 0;

    /// <summary>Transforms <paramref name="weights"/> for the forward pass, unless they are the bits transformed last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PrepareForward(ReadOnlySpan<float> weights)
    {
        if (!Active) return;
        var bits = MemoryMarshal.Cast<float, int>(weights);
        if (_forwardReady && bits.SequenceEqual(MemoryMarshal.Cast<float, int>(_source.AsSpan()))) return;
        if (TShape.Stride == 1) Winograd.TransformWeights<TShape>(weights, _forward.Span);
        else StridedWinograd.TransformWeights<TShape>(weights, _forward.Span);
        weights.CopyTo(_source);
        _forwardReady = true;
    }

    /// <summary>Transforms the flipped weights (<see cref="Conv2D.FlipWeights{TShape}"/>) for the input gradient; a
    /// training batch's weights are new, so this always transforms. Nothing to do where the backward pass is direct.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PrepareBackward(ReadOnlySpan<float> flippedWeights)
    {
        if (!ActiveBackward) return;
        Winograd.TransformWeights<InputGradientShape<TShape>>(flippedWeights, _inputGradient.Span);
        _inputGradientReady = true;
    }

    internal ReadOnlySpan<float> Forward { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => _forwardReady ? _forward.Span : throw NotPrepared("PrepareForward"); }

    internal ReadOnlySpan<float> InputGradient { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => _inputGradientReady ? _inputGradient.Span : throw NotPrepared("PrepareBackward"); }

    private static InvalidOperationException NotPrepared(string method)
        => new($"The Winograd weights of shape {Geometry<TShape>.Text} were used before {method} transformed them.");
}

/// <summary>One tile size's window transform Bᵀ d, so <see cref="Winograd.TransformWindows{TShape, TBlock, TWindow}"/>'s
/// walk over tiles and columns is written once and compiled for each: six points (<see cref="Winograd.TransformSixTo"/>)
/// or eight (F(4×4, 5×5)'s, in <see cref="Winograd4x4"/>). Each loads the values it transforms, from the window's rows
/// (<see cref="Column"/>: a six-point transform never reads the last two) or from one row, <c>apart</c> floats apart
/// (<see cref="Row"/>): passed as eight values instead, the two unused ones zeroed, the six-point transform took 14%
/// longer at 128 bits, where a value is four registers, and branching between the two transforms in the walk cost
/// the eight-point one 60% with AVX2.</summary>
internal interface IWindowTransform
{
    static abstract int Side { get; }

    static abstract void Column<TBlock>(ref readonly float r0, ref readonly float r1, ref readonly float r2, ref readonly float r3,
        ref readonly float r4, ref readonly float r5, ref readonly float r6, ref readonly float r7, nuint offset, ref float target, int step)
        where TBlock : unmanaged, IChannelBlock<TBlock>;

    static abstract void Row<TBlock>(ref float row, nuint apart, ref float target, int step)
        where TBlock : unmanaged, IChannelBlock<TBlock>;
}

/// <summary>One tile size of stride-1 F(m×m, 5×5), as <see cref="Winograd"/>'s drivers take it: the window transform
/// (<see cref="IWindowTransform.Side"/> = m + 4 points), m, and the transforms on each side of the matrix products,
/// so the band loop of the forward pass and the weight gradient's steps are written once and compiled for each:
/// <see cref="Winograd.TwoByTwo"/> and <see cref="Winograd4x4.FourByFour"/>.</summary>
internal interface IFiveByFiveTiles : IWindowTransform
{
    /// <summary>Outputs per tile side, m.</summary>
    static abstract int TileSide { get; }

    /// <summary>G k: <see cref="IWindowTransform.Side"/> values, <paramref name="step"/> floats apart, from five kernel
    /// taps <paramref name="apart"/> floats apart (the kernel transform, down a kernel column and across a row).</summary>
    static abstract void Kernel<TBlock>(ref float first, nuint apart, ref float target, nuint step)
        where TBlock : unmanaged, IChannelBlock<TBlock>;

    /// <summary>Y = Aᵀ M A, plus bias, through the activation, for every tile of a band of tile rows.</summary>
    static abstract void TransformOutputs<TShape, TActivation, TBlock>(Span<float> m, ReadOnlySpan<float> bias, Span<float> output, int firstRow, int rows)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>;

    /// <summary>Ŷ[position][tile] = (A dY Aᵀ)[position] for every tile's output gradient (zeros past the edge).</summary>
    static abstract void TransformOutputGradients<TShape, TBlock>(ReadOnlySpan<float> outputGradient, Span<float> target)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>;

    /// <summary>Gᵀ m: five kernel taps from <see cref="IWindowTransform.Side"/> values <paramref name="apart"/> floats apart
    /// (the weight gradient's inverse transform, down a column of the tile sums and across a row).</summary>
    static abstract void KernelAdjoint<TBlock>(ref float first, nuint apart, out TBlock k0, out TBlock k1, out TBlock k2, out TBlock k3, out TBlock k4)
        where TBlock : unmanaged, IChannelBlock<TBlock>;
}

/// <summary>The output transform Aᵀ of a form with 4×4-output tiles: four outputs from <see cref="Side"/> values
/// <c>apart</c> floats apart, so <see cref="Winograd.TransformFourByFourOutputs{TShape, TActivation, TBlock, TOutputs}"/>
/// is written once for F(4×4, 5×5) and the strided F(4×4, 3×3).</summary>
internal interface IFourOutputs
{
    static abstract int Side { get; }

    static abstract void OutputFour<TBlock>(ref float first, nuint apart, out TBlock y0, out TBlock y1, out TBlock y2, out TBlock y3)
        where TBlock : unmanaged, IChannelBlock<TBlock>;
}
