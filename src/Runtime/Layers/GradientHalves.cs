using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>How a training step shares its parameters' gradients between the two cores: each core sums its half, then
/// updates those parameters (<see cref="BatchRunner.GradientHalf"/>), so that it writes lines it already holds.</summary>
/// <remarks>Two ways, by the batch. A batch of several passes (or of staged passes) keeps every parameter's gradient
/// in each shard's buffer, summed from pass to pass, and the halves are <see cref="BatchRunner.ParameterHalf"/>'s.
/// A batch of one pass leaves the network's whole-batch weights (<see cref="ISamplePasses.WholeBatchWeights"/>) out
/// of the shards' buffers and computes their gradients after both shards' passes; then a core's half is half of the
/// other parameters (the shard sums) and half of each such layer's rows, so that each core has half of both kinds of
/// work. Cut at ParameterHalf alone, arch3's first half held 15,000 of the shard sums and its second half most of the
/// dense rows (4.0 against 2.2 µs on the Zen 5).</remarks>
internal sealed class GradientHalves
{
    private readonly ParameterRange[] _everyParameter;
    private readonly ParameterRange[] _shardSums; // in a batch of one pass: all but the whole-batch weights
    private readonly ParameterRange[][] _parameterHalves;
    private readonly ParameterRange[][] _wholeBatchHalves;
    private readonly ParameterRange[][] _shardSumHalves;

    /// <param name="wholeBatch">The network's whole-batch weights: in order, apart and within the parameters.</param>
    public GradientHalves(ReadOnlySpan<WeightRows> wholeBatch, int parameterCount)
    {
        _shardSums = Outside(wholeBatch, parameterCount);
        _everyParameter = [new ParameterRange(0, parameterCount)];
        HasWholeBatchWeights = !wholeBatch.IsEmpty;
        _parameterHalves = [[Range(BatchRunner.ParameterHalf(parameterCount, 0))], [Range(BatchRunner.ParameterHalf(parameterCount, 1))]];
        _shardSumHalves = Halve(_shardSums);
        _wholeBatchHalves = new ParameterRange[2][];
        for (var half = 0; half < 2; half++)
        {
            var ranges = new List<ParameterRange>(_shardSumHalves[half]);
            foreach (var rows in wholeBatch) ranges.Add(rows.Half(half));
            _wholeBatchHalves[half] = Joined(ranges);
        }
    }

    /// <summary>Whether the network has whole-batch weights.</summary>
    public bool HasWholeBatchWeights { get; }

    /// <summary>The parameters whose gradients a shard's buffer holds: all of them, or, where a batch of one pass
    /// computes the whole-batch weights after the passes (<paramref name="wholeBatch"/>), all but those.</summary>
    public ReadOnlySpan<ParameterRange> ShardSumsIn(bool wholeBatch) => wholeBatch ? _shardSums : _everyParameter;

    /// <summary>The parameters core <paramref name="half"/> sums and updates, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<ParameterRange> Of(int half, bool wholeBatch) => (wholeBatch ? _wholeBatchHalves : _parameterHalves)[half];

    /// <summary>Of those, the ones summed from the shards' buffers (in a batch of one pass, the rest are whole-batch rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<ParameterRange> ShardSumsOf(int half, bool wholeBatch) => (wholeBatch ? _shardSumHalves : _parameterHalves)[half];

    private static ParameterRange Range((int Start, int Length) half) => new(half.Start, half.Length);

    /// <summary>The parameters outside <paramref name="wholeBatch"/>, as ranges.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per network: not worth a second compilation
    private static ParameterRange[] Outside(ReadOnlySpan<WeightRows> wholeBatch, int parameterCount)
    {
        var ranges = new List<ParameterRange>();
        var next = 0;
        foreach (var rows in wholeBatch)
        {
            if (rows.Offset < next || rows.Rows < 0 || rows.RowLength < 1 || rows.Offset + rows.Length > parameterCount)
                throw new ArgumentException($"The whole-batch weights {rows} are not in order, apart and within the {parameterCount} parameters.", nameof(wholeBatch));
            if (rows.Offset > next) ranges.Add(new ParameterRange(next, rows.Offset - next));
            next = rows.Offset + rows.Length;
        }
        if (next < parameterCount) ranges.Add(new ParameterRange(next, parameterCount - next));
        return [.. ranges];
    }

    /// <summary><paramref name="ranges"/> in two halves of as many floats, each in order; the cut moved up to a multiple
    /// of 16 floats, so that the two cores write different cache lines.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ParameterRange[][] Halve(ParameterRange[] ranges)
    {
        var total = 0;
        foreach (var range in ranges) total += range.Length;
        var (_, firstHalf) = CoreTeam.Half(total, 0);
        List<ParameterRange> first = [], second = [];
        foreach (var range in ranges)
        {
            var cut = firstHalf <= 0 ? range.Offset : Math.Min(range.End, (range.Offset + firstHalf + 15) / 16 * 16);
            if (cut > range.Offset) first.Add(new ParameterRange(range.Offset, cut - range.Offset));
            if (cut < range.End) second.Add(new ParameterRange(cut, range.End - cut));
            firstHalf -= cut - range.Offset;
        }
        return [[.. first], [.. second]];
    }

    /// <summary>The ranges in order, those that touch joined into one (fewer, longer updates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ParameterRange[] Joined(List<ParameterRange> ranges)
    {
        ranges.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var joined = new List<ParameterRange>();
        foreach (var range in ranges)
        {
            if (range.Length == 0) continue;
            if (joined.Count > 0 && joined[^1].End == range.Offset) joined[^1] = new ParameterRange(joined[^1].Offset, joined[^1].Length + range.Length);
            else joined.Add(range);
        }
        return [.. joined];
    }
}
