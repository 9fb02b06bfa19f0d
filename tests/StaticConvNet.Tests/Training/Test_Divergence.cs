using StaticConvNet.Data;

namespace StaticConvNet.Tests.Training;

/// <summary>A run is called diverged only when it has: non-finite logits, or a loss grown by orders of magnitude. A
/// network that has become very confident (logits in the hundreds, loss near 0) is not.</summary>
public class Test_Divergence
{
    private static Func<int, float[]> Logits(params float[] values) => _ => values;

    [Fact]
    public void A_NaN_loss_from_a_NaN_logit_names_the_image_and_the_logit()
    {
        var watch = new DivergenceWatch(classes: 3);
        watch.Check(float.NaN, 2, Logits(1f, 2f, 3f, 4f, float.NaN, 6f))
            .ShouldBe("the loss became NaN: logit 1 of image 1 in the batch is NaN");
    }

    [Fact]
    public void An_infinite_loss_from_finite_logits_says_they_were_finite()
    {
        var watch = new DivergenceWatch(classes: 2);
        watch.Check(float.PositiveInfinity, 1, Logits(3e38f, -3e38f))
            .ShouldBe("the loss became +infinity, though every logit was finite: they span more than a float can hold");
    }

    [Fact]
    public void A_loss_grown_a_thousandfold_over_its_recent_average_is_divergence()
    {
        var watch = new DivergenceWatch(classes: 10);
        for (var i = 0; i < 50; i++) watch.Check(2.5f, 16, Logits()).ShouldBeNull();
        watch.Limit.ShouldBe(2500f, 1e-2f);
        watch.Check(2600f, 16, Logits()).ShouldBe("the mean loss grew to 2600, over 1000 times the lowest it had averaged");
        var second = new DivergenceWatch(classes: 10);
        for (var i = 0; i < 50; i++) second.Check(2.5f, 16, Logits()).ShouldBeNull();
        second.Check(2400f, 16, Logits()).ShouldBeNull("under 1000 times the recent 2.5");
    }

    [Fact]
    public void A_loss_that_grows_by_half_each_step_is_caught_before_it_overflows()
    {
        // A moving average follows such a loss up and never falls a thousand times behind it; the lowest average does not.
        var watch = new DivergenceWatch(classes: 10);
        var loss = 2.3f;
        var step = 0;
        string? reason;
        while ((reason = watch.Check(loss, 16, Logits())) is null && step < 100) { loss *= 1.5f; step++; }
        reason.ShouldNotBeNull();
        reason.ShouldStartWith("the mean loss grew to");
        step.ShouldBeLessThan(25, "log1.5(1000) is 17 steps");
    }

    [Fact]
    public void A_network_of_one_class_is_watched_too()
    {
        var watch = new DivergenceWatch(classes: 1);
        watch.Check(0f, 16, Logits()).ShouldBeNull();
        watch.Check(float.NaN, 1, Logits(float.NaN)).ShouldBe("the loss became NaN: logit 0 of image 0 in the batch is NaN");
    }

    [Fact]
    public void A_hard_minibatch_after_thousands_of_near_zero_losses_is_not_divergence()
    {
        // Against the recent average alone (1e-6) a loss of 30 is a growth of 3e7; against a uniform guess's loss it is
        // nothing.
        var watch = new DivergenceWatch(classes: 10);
        for (var i = 0; i < 5000; i++) watch.Check(1e-6f, 16, Logits()).ShouldBeNull();
        watch.Limit.ShouldBe(1000f * MathF.Log(10), 1e-2f);
        watch.Check(30f, 16, Logits()).ShouldBeNull();
    }

    [Fact]
    public void A_network_driven_to_very_confident_logits_trains_on_without_diverging()
    {
        // The failure, made quick: a separable toy set whose images are large drives a linear classifier's
        // logits into the thousands within a few steps, far past the 88.7 at which softmax without the maximum
        // subtracted overflowed (∞/∞ = NaN gradients, reported as divergence). Momentum keeps pushing long after the
        // loss is 0.
        var network = new ConfidentNet();
        var train = Separable(256, seed: 3);
        var result = Trainer.Train(network, train, null,
            new TrainingOptions { Steps = 400, BatchSize = 16, Schedule = new(0.1f), Momentum = 0.9f, EvalEvery = 0 });
        result.Diverged.ShouldBeFalse(result.DivergenceReason);
        result.FinalLoss.ShouldBe(0f, 1e-6f);
        var logits = new float[ConfidentNet.OutputLength];
        var largest = 0f;
        for (var i = 0; i < train.Count; i++)
        {
            network.Forward(train.Image(i), logits);
            largest = Math.Max(largest, logits.Max());
        }
        largest.ShouldBeGreaterThan(1000f, "the logits this test is about");
        Evaluation.Accuracy(network, train).ShouldBe(1f);
    }

    /// <summary>Class 0 has a first pixel of +50, class 1 of −50; the rest is noise of the same size.</summary>
    private static Dataset Separable(int count, int seed)
    {
        var random = new Random(seed);
        var (images, labels) = (new float[count * 4], new int[count]);
        for (var n = 0; n < count; n++)
        {
            labels[n] = random.Next(2);
            images[n * 4] = labels[n] == 0 ? 50f : -50f;
            for (var k = 1; k < 4; k++) images[n * 4 + k] = (float)(random.NextDouble() * 100 - 50);
        }
        return new Dataset(images, labels, 2, 2);
    }
}

[Network(Height = 2, Width = 2, Channels = 1, Classes = 2)]
[Dense(2)]
public sealed partial class ConfidentNet;
