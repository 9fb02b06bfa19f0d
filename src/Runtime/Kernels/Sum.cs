using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Element-wise sums where a graph joins: a residual connection's output, and the gradient of a value that
/// several layers read (each reader's gradient added into the value's), and the sum of the shards' gradients every
/// training step (our own loop for that: compiled optimised at its first call, as <see cref="Axpy"/> says why).</summary>
public static class Sum
{
    /// <summary><paramref name="output"/> = <paramref name="a"/> + <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        if (a.Length != output.Length || b.Length != output.Length)
            throw new ArgumentException($"Sum buffers ({a.Length}, {b.Length}, {output.Length}) differ in length.");
        if (Block512.IsAccelerated) Add<Block512>(a, b, output);
        else if (Block256.IsAccelerated) Add<Block256>(a, b, output);
        else Add<Block128>(a, b, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add<TBlock>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var i = 0;
        if (TBlock.IsAccelerated)
        {
            ref var left = ref MemoryMarshal.GetReference(a);
            ref var right = ref MemoryMarshal.GetReference(b);
            ref var sum = ref MemoryMarshal.GetReference(output);
            for (; i <= output.Length - IChannelBlock<TBlock>.Lanes; i += IChannelBlock<TBlock>.Lanes)
                (TBlock.Load(ref left, (nuint)i) + TBlock.Load(ref right, (nuint)i)).Store(ref sum, (nuint)i);
        }
        for (; i < output.Length; i++) output[i] = a[i] + b[i];
    }

    /// <summary><paramref name="target"/> += <paramref name="addend"/>.</summary>
    public static void AddInto(Span<float> target, ReadOnlySpan<float> addend) => Add(target, addend, target);
}
