using System.Globalization;
using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>Decides when a run has diverged, and says why. A confident network is not a diverged one: its loss
/// approaches 0 while its largest logits grow into the hundreds, which the stable softmax takes in its stride. A run has
/// diverged when a step's loss is not finite because its logits are not (the network itself blew up), or when the
/// loss has grown by <see cref="GrowthFactor"/> over where it had been (the usual sign that a learning rate is too
/// high, seen before the NaNs arrive).</summary>
public sealed class DivergenceWatch
{
    /// <summary>Three orders of magnitude: far beyond the noise of one minibatch against the recent average.</summary>
    public const float GrowthFactor = 1000f;

    // The loss a step is weighed against: the lowest that an exponential average of the recent losses has been, but
    // never below the loss of a uniform guess, log(classes), so a step that meets a few hard images after thousands of
    // near-zero losses is not taken for divergence. The lowest, not the current average: a loss that grows by half
    // each step drags a moving average along with it and would never be a thousand times it.
    private readonly float _floor;
    private float _recent = float.NaN;
    private float _lowest = float.PositiveInfinity;

    public DivergenceWatch(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        _floor = MathF.Log(Math.Max(classes, 2)); // one class has a loss of 0 whatever happens: weigh it as two
    }

    /// <summary>The loss a step must exceed to count as grown by orders of magnitude.</summary>
    public float Limit
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => GrowthFactor * MathF.Max(_floor, float.IsPositiveInfinity(_lowest) ? _floor : _lowest);
    }

    /// <summary>Null while the run is healthy; otherwise one sentence saying which value was not finite or how far the
    /// loss grew. <paramref name="logits"/> gives the training pass's logits, [count × classes]; it is read only when
    /// the loss is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // every step (a string only when something is wrong)
    public string? Check(float loss, int count, Func<int, float[]> logits)
    {
        if (!float.IsFinite(loss)) return NotFinite(loss, count, logits(count));
        if (loss > Limit)
            return string.Create(CultureInfo.InvariantCulture, $"the mean loss grew to {loss:G4}, over {GrowthFactor:G} times the lowest it had averaged");
        _recent = float.IsNaN(_recent) ? loss : 0.9f * _recent + 0.1f * loss;
        _lowest = MathF.Min(_lowest, _recent);
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string NotFinite(float loss, int count, float[] logits)
    {
        var classes = logits.Length / count;
        for (var i = 0; i < logits.Length; i++)
        {
            if (!float.IsFinite(logits[i]))
                return $"the loss became {Describe(loss)}: logit {i % classes} of image {i / classes} in the batch is {Describe(logits[i])}";
        }
        // Only a spread of logits beyond float's range gets here (the loss is their difference).
        return $"the loss became {Describe(loss)}, though every logit was finite: they span more than a float can hold";
    }

    private static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";
}
