using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Element-wise sums where a graph joins (a residual connection's output, and the gradient of a value that
/// several layers read, each reader's gradient added into the value's), and of the shards' gradients every training
/// step: our own loop (<see cref="Elementwise"/>), compiled optimised at its first call, as <see cref="Axpy"/> says why.</summary>
public static class Sum
{
    /// <summary><paramref name="output"/> = <paramref name="a"/> + <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        if (a.Length != output.Length || b.Length != output.Length)
            throw new ArgumentException($"Sum buffers ({a.Length}, {b.Length}, {output.Length}) differ in length.");
        Elementwise.Map(new Plus(), a, b, output);
    }

    /// <summary><paramref name="target"/> += <paramref name="addend"/>.</summary>
    public static void AddInto(Span<float> target, ReadOnlySpan<float> addend) => Add(target, addend, target);

    private readonly struct Plus : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x, TBlock y) where TBlock : unmanaged, IChannelBlock<TBlock> => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x, float y) => x + y;
    }
}
