using System.Runtime.CompilerServices;
using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>Weight initialisers as the notebook's TensorFlow used them, from our own counter-based generator
/// so a seed means the same numbers on every machine and .NET version.</summary>
public static class ParameterInit
{
    /// <summary><c>tf.truncated_normal(stddev = std)</c>: normal samples, redrawn while beyond two standard deviations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TruncatedNormal(Span<float> values, float std, int seed, int stream)
    {
        var key = SplitMix.Mix(SplitMix.Mix((ulong)(uint)seed) ^ ((ulong)(uint)stream << 32));
        ulong counter = 0;
        for (var i = 0; i < values.Length; i++)
        {
            double z;
            do
            {
                // Box–Muller, one sample per pair of uniforms; 1 − u keeps the log finite.
                var u1 = 1.0 - SplitMix.UnitDouble(SplitMix.Mix(key + counter++));
                var u2 = SplitMix.UnitDouble(SplitMix.Mix(key + counter++));
                z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            }
            while (Math.Abs(z) > 2.0);
            values[i] = (float)(z * std);
        }
    }
}
