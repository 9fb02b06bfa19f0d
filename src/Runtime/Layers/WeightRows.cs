namespace StaticConvNet;

/// <summary>A layer's weights as <see cref="Rows"/> rows of <see cref="RowLength"/> parameters from <see cref="Offset"/>
/// on (a dense layer's: a row per input, a weight per output).</summary>
public readonly record struct WeightRows(int Offset, int Rows, int RowLength)
{
    /// <summary>How many parameters the rows hold.</summary>
    public int Length => Rows * RowLength;

    /// <summary>Half <paramref name="half"/> (0 or 1) of the rows, as <see cref="Kernels.Dense.RowHalf"/> cuts them for
    /// <see cref="Kernels.Dense.WeightGradientOfShards"/>, as the parameters they hold.</summary>
    public ParameterRange Half(int half)
    {
        var (first, rows) = Kernels.Dense.RowHalf(Rows, half);
        return new ParameterRange(Offset + first * RowLength, rows * RowLength);
    }
}
