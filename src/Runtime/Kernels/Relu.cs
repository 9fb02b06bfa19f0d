using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>max(x, 0) and its gradient (0 at x ≤ 0, the convention TensorFlow uses at the kink).</summary>
public static class Relu
{
    /// <summary>Where a ReLU cannot run inside the store of the layer before it (after a BatchNorm, a sum, a concatenation).
    /// Vector and scalar maximum alike give NaN for NaN and +0 for −0, as the fused store's does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != output.Length) throw new ArgumentException("ReLU buffers differ in length.");
        Elementwise.Map(new PositivePart(), input, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        if (input.Length != outputGradient.Length || input.Length != inputGradient.Length)
            throw new ArgumentException("ReLU buffers differ in length.");
        Elementwise.Map(new PassWherePositive(), input, outputGradient, inputGradient);
    }

    private readonly struct PositivePart : IElementwiseUnary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x) where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Max(x, TBlock.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x) => MathF.Max(x, 0f);
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
