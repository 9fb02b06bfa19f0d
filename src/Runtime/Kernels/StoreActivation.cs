using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>What a kernel applies to its outputs as it stores them: how the generator fuses a ReLU into the layer
/// before it. Static, so each choice compiles into its own copy of the kernel with nothing to test per value.
/// Generated code names the library's two, <see cref="StoreAsIs"/> and <see cref="StoreRelu"/>; the interface is how
/// the kernels take them, not a point to extend from outside (its members grow with what the kernels need).</summary>
public interface IStoreActivation
{
    static abstract TBlock Apply<TBlock>(TBlock values) where TBlock : unmanaged, IChannelBlock<TBlock>;

    /// <summary>The same over a whole output, for the kernels' generic paths.</summary>
    static abstract void Apply(Span<float> output);

    /// <summary>The gradient of the value before the store, from the gradient of the <paramref name="stored"/> value: how
    /// a layer reading a ReLU's output (a max pool) applies that ReLU's gradient mask in its own backward pass.</summary>
    static abstract TBlock GradientThrough<TBlock>(TBlock gradient, TBlock stored) where TBlock : unmanaged, IChannelBlock<TBlock>;

    /// <summary>The same for one value.</summary>
    static abstract float GradientThrough(float gradient, float stored);
}

/// <summary>Outputs stored as computed.</summary>
public readonly struct StoreAsIs : IStoreActivation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBlock Apply<TBlock>(TBlock values) where TBlock : unmanaged, IChannelBlock<TBlock> => values;

    public static void Apply(Span<float> output) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBlock GradientThrough<TBlock>(TBlock gradient, TBlock stored) where TBlock : unmanaged, IChannelBlock<TBlock> => gradient;

    public static float GradientThrough(float gradient, float stored) => gradient;
}

/// <summary>Outputs stored as max(x, 0): the ReLU that follows the layer.</summary>
public readonly struct StoreRelu : IStoreActivation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBlock Apply<TBlock>(TBlock values) where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Max(values, TBlock.Zero);

    public static void Apply(Span<float> output) => Relu.Forward(output, output);

    /// <summary>0 where the stored max(x, 0) is not > 0, i.e. where x ≤ 0: <see cref="Relu.Backward"/>'s convention.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBlock GradientThrough<TBlock>(TBlock gradient, TBlock stored) where TBlock : unmanaged, IChannelBlock<TBlock>
        => gradient & TBlock.GreaterThan(stored, TBlock.Zero);

    public static float GradientThrough(float gradient, float stored) => stored > 0f ? gradient : 0f;
}
