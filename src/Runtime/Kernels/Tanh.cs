using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>tanh(x) and its gradient. The backward pass takes the layer's output y, not its input, and computes
/// g · (1 − y·y) in that order, as TensorFlow's TanhGrad does.
///
/// Accuracy: TensorPrimitives.Tanh is accurate in absolute terms (within ~1.5e-7 of tanh), not relative ones near 0:
/// it computes through exp(2x) − 1, so tanh(0) comes out as −2⁻²⁴ and tanh(1e-7) as 6e-8 (dotnet/runtime#97859).
/// For an activation that is below the float spacing at 1. Likewise 1 − y·y carries an error of ~1e-7 absolute.
/// Its generic loop is the one TensorPrimitives call left in a training step: compiled at tier 0, it is compiled again
/// in the background once hot, in the middle of a LeNet-5 run (our own tanh would not give its bits).</summary>
public static class Tanh
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != output.Length) throw new ArgumentException("Tanh buffers differ in length.");
        TensorPrimitives.Tanh(input, output);
    }

    /// <summary>inputGradient = outputGradient · (1 − output²). Overwrites <paramref name="inputGradient"/>, which must
    /// not share memory with the other two buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        if (output.Length != outputGradient.Length || output.Length != inputGradient.Length)
            throw new ArgumentException("Tanh buffers differ in length.");
        if (output.Overlaps(inputGradient) || outputGradient.Overlaps(inputGradient))
            throw new ArgumentException("Tanh input gradient must not share memory with the output or its gradient.");
        Arithmetic.Multiply(output, output, inputGradient);
        Arithmetic.Affine(inputGradient, -1f, 1f, inputGradient); // 1 − y·y: the negation is exact
        Arithmetic.Multiply(inputGradient, outputGradient, inputGradient);
    }
}
