using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The dense layer's backward split: per image the bias and input gradients (rows four at a time, then the
/// rest), per shard the weight gradient over several images at once (eight at a time in registers, then the rest),
/// each weight summing its images in order — the same bits as adding the images' outer products one by one.</summary>
public class Test_DenseBackward
{
    [Theory]
    [InlineData(7, 64, 1)]
    [InlineData(13, 32, 8)]
    [InlineData(9, 10, 9)]   // outputs not a multiple of 16, fewer inputs than a block: the scalar columns
    [InlineData(37, 10, 3)]  // every output past the blocks: columns a block of inputs at a time, then 5 inputs alone
    [InlineData(40, 21, 9)]  // a block of outputs, then 5 columns; 2 blocks of inputs and 8 alone
    [InlineData(784, 64, 11)]
    public void Batched_weight_gradient_is_the_images_added_in_order_and_input_gradient_is_W_times_dOut(int inputs, int outputs, int count)
    {
        var x = ReferenceNets.Random(count * inputs, 1, 1f);
        var g = ReferenceNets.Random(count * outputs, 2, 1f);
        var weights = ReferenceNets.Random(inputs * outputs, 3, 0.5f);
        var start = ReferenceNets.Random(inputs * outputs, 4, 0.1f);

        var batched = start.ToArray();
        Dense.WeightGradient(x, g, count, batched);
        var oneByOne = start.ToArray();
        for (var image = 0; image < count; image++)
        for (var i = 0; i < inputs; i++)
        for (var o = 0; o < outputs; o++)
            // The kernel's multiply-add: fused where the hardware fuses, a multiply then an add on tiers without (x64
            // without FMA, WebAssembly), in the vector lanes and the scalar columns alike.
            oneByOne[i * outputs + o] = float.MultiplyAddEstimate(x[image * inputs + i], g[image * outputs + o], oneByOne[i * outputs + o]);
        batched.ShouldBe(oneByOne);

        var (inputGradient, biasGradient) = (new float[inputs], new float[outputs]);
        Dense.Backward(weights, g.AsSpan(0, outputs), inputGradient, biasGradient);
        biasGradient.ShouldBe(g.AsSpan(0, outputs).ToArray());
        for (var i = 0; i < inputs; i++)
        {
            var expected = 0.0;
            for (var o = 0; o < outputs; o++) expected += (double)weights[i * outputs + o] * g[o];
            Tolerance.Difference(inputGradient[i], expected).ShouldBeLessThan(1e-4, $"input gradient {i}");
        }
    }
}
