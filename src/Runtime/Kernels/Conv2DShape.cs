using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>A convolution's shape as compile-time constants: the generator emits one struct per convolution layer
/// implementing this with its own numbers, and <see cref="Conv2D"/>'s kernels, generic over it, are compiled by the
/// JIT for that layer alone, every size an immediate.</summary>
public interface IConv2DShape
{
    static abstract int InHeight { get; }
    static abstract int InWidth { get; }
    static abstract int InChannels { get; }
    static abstract int OutHeight { get; }
    static abstract int OutWidth { get; }
    static abstract int OutChannels { get; }
    static abstract int Patch { get; }
    static abstract int Stride { get; }
    static abstract int PadTop { get; }
    static abstract int PadLeft { get; }
}

/// <summary>What follows from a shape, computed from its constants: inlined (the JIT would otherwise keep a call
/// per use in the kernels' loops), each is a constant too.</summary>
internal static class Geometry<T> where T : struct, IConv2DShape
{
    public static int InputLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.InHeight * T.InWidth * T.InChannels; }
    public static int OutputLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutHeight * T.OutWidth * T.OutChannels; }
    public static int WeightLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.Patch * T.Patch * T.InChannels * T.OutChannels; }

    /// <summary>Height and width of the zero-padded input every window of the output fits in.</summary>
    public static int PaddedHeight { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Larger(T.InHeight + T.PadTop, (T.OutHeight - 1) * T.Stride + T.Patch); }
    public static int PaddedWidth { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Larger(T.InWidth + T.PadLeft, (T.OutWidth - 1) * T.Stride + T.Patch); }
    public static int PaddedLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => PaddedHeight * PaddedWidth * T.InChannels; }

    /// <summary>Weight rows (kx, c) of one kernel row ky: they read consecutive values of a window row.</summary>
    public static int KernelRowLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.Patch * T.InChannels; }
    public static int WeightRows { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.Patch * KernelRowLength; }

    /// <summary>The shape as error messages name it.</summary>
    public static string Text => $"{T.InHeight}x{T.InWidth}x{T.InChannels} -> {T.OutHeight}x{T.OutWidth}x{T.OutChannels}, " +
        $"{T.Patch}x{T.Patch} patch, stride {T.Stride}, padding {T.PadTop} top {T.PadLeft} left";

    // A conditional, not Math.Max: the JIT folds it when both sides are constants.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Larger(int a, int b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Smaller(int a, int b) => a < b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int CeilingDivide(int a, int b) => (a + b - 1) / b;
}

/// <summary>The register blocks of <see cref="Conv2D"/>'s blocked kernels for a shape and a block type: as many
/// accumulators as the block's register file holds (<see cref="IChannelBlock{TSelf}.Accumulators"/>), each a constant
/// of the layer and the machine, inlined so the JIT drops the accumulators past it.</summary>
internal static class Blocking<T, TBlock> where T : struct, IConv2DShape where TBlock : unmanaged, IChannelBlock<TBlock>
{
    /// <summary>The forward kernel's register block: up to <see cref="MaxBlockPixels"/> output pixels, a whole row
    /// (or rows) where it fits, else the row split into equal parts; short rows are stacked so the block still has
    /// enough independent FMA chains to hide the FMA latency (4 cycles × 2 pipes needs 8; a 256-bit block is two
    /// chains, a 128-bit one four).</summary>
    public static int MaxBlockPixels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Geometry<T>.Smaller(14, TBlock.Accumulators); }
    public static int BlockColumns { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutWidth >= MaxBlockPixels ? Geometry<T>.CeilingDivide(T.OutWidth, Geometry<T>.CeilingDivide(T.OutWidth, MaxBlockPixels)) : T.OutWidth; }
    public static int BlockRows { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutWidth >= MaxBlockPixels ? 1 : Geometry<T>.Smaller(MaxBlockPixels / T.OutWidth, T.OutHeight); }
    public static int BlockPixels { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => BlockRows * BlockColumns; }

    /// <summary>The weight-gradient kernel's register group: every weight row (ky, kx, c) at once where they fit beside
    /// the gradient row in the registers, else each kernel row in equal groups (the last one may be shorter).</summary>
    public static int MaxGradientRows { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Geometry<T>.Smaller(28, TBlock.Accumulators); }
    public static int GradientGroup { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Geometry<T>.CeilingDivide(Geometry<T>.KernelRowLength, Geometry<T>.CeilingDivide(Geometry<T>.KernelRowLength, MaxGradientRows)); }
    public static int LastGradientGroup { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Geometry<T>.KernelRowLength - (Geometry<T>.CeilingDivide(Geometry<T>.KernelRowLength, GradientGroup) - 1) * GradientGroup; }

    /// <summary>Kernel rows per group of the strided input-gradient kernel: the whole patch where its taps fit in
    /// registers (up to 5x5 with AVX-512), else one kernel row (up to 28 taps with AVX-512, <see cref="Conv2D.Narrow"/>
    /// with a narrower block; wider patches take the generic path; a row of more taps than x64's 16 xmm registers hold
    /// as blocks spills).</summary>
    public static int TapRows { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.Patch * T.Patch <= Geometry<T>.Smaller(28, TBlock.Accumulators) ? T.Patch : 1; }
}

/// <summary>At stride 1 the input gradient of a convolution is the convolution of the output gradient, padded by
/// Patch − 1 − pad, with the weights rotated 180° and their channels swapped: this is that convolution's shape.</summary>
internal readonly struct InputGradientShape<T> : IConv2DShape where T : struct, IConv2DShape
{
    public static int InHeight => T.OutHeight;
    public static int InWidth => T.OutWidth;
    public static int InChannels => T.OutChannels;
    public static int OutHeight => T.InHeight;
    public static int OutWidth => T.InWidth;
    public static int OutChannels => T.InChannels;
    public static int Patch => T.Patch;
    public static int Stride => 1;
    // Read where a large kernel's inlining budget has run out: optimised at the first call, never recompiled mid-run.
    public static int PadTop { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => T.Patch - 1 - T.PadTop; }
    public static int PadLeft { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => T.Patch - 1 - T.PadLeft; }
}
