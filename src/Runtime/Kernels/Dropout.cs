using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        var i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported) i = MaskVector512(mask, baseKey, rate, keep);
        for (; i < mask.Length; i++)
        {
            mask[i] = SplitMix.UnitFloat(SplitMix.Mix(baseKey + (ulong)i)) < rate ? 0f : keep;
        }
        TensorPrimitives.Multiply(input, mask, output);
    }

    /// <summary>The same mask as the scalar loop, 16 elements at a time (eight 64-bit hashes per register, so two
    /// registers per 16 floats); returns how many elements it filled. UnitFloat(h) &lt; rate compares h's top 24 bits,
    /// scaled by an exact power of two, with rate: the same test as top24 &lt; ⌈rate · 2²⁴⌉ in integers.</summary>
    private static int MaskVector512(Span<float> mask, ulong baseKey, float rate, float keep)
    {
        var threshold = Vector512.Create((ulong)Math.Ceiling(rate * (double)(1 << 24)));
        var keepBits = Vector512.Create(BitConverter.SingleToUInt32Bits(keep));
        var lanes = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var i = 0;
        for (; i + 16 <= mask.Length; i += 16)
        {
            var low = Vector512.Create(baseKey + (ulong)i) + lanes;
            var high = low + Vector512.Create(8UL);
            // Lanes whose top 24 bits reach the threshold are kept: all ones, narrowed to 32 bits, select keep's bits.
            var kept = Vector512.Narrow(
                Vector512.GreaterThanOrEqual(Mix(low) >>> 40, threshold),
                Vector512.GreaterThanOrEqual(Mix(high) >>> 40, threshold));
            (kept & keepBits).AsSingle().StoreUnsafe(ref MemoryMarshal.GetReference(mask), (nuint)i);
        }
        return i;
    }

    /// <summary><see cref="SplitMix.Mix"/> on eight counters at once.</summary>
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z += Vector512.Create(0x9E3779B97F4A7C15UL);
        z = (z ^ (z >>> 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >>> 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ (z >>> 31);
    }

    /// <summary>The stream of one (training step, layer, image): every mask of a run is distinct.</summary>
    public static ulong Stream(ulong step, int layer, int slot) => SplitMix.Mix(SplitMix.Mix(step) ^ (uint)layer) + (uint)slot;

    /// <summary><paramref name="rate"/> when it is null (the layers' own rates) or in [0, 1); throws otherwise.</summary>
    public static float? CheckRate(float? rate)
        => rate is null or (>= 0f and < 1f) ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "A dropout rate must be in [0, 1).");

    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        => TensorPrimitives.Multiply(outputGradient, mask, inputGradient);
}
