using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>max(x, 0) and its gradient (0 at x ≤ 0, the convention TensorFlow uses at the kink).</summary>
public static class Relu
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output) => TensorPrimitives.Max(input, 0f, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        if (input.Length != outputGradient.Length || input.Length != inputGradient.Length)
            throw new ArgumentException("ReLU buffers differ in length.");
        Elementwise.Map(new PassWherePositive(), input, outputGradient, inputGradient);
    }

    /// <summary>The gradient where the input was positive, else 0.</summary>
    private readonly struct PassWherePositive : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x, TBlock gradient) where TBlock : unmanaged, IChannelBlock<TBlock>
            => TBlock.GreaterThan(x, TBlock.Zero) & gradient;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x, float gradient) => x > 0f ? gradient : 0f;
    }
}
