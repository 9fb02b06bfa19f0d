using System.Numerics.Tensors;

namespace StaticConvNet.Kernels;

/// <summary>Fully connected layer, out = in · W + b, with W stored [in, out] (TensorFlow's layout), so a
/// row of W is contiguous over outputs and the forward pass is a sum of scaled rows.</summary>
public static class Dense
{
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
    {
        var outputs = output.Length;
        Check(input, weights, bias, outputs);
        bias.CopyTo(output);
        ref var acc = ref Simd.At(output, 0);
        for (var i = 0; i < input.Length; i++)
        {
            var x = input[i];
            if (x != 0f) Simd.MultiplyAdd(ref acc, ref Simd.At(weights, i * outputs), x, outputs); // ReLU leaves many zeros
        }
    }

    /// <summary>Accumulates (+=) weight and bias gradients; overwrites <paramref name="inputGradient"/> unless empty.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient,
        Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient)
    {
        var outputs = outputGradient.Length;
        Check(input, weights, biasGradient, outputs);
        if (weightGradient.Length != weights.Length) throw new ArgumentException("Dense weight gradient does not match the weights.");
        TensorPrimitives.Add(biasGradient, outputGradient, biasGradient);
        ref var g = ref Simd.At(outputGradient, 0);
        var wantInput = !inputGradient.IsEmpty;
        if (wantInput && inputGradient.Length != input.Length) throw new ArgumentException("Dense input gradient does not match the input.");
        for (var i = 0; i < input.Length; i++)
        {
            var x = input[i];
            if (x != 0f) Simd.MultiplyAdd(ref Simd.At(weightGradient, i * outputs), ref g, x, outputs);
            if (wantInput) inputGradient[i] = Simd.Dot(ref Simd.At(weights, i * outputs), ref g, outputs);
        }
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int outputs)
    {
        if (weights.Length != input.Length * outputs || bias.Length != outputs)
            throw new ArgumentException($"Dense buffers (in {input.Length}, weights {weights.Length}, bias {bias.Length}) do not match {outputs} outputs.");
    }
}
