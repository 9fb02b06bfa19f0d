using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Dropout's training behaviour as seen through a generated network. (The finite-difference gradient
/// checks of every layer kind and model live in Test_ReferenceEquivalence, computed in double.)</summary>
public class Test_Dropout
{
    [Fact]
    public void Training_draws_masks_per_step_and_replays_a_step_exactly()
    {
        var network = new DropoutNet();
        ReferenceNets.Random(DropoutNet.ParameterCount, 3, 0.3f).CopyTo(network.Parameters);
        var images = ReferenceNets.Random(DropoutNet.InputLength * 16, 4, 0.5f);
        var labels = new int[16];
        var inference = network.ComputeLoss(images, labels, 16);
        network.DropoutStep = 0;
        var step0 = network.ComputeLoss(images, labels, 16, training: true);
        network.DropoutStep = 1;
        var step1 = network.ComputeLoss(images, labels, 16, training: true);
        step0.ShouldNotBe(inference);
        step1.ShouldNotBe(step0);
        network.DropoutStep = 0;
        network.ComputeLoss(images, labels, 16, training: true).ShouldBe(step0, "the same step replays the same masks");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.999f)]
    public void The_mask_is_the_scalar_draw_element_by_element(float rate)
    {
        // Dropout.Forward takes a vector of elements at a time, at the machine's width; the GPU kernel, every other tier
        // and resumed runs rely on every element's mask being exactly this scalar formula.
        var keep = 1f / (1f - rate);
        foreach (var length in new[] { 1, 15, 16, 17, 40, 12544 })
        {
            foreach (var (seed, stream) in new[] { (1UL, 0UL), (42UL, 12345UL), (ulong.MaxValue, 7UL) })
            {
                var mask = new float[length];
                var output = new float[length];
                StaticConvNet.Kernels.Dropout.Forward(Enumerable.Repeat(2f, length).ToArray(), output, mask, rate, seed, stream);
                var key = StaticConvNet.Kernels.Dropout.Key(seed, stream);
                for (var i = 0; i < length; i++)
                {
                    var expected = StaticConvNet.Kernels.Dropout.Draw(key, i) / (double)(1 << 24) < rate ? 0f : keep;
                    if (mask[i] != expected) throw new ShouldAssertException($"length {length}, seed {seed}, stream {stream}: mask[{i}] is {mask[i]}, the formula gives {expected}");
                    output[i].ShouldBe(2f * expected);
                }
                if (length > 10000 && rate is > 0f and < 0.99f) mask.Count(m => m == 0f).ShouldBeInRange((int)(length * rate * 0.9), (int)(length * rate * 1.1));
            }
        }
    }

    [Fact]
    public void Masks_of_neighbouring_streams_and_elements_look_independent()
    {
        // A weak hash shows up here first: masks of adjacent streams (the images of a batch) agreeing more or less often
        // than independent coins would, or neighbouring elements of one mask repeating each other.
        const int length = 12544;
        var masks = new float[3][];
        for (var s = 0; s < 3; s++)
        {
            masks[s] = new float[length];
            StaticConvNet.Kernels.Dropout.Forward(new float[length], new float[length], masks[s], 0.5f, seed: 7, stream: 1000UL + (ulong)s);
        }
        for (var s = 0; s < 2; s++)
        {
            var agree = Enumerable.Range(0, length).Count(i => masks[s][i] == masks[s + 1][i]);
            agree.ShouldBeInRange(length / 2 - 300, length / 2 + 300); // four standard deviations either side
        }
        var changes = Enumerable.Range(1, length - 1).Count(i => masks[0][i] != masks[0][i - 1]);
        changes.ShouldBeInRange(length / 2 - 300, length / 2 + 300);
    }

    [Fact]
    public void A_batch_larger_than_the_capacity_draws_each_images_own_mask()
    {
        // 40 copies of one image: images 0 and 16 sit in the same slot of different passes, and must still get
        // different masks; the first 16 get the masks a batch of 16 gives them.
        var network = new DropoutNet();
        ReferenceNets.Random(DropoutNet.ParameterCount, 3, 0.3f).CopyTo(network.Parameters);
        var image = ReferenceNets.Random(DropoutNet.InputLength, 4, 0.5f);
        var images = Enumerable.Repeat(image, 40).SelectMany(x => x).ToArray();
        network.DropoutStep = 7;
        network.ComputeGradients(images, new int[40], 40);
        var large = Enumerable.Range(0, 40).Select(i => network.TrainingLogits(i).ToArray()).ToArray();
        network.DropoutStep = 7;
        network.ComputeGradients(images, new int[16], 16);
        for (var i = 0; i < 16; i++) large[i].ShouldBe(network.TrainingLogits(i).ToArray(), $"image {i}");
        large.Select(l => string.Join(",", l)).Distinct().Count().ShouldBe(40, "every image its own mask");
    }

    [Fact]
    public void ComputeGradients_advances_the_dropout_step()
    {
        var network = new DropoutNet();
        network.DropoutStep = 5;
        network.ComputeGradients(new float[DropoutNet.InputLength], [0], 1);
        network.DropoutStep.ShouldBe(6UL);
    }
}
