using System.Numerics.Tensors;

namespace StaticConvNet.Training;

/// <summary>The learning rate per step. By default TensorFlow's <c>tf.train.exponential_decay</c>: lr · rate^(step /
/// decaySteps), with the exponent floored when <paramref name="Staircase"/> is set. With <paramref name="CosineSteps"/>
/// set, cosine decay instead (<c>tf.keras.optimizers.schedules.CosineDecay</c>): from lr down to
/// lr · <paramref name="CosineFloor"/> over that many steps after the warm-up, then flat. <paramref name="WarmupSteps"/>
/// (either kind) rises linearly from lr / WarmupSteps to lr first. A pure function of the step: a resumed run gets the
/// same rates.</summary>
public readonly record struct LearningRateSchedule(float InitialRate, int DecaySteps = 0, float DecayRate = 1f, bool Staircase = false,
    int WarmupSteps = 0, int CosineSteps = 0, float CosineFloor = 0f)
{
    /// <summary>Warm up over <paramref name="warmupSteps"/>, then cosine decay to <paramref name="floor"/> · peak by
    /// step <paramref name="totalSteps"/>.</summary>
    public static LearningRateSchedule Cosine(float peak, int totalSteps, int warmupSteps = 0, float floor = 0f)
        => new(peak, WarmupSteps: warmupSteps, CosineSteps: Math.Max(1, totalSteps - warmupSteps), CosineFloor: floor);

    public float At(long step)
    {
        if (step < WarmupSteps) return (float)((double)InitialRate * (step + 1) / WarmupSteps);
        if (CosineSteps > 0)
        {
            var progress = Math.Min(1.0, (double)(step - WarmupSteps) / CosineSteps);
            return (float)(InitialRate * (CosineFloor + (1 - CosineFloor) * 0.5 * (1 + Math.Cos(Math.PI * progress))));
        }
        if (DecaySteps <= 0 || DecayRate == 1f) return InitialRate;
        var exponent = (double)step / DecaySteps;
        if (Staircase) exponent = Math.Floor(exponent);
        return (float)(InitialRate * Math.Pow(DecayRate, exponent));
    }

    /// <summary>"0.05", "0.1 x 0.96^(step/100000, staircase)", "0.05 cosine to 0 over 9500 steps after 500 warm-up".</summary>
    public override string ToString()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var warmup = WarmupSteps > 0 ? string.Create(c, $" after {WarmupSteps} warm-up") : "";
        if (CosineSteps > 0) return string.Create(c, $"{InitialRate} cosine to {InitialRate * CosineFloor:G4} over {CosineSteps} steps{warmup}");
        return (DecaySteps > 0 && DecayRate != 1f
            ? string.Create(c, $"{InitialRate} x {DecayRate}^(step/{DecaySteps}{(Staircase ? ", staircase" : "")})")
            : InitialRate.ToString(c)) + (WarmupSteps > 0 ? string.Create(c, $", {WarmupSteps} warm-up steps") : "");
    }
}

/// <summary>Stochastic gradient descent, optionally with (heavy-ball) momentum as <c>tf.train.MomentumOptimizer</c>:
/// v ← μ·v + g, p ← p − lr·v. Plain SGD (μ = 0) is the notebook's <c>GradientDescentOptimizer</c>.</summary>
public sealed class SgdOptimizer(int parameterCount, float momentum = 0f)
{
    /// <summary>The momentum buffer; part of a checkpoint so a resumed run continues exactly.</summary>
    public float[] Velocity { get; } = new float[parameterCount];

    public float Momentum { get; } = momentum;

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (parameters.Length != Velocity.Length || gradients.Length != Velocity.Length)
            throw new ArgumentException($"Optimizer holds {Velocity.Length} parameters, got {parameters.Length} parameters and {gradients.Length} gradients.");
        if (Momentum == 0f)
        {
            TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
            return;
        }
        TensorPrimitives.MultiplyAdd(Velocity, Momentum, gradients, Velocity);
        TensorPrimitives.MultiplyAdd(Velocity, -learningRate, parameters, parameters);
    }
}
