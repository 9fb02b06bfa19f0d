using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>destination = a·x + y over whole buffers: SGD's update (p ← p − lr·v, v ← μ·v + g). The multiply
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
        Elementwise.Map(new ScaledSum(a), x, y, destination);
    }

    private readonly struct ScaledSum(float a) : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x, TBlock y) where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Broadcast(a) * x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x, float y) => a * x + y;
    }
}
