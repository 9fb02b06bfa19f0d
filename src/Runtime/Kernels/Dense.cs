using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Fully connected layer, out = in · W + b, with W stored [in, out] (TensorFlow's layout), so a
/// row of W is contiguous over outputs. The forward pass keeps up to four registers of outputs (64) in
/// registers while it walks the inputs, skipping zero inputs (ReLU leaves many).</summary>
public static class Dense
{
    private const int Lanes = 16;

    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
    {
        var outputs = output.Length;
        Check(input, weights, bias, outputs);
        bias.CopyTo(output);
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var y = ref MemoryMarshal.GetReference(output);
        var block = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; block + 4 * Lanes <= outputs; block += 4 * Lanes)
            {
                var a0 = Vector512.LoadUnsafe(ref y, (nuint)block);
                var a1 = Vector512.LoadUnsafe(ref y, (nuint)(block + Lanes));
                var a2 = Vector512.LoadUnsafe(ref y, (nuint)(block + 2 * Lanes));
                var a3 = Vector512.LoadUnsafe(ref y, (nuint)(block + 3 * Lanes));
                for (var i = 0; i < input.Length; i++)
                {
                    var x = input[i];
                    if (x == 0f) continue;
                    var xs = Vector512.Create(x);
                    var row = (nuint)(i * outputs + block);
                    a0 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row), a0);
                    a1 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row + Lanes), a1);
                    a2 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row + 2 * Lanes), a2);
                    a3 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row + 3 * Lanes), a3);
                }
                a0.StoreUnsafe(ref y, (nuint)block);
                a1.StoreUnsafe(ref y, (nuint)(block + Lanes));
                a2.StoreUnsafe(ref y, (nuint)(block + 2 * Lanes));
                a3.StoreUnsafe(ref y, (nuint)(block + 3 * Lanes));
            }
        }
        if (block == outputs) return;
        var rest = outputs - block;
        ref var acc = ref Simd.At(output, block);
        for (var i = 0; i < input.Length; i++)
        {
            var x = input[i];
            if (x != 0f) Simd.MultiplyAdd(ref acc, ref Simd.At(weights, i * outputs + block), x, rest);
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
