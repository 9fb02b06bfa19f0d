namespace StaticConvNet;

/// <summary>A layer's weights as <see cref="Rows"/> rows of <see cref="RowLength"/> parameters from <see cref="Offset"/>
/// on (a dense layer's: a row per input, a weight per output).</summary>
public readonly record struct WeightRows(int Offset, int Rows, int RowLength)
{
    /// <summary>How many parameters the rows hold.</summary>
    public int Length => Rows * RowLength;

    /// <summary>Half <paramref name="half"/> (0 or 1) of the rows, cut at a multiple of
    /// <see cref="Kernels.Dense.RowCut"/> rows (the cut <see cref="Kernels.Dense.WeightGradientOfShards"/> takes), as the
    /// parameters they hold.</summary>
    public ParameterRange Half(int half)
    {
        var (first, rows) = CoreTeam.Half(Rows, half, multipleOf: Kernels.Dense.RowCut);
        return new ParameterRange(Offset + first * RowLength, rows * RowLength);
    }
}
