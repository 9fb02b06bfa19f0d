using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>What a kernel applies to its outputs as it stores them: how the generator fuses a ReLU into the layer
/// before it. Static, so each choice compiles into its own copy of the kernel with nothing to test per value.</summary>
public interface IStoreActivation
{
    static abstract TBlock Apply<TBlock>(TBlock values) where TBlock : unmanaged, IChannelBlock<TBlock>;

    /// <summary>The same over a whole output, for the kernels' generic paths.</summary>
    static abstract void Apply(Span<float> output);
}

/// <summary>Outputs stored as computed.</summary>
public readonly struct StoreAsIs : IStoreActivation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBlock Apply<TBlock>(TBlock values) where TBlock : unmanaged, IChannelBlock<TBlock> => values;

    public static void Apply(Span<float> output) { }
}

/// <summary>Outputs stored as max(x, 0): the ReLU that follows the layer.</summary>
public readonly struct StoreRelu : IStoreActivation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBlock Apply<TBlock>(TBlock values) where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Max(values, TBlock.Zero);

    public static void Apply(Span<float> output) => Relu.Forward(output, output);
}
