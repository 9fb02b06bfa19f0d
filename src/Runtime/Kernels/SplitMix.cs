using System.Runtime.CompilerServices;
namespace StaticConvNet.Kernels;

/// <summary>SplitMix64 mixing (Steele, Lea, Flood 2014): a counter-based generator, so any element's random
/// number can be computed on its own, in any order, on any thread.</summary>
public static class SplitMix
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A float in [0, 1) from the top 24 bits.</summary>
    public static float UnitFloat(ulong bits) => (bits >> 40) * (1f / (1 << 24));

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public static double UnitDouble(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
