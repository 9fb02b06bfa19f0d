using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Softmax cross-entropy of one image's logits against its label, the notebook's loss. Both the loss and
/// its gradient are computed from exp(logits − max) (<see cref="Softmax"/>), so a very confident network, whose
/// largest logit may be in the hundreds, gets a loss near 0 and a finite gradient, not ∞/∞.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>Returns −log softmax(logits)[label] and writes gradientScale · (softmax − onehot) into
    /// <paramref name="logitsGradient"/> (scale 1/batch gives the gradient of the batch mean).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Compute(ReadOnlySpan<float> logits, int label, Span<float> logitsGradient, float gradientScale)
    {
        CheckLabel(logits, label);
        if (logitsGradient.Length != logits.Length)
            throw new ArgumentException($"{logits.Length} logits need a gradient of {logits.Length}, got {logitsGradient.Length}.", nameof(logitsGradient));
        var sum = Softmax.ShiftedExponentials(logits, logitsGradient, out var max);
        var loss = Softmax.NegativeLogProbability(sum, max, logits[label]); // the same bits as Loss
        for (var k = 0; k < logitsGradient.Length; k++) logitsGradient[k] /= sum;
        logitsGradient[label] -= 1f;
        for (var k = 0; k < logitsGradient.Length; k++) logitsGradient[k] *= gradientScale;
        return loss;
    }

    /// <summary>The loss alone, the same bits as <see cref="Compute"/> returns.</summary>
    public static float Loss(ReadOnlySpan<float> logits, int label)
    {
        CheckLabel(logits, label);
        return Softmax.NegativeLogProbability(logits, label);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckLabel(ReadOnlySpan<float> logits, int label)
    {
        if ((uint)label >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Label must be in 0..{logits.Length - 1}.");
    }
}
