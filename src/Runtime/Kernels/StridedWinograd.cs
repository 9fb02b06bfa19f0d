using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Stride-2 5×5 convolutions as Winograd F(4×4, 3×3) over the input's four pixel phases: the forward pass of
/// arch1's second layer, where F(2×2, 5×5) cannot go because its windows do not step by one pixel.
///
/// Split the padded input x into four phase images, X_{py,px}[i, j] = x[2i + py, 2j + px], and the kernel (padded to
/// 6×6 with zeros) the same way, g_{py,px}[a, b] = W[2a + py, 2b + px]. Each output then is a stride-1 3×3 convolution
/// summed over the four phases: y[oy, ox] = Σ_phases Σ_{a,b} X_{py,px}[oy + a, ox + b] g_{py,px}[a, b]. That is one
/// stride-1 3×3 convolution over 4 × the input channels (space-to-depth; 11 of its 36 taps are zero), and F(4×4, 3×3)
/// computes each 4×4 block of its outputs with 36 multiply-adds per phase and channel pair: 144 per input and output
/// channel pair where the direct 5×5 kernel needs 16 × 25 = 400, 2.8x fewer; 2.1x at 7×7, whose two tiles a side
/// cover 8×8.
///
/// F(4×4, 3×3) uses the points 0, ±1, ±2 and ∞, with the same Bᵀ as <see cref="Winograd"/>'s F(2×2, 5×5) (so the same
/// window transform, read at every second pixel) and the same 36 matrix products; only the kernel and output transforms
/// differ. Only the forward pass runs this way: the backward pass keeps the direct strided kernels. Sums run in a fixed
/// order, so results are the same bits on every run; they differ from the direct kernel's by rounding (within 1e-5 of
/// the terms' magnitudes in Test_Winograd).</summary>
public static class StridedWinograd
{
    private const int Lanes = Winograd.Lanes, WindowSide = Winograd.WindowSide, Positions = Winograd.Positions;

    /// <summary>Outputs per tile side (6 − 3 + 1) and pixel phases (two down, two across).</summary>
    private const int TileSide = 4, Phases = 4;

    /// <summary>True where a layer of this shape runs as strided Winograd: any SIMD width, stride 2, a 5×5 patch, channels in
    /// whole registers and at least one full 4×4 tile of outputs. The generator keeps Winograd weights only for layers
    /// whose shape fits (the same <see cref="WinogradFit"/> rule).</summary>
    public static bool Applies<TShape>() where TShape : struct, IConv2DShape
        => Block128.IsAccelerated && Fits<TShape>();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Fits<TShape>() where TShape : struct, IConv2DShape
        => WinogradFit.StridedFourByFour(TShape.Stride, TShape.Patch, TShape.InChannels, TShape.OutChannels, TShape.OutHeight, TShape.OutWidth);

    /// <summary>Floats of a layer's transformed kernels U: [position][phase, input channel][output channel].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int TransformedLength<TShape>() where TShape : struct, IConv2DShape
        => Positions * Phases * TShape.InChannels * TShape.OutChannels;

    /// <summary>The sizes of the layer's matrix products: the four phases' input channels, its output channels, its tiles per band.</summary>
    private readonly struct PhaseProducts<T> : IWinogradProducts where T : struct, IConv2DShape
    {
        public static int Channels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Phases * T.InChannels; }
        public static int OutChannels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutChannels; }
        public static int Positions { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Winograd.Positions; }
        public static int BandTiles { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Winograd.BandRows(Winograd.TilesDown<T>(TileSide), Winograd.TilesAcross<T>(TileSide)) * Winograd.TilesAcross<T>(TileSide); }
    }


    // ---------------------------------------------------------------------------------------------
    // Kernels: U = G g Gᵀ for every phase's 3×3 kernel and channel pair, output channels in registers
    // ---------------------------------------------------------------------------------------------

    /// <summary>Writes U[position][phase · InChannels + c][o] = (G g_phase Gᵀ)[position], with g_phase the phase's 3×3
    /// taps of W (HWIO weights) and zeros where they fall past the 5×5 kernel, 16 output channels at a time.</summary>
    public static void TransformWeights<TShape>(ReadOnlySpan<float> weights, Span<float> transformed)
        where TShape : struct, IConv2DShape
    {
        if (Block512.IsAccelerated) TransformWeights<TShape, Block512>(weights, transformed);
        else if (Block256.IsAccelerated) TransformWeights<TShape, Block256>(weights, transformed);
        else TransformWeights<TShape, Block128>(weights, transformed);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformWeights<TShape, TBlock>(ReadOnlySpan<float> weights, Span<float> transformed)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int ic = TShape.InChannels, oc = TShape.OutChannels, tapStep = ic * oc, positionStep = Phases * ic * oc;
        if (!Fits<TShape>()) throw new ArgumentException($"Strided Winograd F(4x4, 3x3) does not fit shape {Geometry<TShape>.Text}.");
        if (weights.Length != Geometry<TShape>.WeightLength || transformed.Length != TransformedLength<TShape>())
            throw new ArgumentException($"Strided Winograd weights ({weights.Length}, transformed {transformed.Length}) do not match shape {Geometry<TShape>.Text}.");
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var u = ref MemoryMarshal.GetReference(transformed);
        // G down the three tap columns of every input channel's kernel first ([c][row i][tap column b], 16 output
        // channels each), then G across the rows channel after channel: the stores of one position then run through
        // consecutive cache lines. Kernel by kernel, each one's 36 positions lay 4 KB apart, all in one L1 set, and the
        // transform took 10 µs.
        ref var t = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<float, TBlock>(Scratch.Winograd(ic * WindowSide * 3 * Lanes)));
        for (var phase = 0; phase < Phases; phase++)
        {
            int py = phase / 2, px = phase % 2;
            for (var o = 0; o < oc; o += Lanes)
            {
                for (var c = 0; c < ic; c++)
                {
                    ref var kernel = ref Unsafe.Add(ref w, c * oc + o);
                    ref var columns = ref Unsafe.Add(ref t, c * WindowSide * 3);
                    for (var b = 0; b < 3; b++)
                    {
                        var kx = 2 * b + px;
                        KernelThree(Tap<TShape, TBlock>(ref kernel, py, kx, tapStep), Tap<TShape, TBlock>(ref kernel, 2 + py, kx, tapStep), Tap<TShape, TBlock>(ref kernel, 4 + py, kx, tapStep),
                            out Unsafe.Add(ref columns, b), out Unsafe.Add(ref columns, 3 + b), out Unsafe.Add(ref columns, 6 + b),
                            out Unsafe.Add(ref columns, 9 + b), out Unsafe.Add(ref columns, 12 + b), out Unsafe.Add(ref columns, 15 + b));
                    }
                }
                for (var i = 0; i < WindowSide; i++)
                {
                    ref var positions = ref Unsafe.Add(ref u, i * WindowSide * positionStep + phase * ic * oc + o);
                    for (var c = 0; c < ic; c++)
                    {
                        ref var row = ref Unsafe.Add(ref t, (c * WindowSide + i) * 3);
                        KernelThree(row, Unsafe.Add(ref row, 1), Unsafe.Add(ref row, 2), out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
                        Winograd.StoreSix(ref Unsafe.Add(ref positions, c * oc), positionStep, u0, u1, u2, u3, u4, u5);
                    }
                }
            }
        }
    }

    /// <summary>W[ky, kx, c, o…o + 15] from the kernel's (c, o) corner, or zeros for a tap of the 6×6 kernel past the 5×5 one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TBlock Tap<TShape, TBlock>(ref float kernel, int ky, int kx, int tapStep) where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
        => ky < TShape.Patch && kx < TShape.Patch ? TBlock.Load(ref kernel, (nuint)((ky * TShape.Patch + kx) * tapStep)) : default;

    /// <summary>G k for three kernel values: their values at the points 0, 1, −1, 2, −2 and ∞, scaled as in
    /// <see cref="Winograd"/>'s five-tap G so that Bᵀ stays integral (G's rows: [1/4 0 0], [1 1 1]/6, [1 −1 1]/6,
    /// [1 2 4]/24, [1 −2 4]/24, [0 0 1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelThree<TBlock>(TBlock k0, TBlock k1, TBlock k2,
        out TBlock u0, out TBlock u1, out TBlock u2, out TBlock u3, out TBlock u4, out TBlock u5)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var sixth = TBlock.Broadcast(1f / 6);
        var twentyFourth = TBlock.Broadcast(1f / 24);
        var even = k0 + k2;
        var evenPowers = TBlock.MultiplyAdd(TBlock.Broadcast(4f), k2, k0);
        var twiceOdd = k1 + k1;
        u0 = TBlock.Broadcast(1f / 4) * k0;
        u1 = sixth * (even + k1);
        u2 = sixth * (even - k1);
        u3 = twentyFourth * (evenPowers + twiceOdd);
        u4 = twentyFourth * (evenPowers - twiceOdd);
        u5 = k2;
    }

    // ---------------------------------------------------------------------------------------------
    // Forward
    // ---------------------------------------------------------------------------------------------

    /// <summary>output = activation(conv(input, W) + bias), with <paramref name="transformed"/> the kernels as
    /// <see cref="TransformWeights{TShape}"/> wrote them. Needs <see cref="Applies{TShape}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TShape, TActivation>(ReadOnlySpan<float> input, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation
    {
        if (Block512.IsAccelerated) Forward<TShape, TActivation, Block512>(input, transformed, bias, output);
        else if (Block256.IsAccelerated) Forward<TShape, TActivation, Block256>(input, transformed, bias, output);
        else Forward<TShape, TActivation, Block128>(input, transformed, bias, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TShape, TActivation, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias,
        Span<float> output)
        where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        if (!Applies<TShape>()) throw new InvalidOperationException($"Strided Winograd F(4x4, 3x3) does not run shape {Geometry<TShape>.Text} on this machine.");
        if (input.Length != Geometry<TShape>.InputLength || transformed.Length != TransformedLength<TShape>() || output.Length != Geometry<TShape>.OutputLength
            || bias.Length != TShape.OutChannels)
            throw new ArgumentException($"Strided Winograd buffers ({input.Length}, {transformed.Length}, {bias.Length}, {output.Length}) do not match shape {Geometry<TShape>.Text}.");

        int channels = PhaseProducts<TShape>.Channels, oc = TShape.OutChannels, down = Winograd.TilesDown<TShape>(TileSide);
        int rows = Winograd.BandRows(down, Winograd.TilesAcross<TShape>(TileSide)), bandTiles = PhaseProducts<TShape>.BandTiles;
        var windows = Scratch.Winograd(Positions * bandTiles * (channels + oc));
        var v = windows.Slice(0, Positions * bandTiles * channels); // [tile][16 of the phases' channels][position][16 channels]
        var m = windows.Slice(v.Length);                            // [tile][position][output channel]
        for (var first = 0; first < down; first += rows)
        {
            // In bands of tile rows, as Winograd.Forward runs them (see Winograd.BandRows).
            var top = Math.Min(first, down - rows);
            // F(2×2, 5×5)'s six-point window transform: the same Bᵀ.
            Winograd.TransformWindows<TShape, TBlock, Winograd.TwoByTwo>(input, v, TileSide, overlapLast: true, top, rows);
            Winograd.Products<PhaseProducts<TShape>, TBlock>(v, transformed, m);
            Winograd.TransformFourByFourOutputs<TShape, TActivation, TBlock, PhaseOutputs>(m, bias, output, top, rows);
        }
    }

    /// <summary>F(4×4, 3×3)'s output transform as <see cref="Winograd.TransformFourByFourOutputs"/> takes it.</summary>
    private readonly struct PhaseOutputs : IFourOutputs
    {
        public static int Side => WindowSide;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void OutputFour<TBlock>(ref float first, nuint apart, out TBlock y0, out TBlock y1, out TBlock y2, out TBlock y3)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => StridedWinograd.OutputFour(TBlock.Load(ref first), TBlock.Load(ref first, apart), TBlock.Load(ref first, 2 * apart),
                TBlock.Load(ref first, 3 * apart), TBlock.Load(ref first, 4 * apart), TBlock.Load(ref first, 5 * apart), out y0, out y1, out y2, out y3);
    }

    /// <summary>Aᵀ m for six values (rows of Aᵀ: [1 1 1 1 1 0], [0 1 −1 2 −2 0], [0 1 1 4 4 0], [0 1 −1 8 −8 1]: the
    /// powers 0…3 of the points 0, 1, −1, 2, −2, with ∞ in the last).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputFour<TBlock>(TBlock m0, TBlock m1, TBlock m2, TBlock m3, TBlock m4, TBlock m5,
        out TBlock y0, out TBlock y1, out TBlock y2, out TBlock y3)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        TBlock sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4;
        y0 = m0 + sum12 + sum34;
        y1 = TBlock.MultiplyAdd(TBlock.Broadcast(2f), difference34, difference12);
        y2 = TBlock.MultiplyAdd(TBlock.Broadcast(4f), sum34, sum12);
        y3 = TBlock.MultiplyAdd(TBlock.Broadcast(8f), difference34, difference12 + m5);
    }
}
