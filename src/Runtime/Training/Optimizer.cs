using System.Numerics;
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

/// <summary>Which update rule a run uses.</summary>
public enum OptimizerKind
{
    /// <summary>SGD, with momentum when <see cref="TrainingOptions.Momentum"/> is set (the notebook's).</summary>
    Sgd,
    /// <summary>Adam (Kingma and Ba), as <c>torch.optim.Adam</c>: β1 0.9, β2 0.999, ε 1e-8.</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), as <c>torch.optim.AdamW</c>.</summary>
    AdamW,
}

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

/// <summary>Adam, and AdamW when <see cref="WeightDecay"/> is set, computed as <c>torch.optim.Adam</c>/<c>AdamW</c> 1.13
/// compute them on the CPU (<c>Test_Adam</c> checks PyTorch's own bits at two lengths): the
/// settings are doubles, as Python's are, and each enters float arithmetic where PyTorch's does:
/// p ← p·(1 − lr·λ); m ← m·β1 + (1 − β1)·g; v ← v·β2 + (1 − β2)·g·g; p ← p + (−lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + ε),
/// left to right as written (PyTorch's addcdiv multiplies before it divides), the moments' last additions fused as
/// PyTorch's vectorised kernels fuse them.</summary>
public sealed class AdamOptimizer(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0) : Optimizer
{
    public double Beta1 { get; } = beta1;
    public double Beta2 { get; } = beta2;
    public double Epsilon { get; } = epsilon;
    /// <summary>Decoupled weight decay λ (AdamW); 0 is plain Adam.</summary>
    public double WeightDecay { get; } = weightDecay;

    /// <summary>Updates so far (t), for the bias corrections.</summary>
    public long Steps { get; set; }
    public float[] FirstMoment { get; } = new float[parameterCount];
    public float[] SecondMoment { get; } = new float[parameterCount];

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        CheckLengths(FirstMoment.Length, parameters.Length, gradients.Length);
        Steps++;
        var (b1, b2) = ((float)Beta1, (float)Beta2);
        var (c1, c2) = ((float)(1 - Beta1), (float)(1 - Beta2));
        var keep = (float)(1 - learningRate * WeightDecay);
        var minusStep = (float)-(learningRate / (1 - Math.Pow(Beta1, Steps)));
        var root = (float)Math.Sqrt(1 - Math.Pow(Beta2, Steps));
        var eps = (float)Epsilon;
        var i = 0;
        // Every element as a lane of PyTorch's vectorised kernels computes it (they cover a tensor's tail with a partial
        // vector too): the moments' last additions fused, then the rest in PyTorch's order. The vector loop and the plain
        // one below do the same operations, so they give the same bits and the split between them does not matter.
        if (Vector.IsHardwareAccelerated)
        {
            var (vb1, vc1, vb2, vc2) = (new Vector<float>(b1), new Vector<float>(c1), new Vector<float>(b2), new Vector<float>(c2));
            var (vkeep, vstep, vroot, veps) = (new Vector<float>(keep), new Vector<float>(minusStep), new Vector<float>(root), new Vector<float>(eps));
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradients[i..]);
                var m = Vector.FusedMultiplyAdd(vc1, g, new Vector<float>(FirstMoment, i) * vb1);
                var v = Vector.FusedMultiplyAdd(vc2 * g, g, new Vector<float>(SecondMoment, i) * vb2);
                m.CopyTo(FirstMoment, i);
                v.CopyTo(SecondMoment, i);
                (new Vector<float>(parameters[i..]) * vkeep + vstep * m / (Vector.SquareRoot(v) / vroot + veps)).CopyTo(parameters[i..]);
            }
        }
        for (; i < parameters.Length; i++)
        {
            var g = gradients[i];
            var m = FirstMoment[i] = MathF.FusedMultiplyAdd(c1, g, FirstMoment[i] * b1);
            var v = SecondMoment[i] = MathF.FusedMultiplyAdd(c2 * g, g, SecondMoment[i] * b2);
            parameters[i] = parameters[i] * keep + minusStep * m / (MathF.Sqrt(v) / root + eps);
        }
    }
}
