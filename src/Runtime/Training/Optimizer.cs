using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>An update rule: parameters ← f(parameters, gradients, learning rate, its own state). Its state is part of
/// a checkpoint, so a resumed run continues exactly.</summary>
/// <remarks>An update is <see cref="StartStep"/> (what the whole step shares: Adam's step count and bias corrections),
/// then <see cref="StepSlice"/> over slices that cover the parameters once each. Every rule here is element by element,
/// so the slices may run in any order, or at once on two cores, and give the bits <see cref="Step"/> gives.</remarks>
public abstract class Optimizer
{
    /// <summary>The parameters this optimizer's state is for.</summary>
    public abstract int ParameterCount { get; }

    /// <summary>One whole update: <see cref="StartStep"/>, then <see cref="StepSlice"/> over all the parameters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (parameters.Length != ParameterCount || gradients.Length != ParameterCount)
            throw new ArgumentException($"Optimizer holds {ParameterCount} parameters, got {parameters.Length} parameters and {gradients.Length} gradients.");
        StartStep(learningRate);
        StepSlice(parameters, gradients, 0);
    }

    // Whether an update has been started: a slice before any would update with a learning rate of zero.
    private bool _started;

    /// <summary>Starts an update with <paramref name="learningRate"/>; on one thread, before its slices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StartStep(float learningRate)
    {
        StartStepCore(learningRate);
        _started = true;
    }

    /// <summary>Updates <paramref name="parameters"/>, the parameters from index <paramref name="offset"/> on, with their
    /// <paramref name="gradients"/>, as the update <see cref="StartStep"/> started.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StepSlice(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        if (!_started) throw new InvalidOperationException("StepSlice before StartStep: start the update first (Step does both).");
        if (parameters.Length != gradients.Length || offset < 0 || offset > ParameterCount - parameters.Length)
            throw new ArgumentException($"Optimizer holds {ParameterCount} parameters, got a slice of {parameters.Length} parameters and {gradients.Length} gradients from {offset}.");
        StepSliceCore(parameters, gradients, offset);
    }

    /// <summary>The rule's part of <see cref="StartStep"/>: what every slice of the step reads.</summary>
    protected abstract void StartStepCore(float learningRate);

    /// <summary>The rule's part of <see cref="StepSlice"/>, the slice checked.</summary>
    protected abstract void StepSliceCore(Span<float> parameters, ReadOnlySpan<float> gradients, int offset);

    /// <summary>The optimizer <paramref name="options"/> asks for, for <paramref name="parameterCount"/> parameters.</summary>
    public static Optimizer For(TrainingOptions options, int parameterCount) => options.Optimizer switch
    {
        OptimizerKind.Sgd => new SgdOptimizer(parameterCount, options.Momentum),
        OptimizerKind.Adam => new AdamOptimizer(parameterCount),
        OptimizerKind.AdamW => new AdamOptimizer(parameterCount, weightDecay: options.WeightDecay),
        var other => throw new ArgumentOutOfRangeException(nameof(options), other, "Unknown optimizer."),
    };
}
