using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Shape of one pooling layer (max or average), resolved at compile time. Images are HWC; the window is
/// <see cref="Size"/> square, moved <see cref="Stride"/> at a time, with <see cref="PadTop"/> rows and
/// <see cref="PadLeft"/> columns of padding before the image (TensorFlow's SAME split; 0 for VALID).</summary>
public readonly record struct PoolShape(
    int InHeight, int InWidth, int Channels, int OutHeight, int OutWidth,
    int Size, int Stride, int PadTop, int PadLeft)
{
    /// <summary>Floats per SIMD register: channels go a register at a time where they fit.</summary>
    internal const int Lanes = 16;

    public int InputLength => InHeight * InWidth * Channels;
    public int OutputLength => OutHeight * OutWidth * Channels;

    /// <summary>True when the windows cover every input pixel exactly once (stride = size, no padding, no pixel left
    /// over): a backward pass can then write each input gradient once instead of clearing and adding.</summary>
    public bool Tiles => Stride == Size && PadTop == 0 && PadLeft == 0 && InHeight == OutHeight * Size && InWidth == OutWidth * Size;

    /// <summary>Where input pixel (<paramref name="row"/>, <paramref name="column"/>), channel <paramref name="channel"/> is.</summary>
    internal int Index(int row, int column, int channel) => (row * InWidth + column) * Channels + channel;

    /// <summary>Runs <paramref name="pass"/> on every window, in output order: for each output pixel, its channels a
    /// register (16) at a time where they fit (and Vector512 is accelerated), then one at a time. Both pooling kinds
    /// and both directions walk the windows this way; each pass says only what it does with one window.</summary>
    internal void ForEachWindow<TPass>(ref TPass pass) where TPass : struct, IPoolPass, allows ref struct
    {
        var vectorChannels = Vector512.IsHardwareAccelerated ? Channels / Lanes * Lanes : 0;
        for (var oy = 0; oy < OutHeight; oy++)
        {
            var (y0, y1) = Clip(oy * Stride - PadTop, InHeight);
            for (var ox = 0; ox < OutWidth; ox++)
            {
                var (x0, x1) = Clip(ox * Stride - PadLeft, InWidth);
                var window = new PoolWindow(y0, y1, x0, x1, (oy * OutWidth + ox) * Channels);
                for (var c = 0; c < vectorChannels; c += Lanes) pass.Register(window, c);
                for (var c = vectorChannels; c < Channels; c++) pass.Single(window, c);
            }
        }
    }

    /// <summary>The window's span [from, to) along an axis, clipped to the image: padding holds no input. Every SAME
    /// or VALID window holds at least one real pixel.</summary>
    private (int From, int To) Clip(int from, int extent) => (Math.Max(from, 0), Math.Min(from + Size, extent));
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
