using System.Numerics.Tensors;

namespace StaticConvNet.Kernels;

/// <summary>Softmax cross-entropy of one image's logits against its label, the notebook's loss.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>Returns −log softmax(logits)[label] and writes gradientScale · (softmax − onehot) into
    /// <paramref name="logitsGradient"/> (scale 1/batch gives the gradient of the batch mean).</summary>
    public static float Compute(ReadOnlySpan<float> logits, int label, Span<float> logitsGradient, float gradientScale)
    {
        if ((uint)label >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Label must be in 0..{logits.Length - 1}.");
        TensorPrimitives.SoftMax(logits, logitsGradient);
        var loss = LogSumExp(logits) - logits[label];
        logitsGradient[label] -= 1f;
        TensorPrimitives.Multiply(logitsGradient, gradientScale, logitsGradient);
        return loss;
    }

    /// <summary>The loss alone, computed stably as logsumexp(logits) − logits[label].</summary>
    public static float Loss(ReadOnlySpan<float> logits, int label)
    {
        if ((uint)label >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Label must be in 0..{logits.Length - 1}.");
        return LogSumExp(logits) - logits[label];
    }

    private static float LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = TensorPrimitives.Max(logits);
        var sum = 0f;
        foreach (var z in logits) sum += MathF.Exp(z - max);
        return max + MathF.Log(sum);
    }
}
