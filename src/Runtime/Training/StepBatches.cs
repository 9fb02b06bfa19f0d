using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>A training run's minibatches, two deep: while the calling core applies one step's update, the second core
/// fills (and shifts) the next step's batch. Which images a batch holds, and how they are shifted, are the same pure
/// functions of (seed, step) as ever (<see cref="Minibatches"/>), so runs are the same bits, on one core or two.</summary>
/// <remarks>Measured on a two-core Zen 5 inside <c>scn train</c>: at batch 16 the fill took 5–7 µs and SGD's update
/// 3–7 µs of a 170–400 µs step, one after the other on one core while the other waited; with the best recipe
/// (batch 32, shifts, Adam) the fill and shifts took about 28 µs and Adam's update about 40.</remarks>
internal sealed class StepBatches
{
    private readonly Dataset _train;
    private readonly int[] _order;
    private readonly int _seed, _batchSize, _shift;
    private readonly float[][] _images;
    private readonly int[][] _labels;
    private readonly float[]? _shifted; // one image's room for the shifts, reused from step to step
    private int _current;

    // The update, and what UpdateWhileFilling's two halves do: made once, so a step allocates nothing. The two
    // arguments of a call wait in fields for the halves to read (CoreTeam publishes them to the helper).
    private readonly Action<float> _update;
    private readonly Action<int> _updateAndFill;
    private float _learningRate;
    private long _nextStep;

    /// <param name="update">The step's update, given the learning rate: it runs on the calling thread.</param>
    public StepBatches(Dataset train, int[] order, int seed, int batchSize, int shift, Action<float> update)
    {
        (_train, _order, _seed, _batchSize, _shift, _update) = (train, order, seed, batchSize, shift, update);
        _images = [new float[batchSize * train.ImageLength], new float[batchSize * train.ImageLength]];
        _labels = [new int[batchSize], new int[batchSize]];
        _shifted = shift > 0 ? new float[train.ImageLength] : null;
        _updateAndFill = UpdateAndFill;
    }

    /// <summary>The current step's images, laid end to end.</summary>
    public float[] Images => _images[_current];

    /// <summary>The current step's labels.</summary>
    public int[] Labels => _labels[_current];

    /// <summary>Fills the current batch with <paramref name="step"/>'s: the run's first.</summary>
    public void Fill(long step) => FillInto(_current, step);

    /// <summary>Runs the update with <paramref name="learningRate"/> on this core while the other fills
    /// <paramref name="nextStep"/>'s batch, which then becomes the current one.</summary>
    public void UpdateWhileFilling(float learningRate, long nextStep)
    {
        (_learningRate, _nextStep) = (learningRate, nextStep);
        CoreTeam.Run(_updateAndFill);
        _current ^= 1;
    }

    private void UpdateAndFill(int half)
    {
        if (half == 0) _update(_learningRate);
        else FillInto(_current ^ 1, _nextStep);
    }

    private void FillInto(int buffer, long step)
    {
        Minibatches.Fill(_train, _order, step, _batchSize, _images[buffer], _labels[buffer]);
        if (_shifted is not null) Minibatches.Shift(_train, _seed, step, _batchSize, _shift, _images[buffer], _shifted);
    }
}
