using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        if (Block512.IsAccelerated) Backward<Block512>(input, outputGradient, inputGradient);
        else if (Block256.IsAccelerated) Backward<Block256>(input, outputGradient, inputGradient);
        else Backward<Block128>(input, outputGradient, inputGradient);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var i = 0;
        if (TBlock.IsAccelerated)
        {
            ref var x = ref MemoryMarshal.GetReference(input);
            ref var g = ref MemoryMarshal.GetReference(outputGradient);
            ref var dx = ref MemoryMarshal.GetReference(inputGradient);
            for (; i <= input.Length - IChannelBlock<TBlock>.Lanes; i += IChannelBlock<TBlock>.Lanes)
            {
                var positive = TBlock.GreaterThan(TBlock.Load(ref x, (nuint)i), TBlock.Zero);
                (positive & TBlock.Load(ref g, (nuint)i)).Store(ref dx, (nuint)i);
            }
        }
        for (; i < input.Length; i++) inputGradient[i] = input[i] > 0f ? outputGradient[i] : 0f;
    }
}
