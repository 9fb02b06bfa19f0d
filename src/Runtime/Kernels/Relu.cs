using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>max(x, 0) and its gradient (0 at x ≤ 0, the convention TensorFlow uses at the kink).</summary>
public static class Relu
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output) => TensorPrimitives.Max(input, 0f, output);

    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        if (input.Length != outputGradient.Length || input.Length != inputGradient.Length)
            throw new ArgumentException("ReLU buffers differ in length.");
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= input.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var positive = Vector512.GreaterThan(Vector512.Create(input.Slice(i, Vector512<float>.Count)), Vector512<float>.Zero);
                Vector512.BitwiseAnd(positive, Vector512.Create(outputGradient.Slice(i, Vector512<float>.Count))).CopyTo(inputGradient.Slice(i));
            }
        }
        for (; i < input.Length; i++) inputGradient[i] = input[i] > 0f ? outputGradient[i] : 0f;
    }
}
