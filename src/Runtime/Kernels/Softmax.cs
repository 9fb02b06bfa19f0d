using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Softmax computed stably: the largest logit is subtracted before exponentiating, so no exp overflows
/// however confident the network is (a logit past about 88.7 overflows float's exp on its own). A logit of −∞ among
/// finite ones gets probability 0; a NaN, a +∞, or all logits −∞ give NaN probabilities. The exponentials are summed
/// one after another in scalar code, so every SIMD tier gives the same bits (a network's classes are few; this is not
/// where time goes).</summary>
public static class Softmax
{
    /// <summary>Writes softmax(<paramref name="logits"/>) into <paramref name="probabilities"/> (they may be the same
    /// span).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Probabilities(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        if (logits.IsEmpty) throw new ArgumentException("Softmax needs at least one logit.", nameof(logits));
        if (probabilities.Length != logits.Length)
            throw new ArgumentException($"{logits.Length} logits need {logits.Length} probabilities, got {probabilities.Length}.", nameof(probabilities));
        var sum = ShiftedExponentials(logits, probabilities, out _);
        for (var k = 0; k < probabilities.Length; k++) probabilities[k] /= sum;
    }

    /// <summary>−log softmax(logits)[<paramref name="index"/>] = log Σ exp(logits − max) − (logits[index] − max):
    /// finite for finite logits even where softmax(logits)[index] underflows to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float NegativeLogProbability(ReadOnlySpan<float> logits, int index)
    {
        if ((uint)index >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be in 0..{logits.Length - 1}.");
        var max = Max(logits);
        var sum = 0f;
        foreach (var z in logits) sum += MathF.Exp(z - max);
        return NegativeLogProbability(sum, max, logits[index]);
    }

    /// <summary>−log of the probability of a logit from the sum of exp(logits − max): log(sum) − (logit − max), not
    /// log(sum / exp(logit − max)), whose exponential underflows to 0 for a confidently wrong network.</summary>
    internal static float NegativeLogProbability(float sum, float max, float logit) => MathF.Log(sum) - (logit - max);

    /// <summary>Writes exp(logits − max) into <paramref name="exponentials"/> and returns their sum (at least 1, from
    /// the largest logit, unless a logit is NaN or infinite), summed in the order <see cref="NegativeLogProbability(ReadOnlySpan{float}, int)"/>
    /// sums them, so both give the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float ShiftedExponentials(ReadOnlySpan<float> logits, Span<float> exponentials, out float max)
    {
        max = Max(logits);
        var sum = 0f;
        for (var k = 0; k < logits.Length; k++)
        {
            var e = MathF.Exp(logits[k] - max);
            exponentials[k] = e;
            sum += e;
        }
        return sum;
    }

    /// <summary>The largest logit; NaN when any is NaN (a NaN must not hide behind a larger finite logit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Max(ReadOnlySpan<float> logits)
    {
        var max = logits[0];
        foreach (var z in logits)
        {
            if (float.IsNaN(z)) return z;
            if (z > max) max = z;
        }
        return max;
    }
}
