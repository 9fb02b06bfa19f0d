namespace StaticConvNet;

/// <summary>An update rule: parameters ← f(parameters, gradients, learning rate, its own state). Its state is part of
/// a checkpoint, so a resumed run continues exactly.</summary>
public abstract class Optimizer
{
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate);

    /// <summary>The optimizer <paramref name="options"/> asks for, for <paramref name="parameterCount"/> parameters.</summary>
    public static Optimizer For(TrainingOptions options, int parameterCount) => options.Optimizer switch
    {
        OptimizerKind.Sgd => new SgdOptimizer(parameterCount, options.Momentum),
        OptimizerKind.Adam => new AdamOptimizer(parameterCount),
        OptimizerKind.AdamW => new AdamOptimizer(parameterCount, weightDecay: options.WeightDecay),
        var other => throw new ArgumentOutOfRangeException(nameof(options), other, "Unknown optimizer."),
    };

    protected static void CheckLengths(int expected, int parameters, int gradients)
    {
        if (parameters != expected || gradients != expected)
            throw new ArgumentException($"Optimizer holds {expected} parameters, got {parameters} parameters and {gradients} gradients.");
    }
}
