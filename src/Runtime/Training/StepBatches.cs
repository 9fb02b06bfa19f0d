using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>A training run's minibatches, two deep: while the two cores apply one step's update, each to its half of
/// the parameters, they fill (and shift) the next step's batch, each its half of the images. Which images a batch
/// holds, and how they are shifted, are the same pure functions of (seed, step) as ever (<see cref="Minibatches"/>),
/// and the update is element by element, so runs are the same bits, on one core or two.</summary>
/// <remarks>Measured on a two-core Zen 5 inside <c>scn train</c>: at batch 16 the fill took 5–7 µs and SGD's update
/// 3–7 µs of a 170–400 µs step, one after the other on one core while the other waited; with the best recipe
/// (batch 32, shifts, Adam) the fill and shifts took about 28 µs and Adam's update about 40. The update of every
/// parameter on one core, beside the fill on the other, then took 6.5 µs at arch1 (2.7 on one core alone, 31 when the
/// host had the two virtual CPUs far apart): it wrote lines the other core held.</remarks>
internal sealed class StepBatches
{
    private readonly Dataset _train;
    private readonly int[] _order;
    private readonly int _seed, _batchSize, _shift;
    private readonly float[][] _images;
    private readonly int[][] _labels;
    private readonly float[][]? _shifted; // one image's room for the shifts per half, reused from step to step
    private readonly ITrainingDevice _device;
    private int _current;

    // What UpdateWhileFilling's two halves do: made once, so a step allocates nothing. The two arguments of a call wait
    // in fields for the halves to read (CoreTeam publishes them to the helper).
    private readonly Action<int> _updateAndFill;
    private float _learningRate;
    private long _nextStep;

    /// <param name="device">Whose update runs beside the fill, in halves (<see cref="ITrainingDevice.UpdateHalf"/>).</param>
    public StepBatches(Dataset train, int[] order, int seed, int batchSize, int shift, ITrainingDevice device)
    {
        (_train, _order, _seed, _batchSize, _shift, _device) = (train, order, seed, batchSize, shift, device);
        _images = [new float[batchSize * train.ImageLength], new float[batchSize * train.ImageLength]];
        _labels = [new int[batchSize], new int[batchSize]];
        _shifted = shift > 0 ? [new float[train.ImageLength], new float[train.ImageLength]] : null;
        _updateAndFill = UpdateAndFill;
    }

    /// <summary>The current step's images, laid end to end.</summary>
    public float[] Images => _images[_current];

    /// <summary>The current step's labels.</summary>
    public int[] Labels => _labels[_current];

    /// <summary>Fills the current batch with <paramref name="step"/>'s: the run's first.</summary>
    public void Fill(long step)
    {
        FillInto(_current, step, 0);
        FillInto(_current, step, 1);
    }

    /// <summary>Updates with <paramref name="learningRate"/> while filling <paramref name="nextStep"/>'s batch, on both
    /// cores; that batch then becomes the current one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UpdateWhileFilling(float learningRate, long nextStep)
    {
        (_learningRate, _nextStep) = (learningRate, nextStep);
        _device.StartUpdate(learningRate);
        CoreTeam.Run(_updateAndFill);
        _current ^= 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdateAndFill(int half)
    {
        _device.UpdateHalf(_learningRate, half);
        FillInto(_current ^ 1, _nextStep, half);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillInto(int buffer, long step, int half)
    {
        var (first, count) = CoreTeam.Half(_batchSize, half);
        Minibatches.Fill(_train, _order, step, _batchSize, _images[buffer], _labels[buffer], first, count);
        if (_shifted is not null) Minibatches.Shift(_train, _seed, step, _shift, _images[buffer], _shifted[half], first, count);
    }
}
