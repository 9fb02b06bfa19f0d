namespace StaticConvNet.Kernels;

/// <summary>Shape of one pooling layer (max or average), resolved at compile time. Images are HWC; the window is
/// <see cref="Size"/> square, moved <see cref="Stride"/> at a time, with <see cref="PadTop"/> rows and
/// <see cref="PadLeft"/> columns of padding before the image (TensorFlow's SAME split; 0 for VALID).</summary>
public readonly record struct PoolShape(
    int InHeight, int InWidth, int Channels, int OutHeight, int OutWidth,
    int Size, int Stride, int PadTop, int PadLeft)
{
    public int InputLength => InHeight * InWidth * Channels;
    public int OutputLength => OutHeight * OutWidth * Channels;

    /// <summary>The input rows [from, to) the window of output row <paramref name="outputRow"/> covers, clipped to
    /// the image. Every SAME or VALID window holds at least one real pixel.</summary>
    internal (int From, int To) Rows(int outputRow) => Clip(outputRow * Stride - PadTop, InHeight);

    /// <summary>The input columns [from, to) the window of output column <paramref name="outputColumn"/> covers, clipped.</summary>
    internal (int From, int To) Columns(int outputColumn) => Clip(outputColumn * Stride - PadLeft, InWidth);

    private (int From, int To) Clip(int from, int extent) => (Math.Max(from, 0), Math.Min(from + Size, extent));
}
