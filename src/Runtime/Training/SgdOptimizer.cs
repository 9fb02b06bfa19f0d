using System.Numerics.Tensors;

namespace StaticConvNet;

/// <summary>Stochastic gradient descent, optionally with (heavy-ball) momentum as <c>tf.train.MomentumOptimizer</c>:
/// v ← μ·v + g, p ← p − lr·v. Plain SGD (μ = 0) is the notebook's <c>GradientDescentOptimizer</c>.</summary>
public sealed class SgdOptimizer(int parameterCount, float momentum = 0f) : Optimizer
{
    /// <summary>The momentum buffer; part of a checkpoint so a resumed run continues exactly.</summary>
    public float[] Velocity { get; } = new float[parameterCount];

    public float Momentum { get; } = momentum;

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        CheckLengths(Velocity.Length, parameters.Length, gradients.Length);
        if (Momentum == 0f)
        {
            TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
            return;
        }
        TensorPrimitives.MultiplyAdd(Velocity, Momentum, gradients, Velocity);
        TensorPrimitives.MultiplyAdd(Velocity, -learningRate, parameters, parameters);
    }
}
