using System.Numerics.Tensors;

namespace StaticConvNet.Training;

/// <summary>TensorFlow's <c>tf.train.exponential_decay</c>: lr · rate^(step / decaySteps), with the exponent
/// floored when <paramref name="Staircase"/> is set.</summary>
public readonly record struct LearningRateSchedule(float InitialRate, int DecaySteps = 0, float DecayRate = 1f, bool Staircase = false)
{
    public float At(long step)
    {
        if (DecaySteps <= 0 || DecayRate == 1f) return InitialRate;
        var exponent = (double)step / DecaySteps;
        if (Staircase) exponent = Math.Floor(exponent);
        return (float)(InitialRate * Math.Pow(DecayRate, exponent));
    }

    /// <summary>"0.05", or "0.1 x 0.96^(step/100000, staircase)" when it decays.</summary>
    public override string ToString()
        => DecaySteps > 0 && DecayRate != 1f
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{InitialRate} x {DecayRate}^(step/{DecaySteps}{(Staircase ? ", staircase" : "")})")
            : InitialRate.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
