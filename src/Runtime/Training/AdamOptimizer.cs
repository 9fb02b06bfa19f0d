using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>Adam, and AdamW when <see cref="WeightDecay"/> is set, computed as <c>torch.optim.Adam</c>/<c>AdamW</c> 1.13
/// compute them on the CPU (<c>Test_Adam</c> checks PyTorch's own bits at two lengths): the
/// settings are doubles, as Python's are, and each enters float arithmetic where PyTorch's does:
/// p ← p·(1 − lr·λ); m ← m·β1 + (1 − β1)·g; v ← v·β2 + (1 − β2)·g·g; p ← p + (−lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + ε),
/// left to right as written (PyTorch's addcdiv multiplies before it divides), the moments' last additions fused as
/// PyTorch's vectorised kernels fuse them where the hardware has a fused multiply-add (and, as PyTorch built for such a
/// machine does, a multiply then an add where it has none: never a fused multiply-add emulated in software).</summary>
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

    public override int ParameterCount { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => FirstMoment.Length; } // read by every StepSlice

    // What every slice of the step under way reads, set by StartStep.
    private float _keep, _minusStep, _root;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void StartStepCore(float learningRate)
    {
        Steps++;
        _keep = (float)(1 - learningRate * WeightDecay);
        _minusStep = (float)-(learningRate / (1 - Math.Pow(Beta1, Steps)));
        _root = (float)Math.Sqrt(1 - Math.Pow(Beta2, Steps));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void StepSliceCore(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        var (b1, b2) = ((float)Beta1, (float)Beta2);
        var (c1, c2) = ((float)(1 - Beta1), (float)(1 - Beta2));
        var (keep, minusStep, root) = (_keep, _minusStep, _root);
        var eps = (float)Epsilon;
        var first = FirstMoment.AsSpan(offset, parameters.Length);
        var second = SecondMoment.AsSpan(offset, parameters.Length);
        var i = 0;
        // Every element as a lane of PyTorch's vectorised kernels computes it (they cover a tensor's tail with a partial
        // vector too): the moments' last additions fused, then the rest in PyTorch's order. The vector loop and the plain
        // one below do the same operations, so they give the same bits and the split between them (and between slices)
        // does not matter.
        if (Vector.IsHardwareAccelerated)
        {
            var (vb1, vc1, vb2, vc2) = (new Vector<float>(b1), new Vector<float>(c1), new Vector<float>(b2), new Vector<float>(c2));
            var (vkeep, vstep, vroot, veps) = (new Vector<float>(keep), new Vector<float>(minusStep), new Vector<float>(root), new Vector<float>(eps));
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradients[i..]);
                var m = Vector.MultiplyAddEstimate(vc1, g, new Vector<float>(first[i..]) * vb1);
                var v = Vector.MultiplyAddEstimate(vc2 * g, g, new Vector<float>(second[i..]) * vb2);
                m.CopyTo(first[i..]);
                v.CopyTo(second[i..]);
                (new Vector<float>(parameters[i..]) * vkeep + vstep * m / (Vector.SquareRoot(v) / vroot + veps)).CopyTo(parameters[i..]);
            }
        }
        for (; i < parameters.Length; i++)
        {
            var g = gradients[i];
            var m = first[i] = float.MultiplyAddEstimate(c1, g, first[i] * b1);
            var v = second[i] = float.MultiplyAddEstimate(c2 * g, g, second[i] * b2);
            parameters[i] = parameters[i] * keep + minusStep * m / (MathF.Sqrt(v) / root + eps);
        }
    }
}
