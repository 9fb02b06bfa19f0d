namespace StaticConvNet.Kernels;

/// <summary>Per-thread scratch buffers for kernels (padded copies, transposed weights), grown once and reused,
/// so steady-state calls allocate nothing and concurrent threads never share one.</summary>
internal static class Scratch
{
    [ThreadStatic] private static float[]? _padded;
    [ThreadStatic] private static float[]? _gradient;
    [ThreadStatic] private static float[]? _weights;
    [ThreadStatic] private static float[]? _band;
    [ThreadStatic] private static float[]? _normalisation;
    [ThreadStatic] private static float[]? _winograd;
    [ThreadStatic] private static float[]? _winogradRows;
    [ThreadStatic] private static float[]? _zeros;

    public static Span<float> Padded(int length) => Get(ref _padded, length);
    public static Span<float> Gradient(int length) => Get(ref _gradient, length);
    public static Span<float> Weights(int length) => Get(ref _weights, length);
    public static Span<float> Band(int length) => Get(ref _band, length);
    public static Span<float> Normalisation(int length) => Get(ref _normalisation, length);
    public static Span<float> Winograd(int length) => Get(ref _winograd, length);
    public static Span<float> WinogradRows(int length) => Get(ref _winogradRows, length);

    /// <summary>Zeros to read in place of padding. Never written: a fresh array is zero.</summary>
    public static ReadOnlySpan<float> Zeros(int length) => Get(ref _zeros, length);

    private static Span<float> Get(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[Math.Max(length, 1024)];
        return buffer.AsSpan(0, length);
    }
}
