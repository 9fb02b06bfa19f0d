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

    [Theory]
    [InlineData(784, 64, 8, 16)] // arch1's hidden layer at batch 16: two shards of eight, every gradient in registers
    [InlineData(40, 21, 8, 16)]  // the same way with 5 columns past the block, 2 blocks of rows and 8 rows alone
    [InlineData(37, 10, 8, 16)]  // no whole block of outputs
    [InlineData(9, 10, 5, 9)]    // shards of 5 and 4: the general way, each shard into its own rows
    [InlineData(130, 64, 11, 20)] // shards past eight images: several passes per shard, and tiles of 64 rows
    [InlineData(13, 32, 1, 1)]   // an empty second shard: its sum is zero
    [InlineData(1, 16, 2, 3)]    // one row: the first half has none
    public void Weight_gradient_of_two_shards_is_each_shard_into_zeros_then_added(int inputs, int outputs, int split, int count)
    {
        var x = ReferenceNets.Random(count * inputs, 5, 1f);
        var g = ReferenceNets.Random(count * outputs, 6, 1f);
        // Zeros of both signs among the inputs, as a ReLU leaves them: each sum must start at +0, as a zeroed buffer did.
        for (var i = 0; i < x.Length; i += 3) x[i] = i % 2 == 0 ? 0f : -0f;

        var first = new float[inputs * outputs];
        Dense.WeightGradient(x.AsSpan(0, split * inputs), g.AsSpan(0, split * outputs), split, first);
        var second = new float[inputs * outputs];
        if (count > split) Dense.WeightGradient(x.AsSpan(split * inputs), g.AsSpan(split * outputs), count - split, second);
        var expected = new float[inputs * outputs];
        Sum.Add(first, second, expected);

        // Each half alone into NaNs: it writes exactly its rows (the two run at once, on two cores), which are the
        // parameters the update of that core takes (WeightRows.Half); together the expected bits, +0 and −0 apart.
        var halves = new float[inputs * outputs];
        for (var half = 0; half < 2; half++)
        {
            var alone = Enumerable.Repeat(float.NaN, inputs * outputs).ToArray();
            Dense.WeightGradientOfShards(x, g, split, count, half, alone);
            var rows = new WeightRows(0, inputs, outputs).Half(half);
            for (var i = 0; i < alone.Length; i++)
            {
                var mine = i >= rows.Offset && i < rows.End;
                float.IsNaN(alone[i]).ShouldBe(!mine, $"weight {i}, half {half}");
                if (mine) halves[i] = alone[i];
            }
        }
        FloatBits.Of(halves).ShouldBe(FloatBits.Of(expected));
    }

}
