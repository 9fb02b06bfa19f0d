using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>destination = a·x + y over whole buffers: the optimizers' updates (p ← p − lr·v, v ← μ·v + g). The multiply
/// and the add are each rounded, never fused, so an update gives the same bits on every tier (and the same as
/// <c>TensorPrimitives.MultiplyAdd</c>, which it replaced). Our own kernel rather than the library's because it runs
/// every step: compiled optimised at its first call, where the library's generic operator methods start at tier 0 and
/// are recompiled in the middle of a run, on a core the step is using.</summary>
public static class Axpy
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float a, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (x.Length != destination.Length || y.Length != destination.Length)
            throw new ArgumentException($"Axpy buffers ({x.Length}, {y.Length}, {destination.Length}) differ in length.");
        if (Block512.IsAccelerated) Apply<Block512>(a, x, y, destination);
        else if (Block256.IsAccelerated) Apply<Block256>(a, x, y, destination);
        else Apply<Block128>(a, x, y, destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply<TBlock>(float a, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var i = 0;
        if (TBlock.IsAccelerated)
        {
            var scale = TBlock.Broadcast(a);
            ref var xs = ref MemoryMarshal.GetReference(x);
            ref var ys = ref MemoryMarshal.GetReference(y);
            ref var output = ref MemoryMarshal.GetReference(destination);
            for (; i <= destination.Length - IChannelBlock<TBlock>.Lanes; i += IChannelBlock<TBlock>.Lanes)
                (scale * TBlock.Load(ref xs, (nuint)i) + TBlock.Load(ref ys, (nuint)i)).Store(ref output, (nuint)i);
        }
        for (; i < destination.Length; i++) destination[i] = a * x[i] + y[i];
    }
}
