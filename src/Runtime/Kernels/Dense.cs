using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Fully connected layer, out = in · W + b, with W stored [in, out] (TensorFlow's layout), so a
/// row of W is contiguous over outputs. The forward pass keeps up to four registers of outputs (64) in
/// registers while it walks the inputs. Those blocks do not skip zero inputs: in training the zeros move with every
/// update, and the mispredicted branch cost more than the multiply-adds it saved (the scalar rest, a few outputs, does).</summary>
public static class Dense
{
    private const int Lanes = 16;

    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
        => Forward<StoreAsIs>(input, weights, bias, output);

    /// <summary>The same, applying <typeparamref name="TActivation"/> to each output as it is stored (the ReLU after a
    /// hidden layer fused into it).</summary>
    public static void Forward<TActivation>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
        where TActivation : struct, IStoreActivation
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
                    var xs = Vector512.Create(x);
                    var row = (nuint)(i * outputs + block);
                    a0 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row), a0);
                    a1 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row + Lanes), a1);
                    a2 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row + 2 * Lanes), a2);
                    a3 = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref w, row + 3 * Lanes), a3);
                }
                TActivation.Apply(a0).StoreUnsafe(ref y, (nuint)block);
                TActivation.Apply(a1).StoreUnsafe(ref y, (nuint)(block + Lanes));
                TActivation.Apply(a2).StoreUnsafe(ref y, (nuint)(block + 2 * Lanes));
                TActivation.Apply(a3).StoreUnsafe(ref y, (nuint)(block + 3 * Lanes));
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
        TActivation.Apply(output.Slice(block));
    }

    /// <summary>One image's backward pass without the weight gradient (see <see cref="WeightGradient"/>): accumulates
    /// (+=) the bias gradient and overwrites <paramref name="inputGradient"/> unless it is empty, dIn[i] = W[i, :] · dOut.
    /// Four rows at a time, each a register-wide product summed once at the end, so the rows' sums overlap.</summary>
    public static void Backward(ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, Span<float> inputGradient,
        Span<float> biasGradient)
    {
        var outputs = outputGradient.Length;
        if (biasGradient.Length != outputs) throw new ArgumentException($"Dense bias gradient has {biasGradient.Length} values, expected {outputs}.");
        TensorPrimitives.Add(biasGradient, outputGradient, biasGradient);
        if (inputGradient.IsEmpty) return;
        var inputs = inputGradient.Length;
        if (weights.Length != inputs * outputs)
            throw new ArgumentException($"Dense weights ({weights.Length}) do not match {inputs} inputs x {outputs} outputs.");
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        var i = 0;
        if (Vector512.IsHardwareAccelerated && outputs % Lanes == 0)
        {
            for (; i + 4 <= inputs; i += 4)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                for (var o = 0; o < outputs; o += Lanes)
                {
                    var gv = Vector512.LoadUnsafe(ref g, (nuint)o);
                    s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)(i * outputs + o)), gv, s0);
                    s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)((i + 1) * outputs + o)), gv, s1);
                    s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)((i + 2) * outputs + o)), gv, s2);
                    s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)((i + 3) * outputs + o)), gv, s3);
                }
                inputGradient[i] = Vector512.Sum(s0);
                inputGradient[i + 1] = Vector512.Sum(s1);
                inputGradient[i + 2] = Vector512.Sum(s2);
                inputGradient[i + 3] = Vector512.Sum(s3);
            }
        }
        for (; i < inputs; i++) inputGradient[i] = Simd.Dot(ref Unsafe.Add(ref w, i * outputs), ref g, outputs);
    }

    /// <summary>dW[i, :] += Σ_images x_image[i] · dOut_image for <paramref name="count"/> images at once (inputs and
    /// output gradients image after image): each weight row is read and written once for all of them rather than once
    /// per image, which matters because W is larger than the L1 cache. Each weight sums its images in order.</summary>
    public static void WeightGradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int count, Span<float> weightGradient)
    {
        if (count < 1 || inputs.Length % count != 0 || outputGradients.Length % count != 0)
            throw new ArgumentException($"Dense inputs ({inputs.Length}) and output gradients ({outputGradients.Length}) are not {count} images.");
        int inputLength = inputs.Length / count, outputs = outputGradients.Length / count;
        if (weightGradient.Length != inputLength * outputs)
            throw new ArgumentException($"Dense weight gradient ({weightGradient.Length}) does not match {inputLength} inputs x {outputs} outputs.");
        ref var x = ref MemoryMarshal.GetReference(inputs);
        ref var g = ref MemoryMarshal.GetReference(outputGradients);
        ref var dw = ref MemoryMarshal.GetReference(weightGradient);
        var o = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // Sixteen outputs at a time, eight images' gradients held in registers while every weight row streams past:
            // one broadcast input per FMA, one load and store of the weight gradient per eight.
            for (; o + Lanes <= outputs; o += Lanes)
            {
                var image = 0;
                for (; image + 8 <= count; image += 8)
                {
                    ref var gi = ref Unsafe.Add(ref g, image * outputs + o);
                    var g0 = Vector512.LoadUnsafe(ref gi);
                    var g1 = Vector512.LoadUnsafe(ref gi, (nuint)outputs);
                    var g2 = Vector512.LoadUnsafe(ref gi, (nuint)(2 * outputs));
                    var g3 = Vector512.LoadUnsafe(ref gi, (nuint)(3 * outputs));
                    var g4 = Vector512.LoadUnsafe(ref gi, (nuint)(4 * outputs));
                    var g5 = Vector512.LoadUnsafe(ref gi, (nuint)(5 * outputs));
                    var g6 = Vector512.LoadUnsafe(ref gi, (nuint)(6 * outputs));
                    var g7 = Vector512.LoadUnsafe(ref gi, (nuint)(7 * outputs));
                    ref var xi = ref Unsafe.Add(ref x, image * inputLength);
                    for (var i = 0; i < inputLength; i++)
                    {
                        ref var row = ref Unsafe.Add(ref dw, i * outputs + o);
                        ref var xs = ref Unsafe.Add(ref xi, i);
                        var sum = Vector512.FusedMultiplyAdd(Vector512.Create(xs), g0, Vector512.LoadUnsafe(ref row));
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, inputLength)), g1, sum);
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, 2 * inputLength)), g2, sum);
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, 3 * inputLength)), g3, sum);
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, 4 * inputLength)), g4, sum);
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, 5 * inputLength)), g5, sum);
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, 6 * inputLength)), g6, sum);
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xs, 7 * inputLength)), g7, sum);
                        sum.StoreUnsafe(ref row);
                    }
                }
                for (; image < count; image++)
                {
                    var gv = Vector512.LoadUnsafe(ref g, (nuint)(image * outputs + o));
                    ref var xi = ref Unsafe.Add(ref x, image * inputLength);
                    for (var i = 0; i < inputLength; i++)
                    {
                        ref var row = ref Unsafe.Add(ref dw, i * outputs + o);
                        Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, i)), gv, Vector512.LoadUnsafe(ref row)).StoreUnsafe(ref row);
                    }
                }
            }
        }
        for (; o < outputs; o++)
        {
            for (var i = 0; i < inputLength; i++)
            {
                ref var target = ref Unsafe.Add(ref dw, i * outputs + o);
                var sum = target;
                for (var image = 0; image < count; image++)
                    sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, image * inputLength + i), Unsafe.Add(ref g, image * outputs + o), sum);
                target = sum;
            }
        }
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int outputs)
    {
        if (weights.Length != input.Length * outputs || bias.Length != outputs)
            throw new ArgumentException($"Dense buffers (in {input.Length}, weights {weights.Length}, bias {bias.Length}) do not match {outputs} outputs.");
    }
}
