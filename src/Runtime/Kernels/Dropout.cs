using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Inverted dropout. The mask is a pure function of (seed, stream, element), so a training step gives
/// the same mask whichever thread runs which image, and a resumed run replays it exactly.</summary>
/// <remarks>Each element's draw is a 32-bit hash (<see cref="Draw"/>): 32-bit multiplies are vector instructions at
/// every width (SSE4.1, AVX2, AVX-512, ARM64, WebAssembly), where SplitMix's 64-bit ones are vector instructions only
/// with AVX-512DQ. With SplitMix here, the mask took 23 µs per arch4 image with AVX2 against 3.4 with AVX-512.</remarks>
public static class Dropout
{
    /// <summary>Training pass: mask[i] = 0 with probability <paramref name="rate"/>, else 1 / (1 − rate); out = in · mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float rate, ulong seed, ulong stream)
    {
        if (input.Length != output.Length || input.Length != mask.Length) throw new ArgumentException("Dropout buffers differ in length.");
        var keep = 1f / (1f - rate);
        var key = Key(seed, stream);
        var i = Vector.IsHardwareAccelerated ? MaskVectors(mask, key, rate, keep) : 0;
        for (; i < mask.Length; i++) mask[i] = IsDropped(key, i, rate) ? 0f : keep;
        Arithmetic.Multiply(input, mask, output);
    }

    /// <summary>The 64-bit key of one mask, from the run's seed and the mask's <see cref="Stream"/>.</summary>
    public static ulong Key(ulong seed, ulong stream) => SplitMix.Mix(seed ^ SplitMix.Mix(stream));

    /// <summary>Whether element <paramref name="element"/> of the mask keyed by <paramref name="key"/> is dropped: its
    /// <see cref="Draw"/>, as a fraction of 2²⁴ (exact in a float), is below <paramref name="rate"/>.</summary>
    public static bool IsDropped(ulong key, int element, float rate) => Draw(key, element) * (1f / (1 << 24)) < rate;

    /// <summary>Element <paramref name="element"/>'s 24-bit draw in the mask keyed by <paramref name="key"/>: two
    /// rounds of a 32-bit finaliser (Wellons' lowbias32), each after mixing in one half of the key, top 24 bits kept.
    /// For a given key it is a bijection of the element, and different keys give unrelated masks.</summary>
    public static uint Draw(ulong key, int element) => Finalise(Finalise((uint)element ^ (uint)key) ^ (uint)(key >> 32)) >> 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Finalise(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        return x ^ (x >> 16);
    }

    /// <summary>The same mask as <see cref="Draw"/> element by element, a vector of lanes at a time at whatever width
    /// the machine has; returns how many elements it filled.</summary>
    /// <remarks>draw · 2⁻²⁴ &lt; rate is the same test on the integer draw as draw &lt; ⌈rate · 2²⁴⌉.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int MaskVectors(Span<float> mask, ulong key, float rate, float keep)
    {
        var threshold = (uint)Math.Ceiling(rate * (double)(1 << 24));
        var (low, high) = (new Vector<uint>((uint)key), new Vector<uint>((uint)(key >> 32)));
        var thresholds = new Vector<uint>(threshold);
        var keepBits = new Vector<uint>(BitConverter.SingleToUInt32Bits(keep));
        var elements = Vector<uint>.Indices;
        var step = new Vector<uint>((uint)Vector<uint>.Count);
        var i = 0;
        for (; i + Vector<uint>.Count <= mask.Length; i += Vector<uint>.Count, elements += step)
        {
            var draws = Finalise(Finalise(elements ^ low) ^ high) >>> 8;
            // Lanes whose draw reaches the threshold are kept: all ones select keep's bits.
            (Vector.GreaterThanOrEqual(draws, thresholds) & keepBits).As<uint, float>().StoreUnsafe(ref MemoryMarshal.GetReference(mask), (nuint)i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector<uint> Finalise(Vector<uint> x)
    {
        x ^= x >>> 16;
        x *= new Vector<uint>(0x7FEB352Du);
        x ^= x >>> 15;
        x *= new Vector<uint>(0x846CA68Bu);
        return x ^ (x >>> 16);
    }

    /// <summary>The stream of one (training step, layer, image): every mask of a run is distinct.</summary>
    public static ulong Stream(ulong step, int layer, int slot) => SplitMix.Mix(SplitMix.Mix(step) ^ (uint)layer) + (uint)slot;

    /// <summary><paramref name="rate"/> when it is null (the layers' own rates) or in [0, 1); throws otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float? CheckRate(float? rate)
        => rate is null or (>= 0f and < 1f) ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "A dropout rate must be in [0, 1).");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        if (mask.Length != outputGradient.Length || mask.Length != inputGradient.Length) throw new ArgumentException("Dropout buffers differ in length.");
        Arithmetic.Multiply(outputGradient, mask, inputGradient);
    }
}
