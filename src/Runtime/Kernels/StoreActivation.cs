using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>What a kernel applies to its outputs as it stores them: how the generator fuses a ReLU into the layer
/// before it. Static, so each choice compiles into its own copy of the kernel with nothing to test per value.</summary>
public interface IStoreActivation
{
    static abstract Vector512<float> Apply(Vector512<float> values);

    /// <summary>The same over a whole output, for the kernels' generic paths.</summary>
    static abstract void Apply(Span<float> output);
}

/// <summary>Outputs stored as computed.</summary>
public readonly struct StoreAsIs : IStoreActivation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> values) => values;

    public static void Apply(Span<float> output) { }
}

/// <summary>Outputs stored as max(x, 0): the ReLU that follows the layer.</summary>
public readonly struct StoreRelu : IStoreActivation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> values) => Vector512.Max(values, Vector512<float>.Zero);

    public static void Apply(Span<float> output) => Relu.Forward(output, output);
}
