using System.Runtime.CompilerServices;
using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>Stochastic gradient descent, optionally with (heavy-ball) momentum as <c>tf.train.MomentumOptimizer</c>:
/// v ← μ·v + g, p ← p − lr·v. Plain SGD (μ = 0) is the notebook's <c>GradientDescentOptimizer</c>.</summary>
public sealed class SgdOptimizer(int parameterCount, float momentum = 0f) : Optimizer
{
    private float _learningRate;

    /// <summary>The momentum buffer; part of a checkpoint so a resumed run continues exactly.</summary>
    public float[] Velocity { get; } = new float[parameterCount];

    public float Momentum { get; } = momentum;

    public override int ParameterCount { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => Velocity.Length; } // read by every StepSlice

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void StartStepCore(float learningRate) => _learningRate = learningRate;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void StepSliceCore(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        if (Momentum == 0f)
        {
            Axpy.Apply(-_learningRate, gradients, parameters, parameters);
            return;
        }
        var velocity = Velocity.AsSpan(offset, parameters.Length);
        Axpy.Apply(Momentum, velocity, gradients, velocity);
        Axpy.Apply(-_learningRate, velocity, parameters, parameters);
    }
}
