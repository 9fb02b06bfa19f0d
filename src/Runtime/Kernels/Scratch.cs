using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Per-thread scratch buffers for kernels (padded copies, transformed windows), grown once and reused,
/// so steady-state calls allocate nothing and concurrent threads never share one. Each starts on a 64-byte boundary
/// (<see cref="AlignedFloats"/>).</summary>
internal static class Scratch
{
    [ThreadStatic] private static AlignedFloats? _padded;
    [ThreadStatic] private static AlignedFloats? _gradient;
    [ThreadStatic] private static AlignedFloats? _band;
    [ThreadStatic] private static AlignedFloats? _normalisation;
    [ThreadStatic] private static AlignedFloats? _winograd;
    [ThreadStatic] private static AlignedFloats? _winogradRows;
    [ThreadStatic] private static AlignedFloats? _zeros;
    [ThreadStatic] private static AlignedFloats? _secondShard;

    public static Span<float> Padded(int length) => Get(ref _padded, length);
    public static Span<float> Gradient(int length) => Get(ref _gradient, length);
    public static Span<float> Band(int length) => Get(ref _band, length);
    public static Span<float> Normalisation(int length) => Get(ref _normalisation, length);
    public static Span<float> Winograd(int length) => Get(ref _winograd, length);
    public static Span<float> WinogradRows(int length) => Get(ref _winogradRows, length);

    public static Span<float> SecondShard(int length) => Get(ref _secondShard, length);

    /// <summary>Zeros to read in place of padding. Never written: a fresh buffer is zero.</summary>
    public static ReadOnlySpan<float> Zeros(int length) => Get(ref _zeros, length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Span<float> Get(ref AlignedFloats? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new AlignedFloats(Math.Max(length, 1024));
        return buffer.Slice(0, length);
    }
}
