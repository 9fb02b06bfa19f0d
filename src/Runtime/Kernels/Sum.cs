using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Element-wise sums where a graph joins: a residual connection's output, and the gradient of a value that
/// several layers read (each reader's gradient added into the value's).</summary>
public static class Sum
{
    /// <summary><paramref name="output"/> = <paramref name="a"/> + <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        if (a.Length != output.Length || b.Length != output.Length)
            throw new ArgumentException($"Sum buffers ({a.Length}, {b.Length}, {output.Length}) differ in length.");
        TensorPrimitives.Add(a, b, output);
    }

    /// <summary><paramref name="target"/> += <paramref name="addend"/>.</summary>
    public static void AddInto(Span<float> target, ReadOnlySpan<float> addend) => Add(target, addend, target);
}
