using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>A training batch of one pass computes its dense weights' gradients after both shards' passes, half of each
/// layer's rows on each core (<see cref="ISamplePasses.WholeBatchWeightGradients"/>), instead of in each shard's buffer:
/// the gradients keep the bits of every weight summed per shard and the shards added, and each core then updates the
/// gradients it computed, every parameter by one core.</summary>
public class Test_WholeBatchWeights
{
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var (name, c) in ReferenceNets.All)
        {
            var network = c.Create();
            if (((ISamplePasses)network).BatchStages > 0 || ((ISamplePasses)network).WholeBatchWeights.IsEmpty) continue;
            var full = Math.Min(network.BatchCapacity, 16);
            // Shards of eight, of unequal sizes, of one image each, and a batch of one (one shard empty).
            foreach (var count in new[] { full, full - 1, 2, 1 }.Where(c => c >= 1).Distinct()) cases.Add(name, count);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_batch_of_one_pass_has_the_bits_of_each_shard_summed_then_added(string name, int count)
    {
        var (network, images, labels) = ReferenceNets.Setup(ReferenceNets.All[name], count);
        var passes = (ISamplePasses)network;
        network.DropoutSeed = 5;
        network.DropoutStep = 7;
        network.ComputeGradients(images, labels, count);
        var gradients = network.Gradients.ToArray();

        // The same passes one image at a time, each shard's gradients (its dense weights' too) in a buffer of its own,
        // the buffers then added: the way a batch of several passes still sums them. The layouts are the last call's,
        // from the same parameters.
        network.DropoutStep = 7;
        int length = network.InputLength, split = (count + 1) / 2;
        var shards = new[] { new float[network.ParameterCount], new float[network.ParameterCount] };
        for (var slot = 0; slot < count; slot++)
        {
            var image = images.AsSpan(slot * length, length);
            passes.ForwardSample(image, slot, training: true);
            SoftmaxCrossEntropy.Compute(passes.Logits(slot), labels[slot], passes.LogitsGradient(slot), 1f / count);
            passes.BackwardSample(image, slot, shards[slot < split ? 0 : 1]);
        }
        passes.AccumulateShardGradients(images.AsSpan(0, split * length), 0, split, shards[0]);
        if (count > split) passes.AccumulateShardGradients(images.AsSpan(split * length, (count - split) * length), split, count - split, shards[1]);
        var expected = new float[network.ParameterCount];
        Sum.Add(shards[0], shards[1], expected);
        FloatBits.Of(gradients).ShouldBe(FloatBits.Of(expected));
        RanTheWholeBatchWay(network);
    }

    [Fact]
    public void A_batch_of_one_pass_after_one_of_several_passes_is_the_same_as_on_a_fresh_network()
    {
        var (fresh, images, labels) = ReferenceNets.Setup(ReferenceNets.All["arch1"], 40);
        var (used, _, _) = ReferenceNets.Setup(ReferenceNets.All["arch1"], 40);
        used.ComputeGradients(images, labels, 40); // three passes: every parameter summed in the shards' buffers
        used.ComputeGradients(images, labels, 16);
        fresh.ComputeGradients(images, labels, 16);
        FloatBits.Of(used.Gradients.ToArray()).ShouldBe(FloatBits.Of(fresh.Gradients.ToArray()));
        RanTheWholeBatchWay(used);
    }

    /// <summary>Each core's half holds its half of every whole-batch layer's rows: the way a batch of several passes
    /// shares out the parameters (at the array's middle) does not.</summary>
    private static void RanTheWholeBatchWay(IConvNet network)
    {
        foreach (var rows in ((ISamplePasses)network).WholeBatchWeights)
        {
            for (var half = 0; half < 2; half++)
            {
                var part = rows.Half(half);
                if (part.Length == 0) continue;
                network.GradientHalf(half).ToArray().ShouldContain(r => r.Offset <= part.Offset && part.End <= r.End, $"{rows} half {half}");
            }
        }
    }


    [Theory]
    [MemberData(nameof(Cases))]
    public void The_two_cores_update_every_parameter_once_and_about_half_each(string name, int count)
    {
        var (network, images, labels) = ReferenceNets.Setup(ReferenceNets.All[name], count);
        network.ComputeGradients(images, labels, count);
        var updates = new int[network.ParameterCount];
        var lengths = new int[2];
        for (var half = 0; half < 2; half++)
        {
            var previousEnd = -1;
            foreach (var range in network.GradientHalf(half))
            {
                range.Offset.ShouldBeGreaterThan(previousEnd, "in order, touching ranges joined");
                for (var i = range.Offset; i < range.End; i++) updates[i]++;
                lengths[half] += range.Length;
                previousEnd = range.End;
            }
        }
        updates.ShouldAllBe(n => n == 1);
        RanTheWholeBatchWay(network);
        // Half of the shard-summed parameters (the cut moved up to a multiple of 16: up to 15 floats from one half to the
        // other) and half of each dense layer's rows (cut at a multiple of 16 rows: up to 15 rows moved).
        var slack = 30;
        foreach (var rows in ((ISamplePasses)network).WholeBatchWeights) slack += 2 * (Dense.RowCut - 1) * rows.RowLength;
        Math.Abs(lengths[0] - lengths[1]).ShouldBeLessThanOrEqualTo(slack);
    }

    [Fact]
    public void A_batch_of_several_passes_keeps_the_halves_of_the_parameter_array()
    {
        var (network, images, labels) = ReferenceNets.Setup(ReferenceNets.All["arch1"], 40);
        network.ComputeGradients(images, labels, 40); // three passes of 16
        for (var half = 0; half < 2; half++)
        {
            var (start, length) = BatchRunner.ParameterHalf(network.ParameterCount, half);
            network.GradientHalf(half).ToArray().ShouldBe([new ParameterRange(start, length)]);
        }
    }
}
