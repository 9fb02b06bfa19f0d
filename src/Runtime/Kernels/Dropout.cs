using System.Numerics.Tensors;

namespace StaticConvNet.Kernels;

/// <summary>Inverted dropout. The mask is a pure function of (seed, stream, element), so a training step gives
/// the same mask whichever thread runs which image, and a resumed run replays it exactly.</summary>
public static class Dropout
{
    /// <summary>Training pass: mask[i] = 0 with probability <paramref name="rate"/>, else 1 / (1 − rate); out = in · mask.</summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float rate, ulong seed, ulong stream)
    {
        if (input.Length != output.Length || input.Length != mask.Length) throw new ArgumentException("Dropout buffers differ in length.");
        var keep = 1f / (1f - rate);
        var baseKey = SplitMix.Mix(seed ^ SplitMix.Mix(stream));
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = SplitMix.UnitFloat(SplitMix.Mix(baseKey + (ulong)i)) < rate ? 0f : keep;
        }
        TensorPrimitives.Multiply(input, mask, output);
    }

    /// <summary>The stream of one (training step, layer, image): every mask of a run is distinct.</summary>
    public static ulong Stream(ulong step, int layer, int slot) => SplitMix.Mix(SplitMix.Mix(step) ^ (uint)layer) + (uint)slot;

    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        => TensorPrimitives.Multiply(outputGradient, mask, inputGradient);
}
