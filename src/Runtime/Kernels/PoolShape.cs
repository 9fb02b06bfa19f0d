using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>A pooling layer's shape as compile-time constants: the generator emits one struct per pooling layer
/// implementing this, and <see cref="MaxPool"/>'s and <see cref="AvgPool"/>'s kernels, generic over it, are compiled by
/// the JIT for that layer alone. Images are HWC; the window is <see cref="Size"/> square, moved <see cref="Stride"/> at a
/// time, with <see cref="PadTop"/> rows and <see cref="PadLeft"/> columns of padding before the image (TensorFlow's
/// SAME split; 0 for VALID).</summary>
public interface IPoolShape
{
    static abstract int InHeight { get; }
    static abstract int InWidth { get; }
    static abstract int Channels { get; }
    static abstract int OutHeight { get; }
    static abstract int OutWidth { get; }
    static abstract int Size { get; }
    static abstract int Stride { get; }
    static abstract int PadTop { get; }
    static abstract int PadLeft { get; }
}

/// <summary>What follows from a pooling shape, and the walk over its windows, for shape <typeparamref name="T"/>: every
/// member is inlined, so each is a constant of the layer.</summary>
internal static class PoolWindows<T> where T : struct, IPoolShape
{
    /// <summary>Floats per SIMD register: channels go a register at a time where they fit.</summary>
    private const int Lanes = 16;

    public static int InputLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.InHeight * T.InWidth * T.Channels; }
    public static int OutputLength { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.OutHeight * T.OutWidth * T.Channels; }

    /// <summary>True when the windows cover every input pixel exactly once (stride = size, no padding, no pixel left
    /// over): a backward pass can then write each input gradient once instead of clearing and adding.</summary>
    public static bool Tiles
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => T.Stride == T.Size && T.PadTop == 0 && T.PadLeft == 0 && T.InHeight == T.OutHeight * T.Size && T.InWidth == T.OutWidth * T.Size;
    }

    /// <summary>The shape as error messages name it.</summary>
    public static string Text => $"{T.InHeight}x{T.InWidth}x{T.Channels} -> {T.OutHeight}x{T.OutWidth}x{T.Channels}, " +
        $"{T.Size}x{T.Size} window, stride {T.Stride}, padding {T.PadTop} top {T.PadLeft} left";

    /// <summary>Where input pixel (<paramref name="row"/>, <paramref name="column"/>), channel <paramref name="channel"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(int row, int column, int channel) => (row * T.InWidth + column) * T.Channels + channel;

    /// <summary>Runs <paramref name="pass"/> on every window, in output order: for each output pixel, its channels a
    /// block (16) at a time where they fit (and any vector width is accelerated), then one at a time. Both pooling kinds
    /// and both directions walk the windows this way; each pass says only what it does with one window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForEach<TPass>(ref TPass pass) where TPass : struct, IPoolPass, allows ref struct
    {
        var vectorChannels = Block128.IsAccelerated ? T.Channels / Lanes * Lanes : 0;
        for (var oy = 0; oy < T.OutHeight; oy++)
        {
            var (y0, y1) = Clip(oy * T.Stride - T.PadTop, T.InHeight);
            for (var ox = 0; ox < T.OutWidth; ox++)
            {
                var (x0, x1) = Clip(ox * T.Stride - T.PadLeft, T.InWidth);
                var window = new PoolWindow(y0, y1, x0, x1, (oy * T.OutWidth + ox) * T.Channels);
                for (var c = 0; c < vectorChannels; c += Lanes) pass.Register(window, c);
                for (var c = vectorChannels; c < T.Channels; c++) pass.Single(window, c);
            }
        }
    }

    /// <summary>The window's span [from, to) along an axis, clipped to the image: padding holds no input. Every SAME
    /// or VALID window holds at least one real pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int From, int To) Clip(int from, int extent) => (Math.Max(from, 0), Math.Min(from + T.Size, extent));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Check(int input, int output, string kernel)
    {
        if (input != InputLength || output != OutputLength)
            throw new ArgumentException($"{kernel} buffers ({input}, {output}) do not match shape {Text}.");
    }
}

/// <summary>One pooling window: the input rows [<see cref="Y0"/>, <see cref="Y1"/>) and columns
/// [<see cref="X0"/>, <see cref="X1"/>) it covers inside the image, and where its outputs start.</summary>
internal readonly record struct PoolWindow(int Y0, int Y1, int X0, int X1, int OutBase)
{
    /// <summary>How many input pixels the window covers: what TensorFlow's average divides by.</summary>
    public int Taps => (Y1 - Y0) * (X1 - X0);
}

/// <summary>What one pooling pass does with one window, for 16 channels from <c>channel</c> or for one.</summary>
internal interface IPoolPass
{
    void Register(in PoolWindow window, int channel);

    void Single(in PoolWindow window, int channel);
}
