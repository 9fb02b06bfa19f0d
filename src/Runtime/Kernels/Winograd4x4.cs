using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Stride-1 5×5 convolutions as Winograd F(4×4, 5×5): each 4×4 block of outputs costs 64 multiply-adds per
/// (input channel, output channel) pair, 4 an output where <see cref="Winograd"/>'s F(2×2, 5×5) costs 9 and the direct
/// kernel 25. At arch3's 14×14 conv2 that is 16 tiles × 64 = 1,024 products per channel pair against 49 × 36 = 1,764;
/// at its 7×7 conv3, 4 × 64 = 256 against 16 × 36 = 576. The forward pass and the input gradient (a forward
/// convolution of the output gradient with the flipped kernels) and the weight gradient (tiles summed in the Winograd
/// domain, as <see cref="Winograd.WeightGradient{TShape}"/>) of every layer with at least a 4×4 output run this way
/// where the machine has a fused multiply-add.
///
/// The points are 0, ±1, ±2, ±½ and ∞: the Bᵀ of the widely used F(6×6, 3×3), whose fp32 error is well studied.
/// Rounding grows with the tile: Test_Winograd allows its forward pass and input gradient 3e-5 of the terms'
/// magnitudes (the worst seen: 1.1e-5, near a VALID layer's border; 1e-6 to 7e-6 elsewhere), where F(2×2, 5×5) is
/// within 1e-5; its weight gradient stays within 1e-5. The window transform is <see cref="Winograd.TransformWindows{TShape, TBlock, TWindow}"/>
/// with eight points, and the 64 matrix products are <see cref="Winograd.Products{TProducts, TBlock}"/>; this file
/// holds the 1-D transforms (G, Bᵀ, Aᵀ, A and Gᵀ) and the output gradients' walk, and <see cref="Winograd"/> the
/// other walks. Sums run in a fixed order, so results are the same bits on every run.</summary>
public static class Winograd4x4
{
    private const int Lanes = Winograd.Lanes;

    /// <summary>Outputs per tile side, window side (4 + 5 − 1) and positions of a transformed window.</summary>
    private const int TileSide = 4, WindowSide = 8, Positions = WindowSide * WindowSide;

    /// <summary>True where a stride-1 result of this shape runs as F(4×4, 5×5) on this machine (else F(2×2, 5×5)): the
    /// shape rule the generator reads too (<see cref="WinogradFit"/>), and a fused multiply-add. Without one (WebAssembly,
    /// x64 without FMA) every multiply-add of the transforms is two instructions (Bᵀ's eight points take 12, Aᵀ's 6, A's
    /// 4), and measured with 128-bit vectors F(4×4, 5×5) gained nothing: arch3's forward passes 54.2 µs an image
    /// against F(2×2, 5×5)'s 54.0 (conv2 30.0 against 29.1, conv3 7.5 against 8.4), its backward passes 107 against 96
    /// (conv2 67.8 against 57.2). With AVX2 + FMA: conv2 forward 7.6 against 11.3, the whole image 49.0 against 59.6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Runs<TShape>() where TShape : struct, IConv2DShape
        => Simd.Has128BitFusedMultiplyAdd
           && WinogradFit.FourByFourFiveByFive(TShape.Stride, TShape.Patch, TShape.InChannels, TShape.OutChannels, TShape.OutHeight, TShape.OutWidth);

    /// <summary>F(4×4, 5×5) as <see cref="Winograd"/>'s walks take it (the band loop, the weight gradient, the kernel
    /// transform, the 4×4 output store): eight-point windows, and the transforms on each side of the products.</summary>
    internal readonly struct FourByFour : IFiveByFiveTiles, IFourOutputs
    {
        public static int Side => WindowSide;
        public static int TileSide => Winograd4x4.TileSide;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Column<TBlock>(ref readonly float r0, ref readonly float r1, ref readonly float r2, ref readonly float r3,
            ref readonly float r4, ref readonly float r5, ref readonly float r6, ref readonly float r7, nuint offset, ref float target, int step)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => TransformEightTo(TBlock.Load(in r0, offset), TBlock.Load(in r1, offset), TBlock.Load(in r2, offset), TBlock.Load(in r3, offset),
                TBlock.Load(in r4, offset), TBlock.Load(in r5, offset), TBlock.Load(in r6, offset), TBlock.Load(in r7, offset), ref target, step);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row<TBlock>(ref float row, nuint apart, ref float target, int step)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => TransformEightTo(TBlock.Load(ref row), TBlock.Load(ref row, apart), TBlock.Load(ref row, 2 * apart), TBlock.Load(ref row, 3 * apart),
                TBlock.Load(ref row, 4 * apart), TBlock.Load(ref row, 5 * apart), TBlock.Load(ref row, 6 * apart), TBlock.Load(ref row, 7 * apart),
                ref target, step);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Kernel<TBlock>(ref float first, nuint apart, ref float target, nuint step)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => KernelEight(TBlock.Load(ref first), TBlock.Load(ref first, apart), TBlock.Load(ref first, 2 * apart), TBlock.Load(ref first, 3 * apart),
                TBlock.Load(ref first, 4 * apart), ref target, step);

        public static void TransformOutputs<TShape, TActivation, TBlock>(Span<float> m, ReadOnlySpan<float> bias, Span<float> output, int firstRow, int rows)
            where TShape : struct, IConv2DShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
            => Winograd.TransformFourByFourOutputs<TShape, TActivation, TBlock, FourByFour>(m, bias, output, firstRow, rows);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void OutputFour<TBlock>(ref float first, nuint apart, out TBlock y0, out TBlock y1, out TBlock y2, out TBlock y3)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => Winograd4x4.OutputFour(TBlock.Load(ref first), TBlock.Load(ref first, apart), TBlock.Load(ref first, 2 * apart), TBlock.Load(ref first, 3 * apart),
                TBlock.Load(ref first, 4 * apart), TBlock.Load(ref first, 5 * apart), TBlock.Load(ref first, 6 * apart), TBlock.Load(ref first, 7 * apart),
                out y0, out y1, out y2, out y3);

        public static void TransformOutputGradients<TShape, TBlock>(ReadOnlySpan<float> outputGradient, Span<float> target)
            where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
            => Winograd4x4.TransformOutputGradients<TShape, TBlock>(outputGradient, target);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void KernelAdjoint<TBlock>(ref float first, nuint apart, out TBlock k0, out TBlock k1, out TBlock k2, out TBlock k3, out TBlock k4)
            where TBlock : unmanaged, IChannelBlock<TBlock>
            => InverseEight(TBlock.Load(ref first), TBlock.Load(ref first, apart), TBlock.Load(ref first, 2 * apart), TBlock.Load(ref first, 3 * apart),
                TBlock.Load(ref first, 4 * apart), TBlock.Load(ref first, 5 * apart), TBlock.Load(ref first, 6 * apart), TBlock.Load(ref first, 7 * apart),
                out k0, out k1, out k2, out k3, out k4);
    }

    // ---------------------------------------------------------------------------------------------
    // The forward pass's transforms: G on the kernels, Bᵀ on the windows, Aᵀ on the products
    // ---------------------------------------------------------------------------------------------

    /// <summary>G k for five kernel values into floats <paramref name="step"/> apart: their values at the points 0, 1,
    /// −1, 2, −2, ½, −½ and ∞, scaled so that Bᵀ's entries are those of F(6×6, 3×3) (G's rows: [1 0 0 0 0],
    /// −2/9 [1 1 1 1 1], −2/9 [1 −1 1 −1 1], 1/90 [1 2 4 8 16], 1/90 [1 −2 4 −8 16], 2/45 [16 8 4 2 1],
    /// 2/45 [16 −8 4 −2 1], [0 0 0 0 1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelEight<TBlock>(TBlock k0, TBlock k1, TBlock k2, TBlock k3, TBlock k4, ref float target, nuint step)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        TBlock even = k0 + k2 + k4, odd = k1 + k3;
        var minusTwoNinths = TBlock.Broadcast(-2f / 9);
        var ninetieth = TBlock.Broadcast(1f / 90);
        var twoFortyFifths = TBlock.Broadcast(2f / 45);
        // At 2 and −2: k0 + 4 k2 + 16 k4 ± (2 k1 + 8 k3). At ½ and −½ (times 16): 16 k0 + 4 k2 + k4 ± (8 k1 + 2 k3).
        var evenTwo = TBlock.MultiplyAdd(TBlock.Broadcast(16f), k4, TBlock.MultiplyAdd(TBlock.Broadcast(4f), k2, k0));
        var oddTwo = TBlock.MultiplyAdd(TBlock.Broadcast(8f), k3, k1 + k1);
        var evenHalf = TBlock.MultiplyAdd(TBlock.Broadcast(16f), k0, TBlock.MultiplyAdd(TBlock.Broadcast(4f), k2, k4));
        var oddHalf = TBlock.MultiplyAdd(TBlock.Broadcast(8f), k1, k3 + k3);
        k0.Store(ref target);
        (minusTwoNinths * (even + odd)).Store(ref target, step);
        (minusTwoNinths * (even - odd)).Store(ref target, 2 * step);
        (ninetieth * (evenTwo + oddTwo)).Store(ref target, 3 * step);
        (ninetieth * (evenTwo - oddTwo)).Store(ref target, 4 * step);
        (twoFortyFifths * (evenHalf + oddHalf)).Store(ref target, 5 * step);
        (twoFortyFifths * (evenHalf - oddHalf)).Store(ref target, 6 * step);
        k4.Store(ref target, 7 * step);
    }

    /// <summary>Bᵀ d for eight values (rows of Bᵀ: [1 0 −21/4 0 21/4 0 −1 0], [0 1 1 −17/4 −17/4 1 1 0],
    /// [0 −1 1 17/4 −17/4 −1 1 0], [0 ½ ¼ −5/2 −5/4 2 1 0], [0 −½ ¼ 5/2 −5/4 −2 1 0], [0 2 4 −5/2 −5 ½ 1 0],
    /// [0 −2 4 5/2 −5 −½ 1 0], [0 −1 0 21/4 0 −21/4 0 1]). Rows 1–6 come in pairs that share their even and odd halves
    /// (e ± o), so the eight take 26 operations (12 of them fused multiply-adds) instead of one multiply-add for each of
    /// the matrix's 44 nonzero entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformEightTo<TBlock>(TBlock d0, TBlock d1, TBlock d2, TBlock d3, TBlock d4, TBlock d5, TBlock d6, TBlock d7,
        ref float target, int step)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var twentyOneQuarters = TBlock.Broadcast(5.25f);
        var quarter = TBlock.Broadcast(0.25f);
        var minusFiveHalves = TBlock.Broadcast(-2.5f);
        TBlock.MultiplyAdd(twentyOneQuarters, d4 - d2, d0 - d6).Store(ref target);
        var even = TBlock.MultiplyAdd(TBlock.Broadcast(-4.25f), d4, d2 + d6);
        var odd = TBlock.MultiplyAdd(TBlock.Broadcast(-4.25f), d3, d1 + d5);
        (even + odd).Store(ref target, (nuint)step);
        (even - odd).Store(ref target, (nuint)(2 * step));
        even = TBlock.MultiplyAdd(quarter, d2, TBlock.MultiplyAdd(TBlock.Broadcast(-1.25f), d4, d6));
        odd = TBlock.MultiplyAdd(TBlock.Broadcast(0.5f), d1, TBlock.MultiplyAdd(minusFiveHalves, d3, d5 + d5));
        (even + odd).Store(ref target, (nuint)(3 * step));
        (even - odd).Store(ref target, (nuint)(4 * step));
        even = TBlock.MultiplyAdd(TBlock.Broadcast(4f), TBlock.MultiplyAdd(TBlock.Broadcast(-1.25f), d4, d2), d6);
        odd = TBlock.MultiplyAdd(TBlock.Broadcast(2f), d1, TBlock.MultiplyAdd(minusFiveHalves, d3, TBlock.Broadcast(0.5f) * d5));
        (even + odd).Store(ref target, (nuint)(5 * step));
        (even - odd).Store(ref target, (nuint)(6 * step));
        TBlock.MultiplyAdd(twentyOneQuarters, d3 - d5, d7 - d1).Store(ref target, (nuint)(7 * step));
    }

    /// <summary>Aᵀ m for eight values (rows of Aᵀ: the powers 0…3 of the points 0, 1, −1, 2, −2, ½, −½, with ∞ in the
    /// last): y0 = m0 + Σ pairs, y1 = (m1 − m2) + 2 (m3 − m4) + ½ (m5 − m6), y2 = (m1 + m2) + 4 (m3 + m4) + ¼ (m5 + m6),
    /// y3 = (m1 − m2) + 8 (m3 − m4) + ⅛ (m5 − m6) + m7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputFour<TBlock>(TBlock m0, TBlock m1, TBlock m2, TBlock m3, TBlock m4, TBlock m5, TBlock m6, TBlock m7,
        out TBlock y0, out TBlock y1, out TBlock y2, out TBlock y3)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        TBlock sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4, sum56 = m5 + m6, difference56 = m5 - m6;
        y0 = m0 + sum12 + sum34 + sum56;
        y1 = TBlock.MultiplyAdd(TBlock.Broadcast(0.5f), difference56, TBlock.MultiplyAdd(TBlock.Broadcast(2f), difference34, difference12));
        y2 = TBlock.MultiplyAdd(TBlock.Broadcast(0.25f), sum56, TBlock.MultiplyAdd(TBlock.Broadcast(4f), sum34, sum12));
        y3 = TBlock.MultiplyAdd(TBlock.Broadcast(0.125f), difference56, TBlock.MultiplyAdd(TBlock.Broadcast(8f), difference34, difference12 + m7));
    }

    // ---------------------------------------------------------------------------------------------
    // The weight gradient's: A on the output gradients, Gᵀ on the tile sums
    // ---------------------------------------------------------------------------------------------

    /// <summary>Ŷ[position][tile] = (A dY Aᵀ)[position] for every tile's 4×4 output gradient dY (zeros past the edge):
    /// A down each of dY's four columns (into a stack block of 8×4), then across each of the eight rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutputGradients<TShape, TBlock>(ReadOnlySpan<float> outputGradient, Span<float> target)
        where TShape : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int oc = TShape.OutChannels, across = Winograd.TilesAcross<TShape>(TileSide), tiles = Winograd.TilesDown<TShape>(TileSide) * across, outWidth = TShape.OutWidth;
        int positionStep = tiles * oc;
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        ref var t = ref MemoryMarshal.GetReference(target);
        Span<TBlock> block = stackalloc TBlock[WindowSide * TileSide]; // [row i][column of dY]
        ref var r = ref MemoryMarshal.GetReference(block);
        for (var tile = 0; tile < tiles; tile++)
        {
            int oy = tile / across * TileSide, ox = tile % across * TileSide;
            int rows = Math.Min(TileSide, TShape.OutHeight - oy), columns = Math.Min(TileSide, outWidth - ox);
            for (var o = 0; o < oc; o += Lanes)
            {
                ref var corner = ref Unsafe.Add(ref g, (oy * outWidth + ox) * oc + o);
                for (var column = 0; column < TileSide; column++)
                {
                    ref var pixel = ref Unsafe.Add(ref corner, column * oc);
                    var inside = column < columns;
                    SpreadFour(inside ? TBlock.Load(ref pixel) : default,
                        inside && rows > 1 ? TBlock.Load(ref pixel, (nuint)(outWidth * oc)) : default,
                        inside && rows > 2 ? TBlock.Load(ref pixel, (nuint)(2 * outWidth * oc)) : default,
                        inside && rows > 3 ? TBlock.Load(ref pixel, (nuint)(3 * outWidth * oc)) : default,
                        ref Unsafe.Add(ref r, column), TileSide);
                }
                ref var tileTarget = ref Unsafe.Add(ref t, tile * oc + o);
                for (var i = 0; i < WindowSide; i++)
                {
                    ref var row = ref Unsafe.Add(ref r, i * TileSide);
                    SpreadFour(row, Unsafe.Add(ref row, 1), Unsafe.Add(ref row, 2), Unsafe.Add(ref row, 3),
                        ref Unsafe.As<float, TBlock>(ref Unsafe.Add(ref tileTarget, i * WindowSide * positionStep)), positionStep / Lanes);
                }
            }
        }
    }

    /// <summary>A y for four values y0…y3 (A's rows are Aᵀ's columns, <see cref="OutputFour"/>: the points' powers
    /// 0…3), into blocks <paramref name="step"/> apart: y0, then (y0 + y2) ± (y1 + y3), (y0 + 4 y2) ± (2 y1 + 8 y3),
    /// (y0 + ¼ y2) ± (½ y1 + ⅛ y3), and y3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadFour<TBlock>(TBlock y0, TBlock y1, TBlock y2, TBlock y3, ref TBlock target, int step)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        target = y0;
        var even = y0 + y2;
        var odd = y1 + y3;
        Unsafe.Add(ref target, step) = even + odd;
        Unsafe.Add(ref target, 2 * step) = even - odd;
        even = TBlock.MultiplyAdd(TBlock.Broadcast(4f), y2, y0);
        odd = TBlock.MultiplyAdd(TBlock.Broadcast(8f), y3, y1 + y1);
        Unsafe.Add(ref target, 3 * step) = even + odd;
        Unsafe.Add(ref target, 4 * step) = even - odd;
        even = TBlock.MultiplyAdd(TBlock.Broadcast(0.25f), y2, y0);
        odd = TBlock.MultiplyAdd(TBlock.Broadcast(0.125f), y3, TBlock.Broadcast(0.5f) * y1);
        Unsafe.Add(ref target, 5 * step) = even + odd;
        Unsafe.Add(ref target, 6 * step) = even - odd;
        Unsafe.Add(ref target, 7 * step) = y3;
    }

    /// <summary>Gᵀ m for eight values: the five kernel taps (Gᵀ's rows are G's columns, see <see cref="KernelEight"/>),
    /// with the pairs' sums p and differences q: k0 = m0 − 2/9 p12 + 1/90 p34 + 32/45 p56, k1 = −2/9 q12 + 1/45 q34 +
    /// 16/45 q56, k2 = −2/9 p12 + 2/45 p34 + 8/45 p56, k3 = −2/9 q12 + 4/45 q34 + 4/45 q56, k4 = −2/9 p12 + 8/45 p34 +
    /// 2/45 p56 + m7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InverseEight<TBlock>(TBlock m0, TBlock m1, TBlock m2, TBlock m3, TBlock m4, TBlock m5, TBlock m6, TBlock m7,
        out TBlock k0, out TBlock k1, out TBlock k2, out TBlock k3, out TBlock k4)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        TBlock p12 = m1 + m2, q12 = m1 - m2, p34 = m3 + m4, q34 = m3 - m4, p56 = m5 + m6, q56 = m5 - m6;
        var minusTwoNinths = TBlock.Broadcast(-2f / 9);
        var p = minusTwoNinths * p12;
        var q = minusTwoNinths * q12;
        k0 = TBlock.MultiplyAdd(TBlock.Broadcast(32f / 45), p56, TBlock.MultiplyAdd(TBlock.Broadcast(1f / 90), p34, p + m0));
        k1 = TBlock.MultiplyAdd(TBlock.Broadcast(16f / 45), q56, TBlock.MultiplyAdd(TBlock.Broadcast(1f / 45), q34, q));
        k2 = TBlock.MultiplyAdd(TBlock.Broadcast(8f / 45), p56, TBlock.MultiplyAdd(TBlock.Broadcast(2f / 45), p34, p));
        k3 = TBlock.MultiplyAdd(TBlock.Broadcast(4f / 45), q56, TBlock.MultiplyAdd(TBlock.Broadcast(4f / 45), q34, q));
        k4 = TBlock.MultiplyAdd(TBlock.Broadcast(2f / 45), p56, TBlock.MultiplyAdd(TBlock.Broadcast(8f / 45), p34, p + m7));
    }
}
