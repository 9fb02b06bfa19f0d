namespace StaticConvNet;

/// <summary>A square window sliding over an image (a convolution's patch or a pooling window), with the padding
/// TensorFlow puts before the input. The odd extra row/column of SAME padding goes after (bottom/right).</summary>
public readonly record struct WindowGeometry(int Size, int Stride, Padding Padding, int PadTop, int PadLeft)
{
    /// <summary>Rows of padding after the input.</summary>
    public int PadBottom(LayerShape input, LayerShape output) => Math.Max((output.Height - 1) * Stride + Size - input.Height - PadTop, 0);

    /// <summary>Columns of padding after the input.</summary>
    public int PadRight(LayerShape input, LayerShape output) => Math.Max((output.Width - 1) * Stride + Size - input.Width - PadLeft, 0);

    public override string ToString() => $"{Size}x{Size}, stride {Stride}, {(Padding == Padding.Same ? "SAME" : "VALID")}";
}
