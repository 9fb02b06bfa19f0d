using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Training;

/// <summary>One owner for training options: <see cref="TrainingOptions.Validate"/> checks them once, for the trainer,
/// <c>TrainingRun</c> and <c>scn train</c> alike, and a cosine decay over the run is resolved by the trainer, which knows
/// how many steps a resumed run already had.</summary>
public class Test_TrainingOptions
{
    [Fact]
    public void A_cosine_decay_to_the_end_of_the_run_gets_the_whole_runs_length()
    {
        LearningRateSchedule.CosineOverTheRun(0.1f, warmupSteps: 10).ForRun(110).ShouldBe(LearningRateSchedule.Cosine(0.1f, 110, 10));
        new LearningRateSchedule(0.05f).ForRun(110).ShouldBe(new LearningRateSchedule(0.05f), "other schedules as they are");
        Should.Throw<InvalidOperationException>(() => LearningRateSchedule.CosineOverTheRun(0.1f).At(0));
    }

    [Fact]
    public void An_interrupted_cosine_run_resumed_uses_the_rates_of_the_same_run_in_one_go()
    {
        // As scn train does it: a 30-step run stopped after 11 steps (Ctrl-C), then resumed for the 19 left.
        var train = Test_TrainingRun.Blobs(64, 1);
        var options = new TrainingOptions { Steps = 30, BatchSize = 4, EvalEvery = 0, Schedule = LearningRateSchedule.CosineOverTheRun(0.05f, warmupSteps: 5) };
        List<float> Rates(TrainingOptions o, Checkpoint? resume, int? stopAfter = null, List<Checkpoint>? kept = null)
        {
            var rates = new List<float>();
            using var stop = new CancellationTokenSource();
            Trainer.Train(new ColourNet(), train, null, o, resume, new TrainingCallbacks
            {
                Step = r => { rates.Add(r.LearningRate); if (rates.Count == stopAfter) stop.Cancel(); },
                Checkpoint = c => kept?.Add(c),
            }, stop.Token);
            return rates;
        }
        var whole = Rates(options, null);
        var checkpoints = new List<Checkpoint>();
        var first = Rates(options, null, stopAfter: 11, kept: checkpoints);
        var rest = Rates(options with { Steps = 19 }, checkpoints.ShouldHaveSingleItem());
        first.Count.ShouldBe(11);
        first.Concat(rest).ShouldBe(whole);
        whole[^1].ShouldBeLessThan(whole[10] / 10, "decays to near 0 at the end of the 30 steps, not of the resumed 19");
    }

    [Fact]
    public void Validate_names_the_option_and_what_is_wrong()
    {
        var network = new ColourNet();
        TrainingOptionsException Refusal(TrainingOptions o) => Should.Throw<TrainingOptionsException>(() => o.Validate(network, ColourNet.BatchCapacity));
        Refusal(new TrainingOptions { Steps = 0 }).Message.ShouldBe("Steps must be at least 1, got 0");
        Refusal(new TrainingOptions { RandomShift = 12 }).Message.ShouldBe("RandomShift must be 0..11 pixels for 12x12x3 images, got 12");
        Refusal(new TrainingOptions { Schedule = LearningRateSchedule.CosineOverTheRun(0.1f) with { DecaySteps = 100 } })
            .Message.ShouldBe("Schedule.DecaySteps is exponential decay's; a cosine schedule has no decay steps, rate or staircase");
        Refusal(new TrainingOptions { Schedule = LearningRateSchedule.CosineOverTheRun(0.1f, floor: -0.5f) }).Option.ShouldBe("Schedule.CosineFloor");
        Refusal(new TrainingOptions { DropoutRate = 0.5f }).Message.ShouldBe("DropoutRate is set, but ColourNet has no dropout layer");
        Refusal(new TrainingOptions { WeightDecay = 0.01f }).Option.ShouldBe("WeightDecay");
        new TrainingOptions().Validate(network, ColourNet.BatchCapacity); // the defaults train
    }

    [Fact]
    public void Scn_train_names_the_flag_for_what_Validate_refuses()
    {
        Scn.Run("train", "arch1", "--schedule", "cosine", "--decay-steps", "100")
            .ShouldBeCleanError("--decay-steps is exponential decay's; a cosine schedule has no decay steps, rate or staircase");
        Scn.Run("train", "arch1", "--schedule", "cosine", "--decay-rate", "0.5").ShouldBeCleanError("--decay-rate is exponential decay's");
        Scn.Run("train", "arch1", "--schedule", "cosine", "--staircase", "true").ShouldBeCleanError("--staircase is exponential decay's");
    }

    /// <summary>A batch that leaves a pass of one image is refused for a network with a BatchNorm over 1x1 images
    /// (BatchNormNet's after its dense layer): one value a channel, which it would map to its shift whatever it was.</summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(17, true)]
    [InlineData(2, false)]
    [InlineData(16, false)]
    [InlineData(18, false)]
    public void A_batch_that_leaves_a_BatchNorm_one_value_a_channel_is_refused(int batch, bool refused)
    {
        var validate = () => new TrainingOptions { BatchSize = batch }.Validate(new BatchNormNet());
        if (!refused) { validate(); return; }
        var e = Should.Throw<TrainingOptionsException>(validate);
        e.Option.ShouldBe(nameof(TrainingOptions.BatchSize));
        e.Problem.ShouldBe($"of {batch} leaves a pass of one image (passes of up to 16), and bn2 normalises 1x1x8 values: each channel over one value, which gives its shift whatever the input; choose a batch that leaves passes of 2 or more");
        new TrainingOptions { BatchSize = batch }.Validate(new ColourNet()); // no BatchNorm: any batch
        // A device that runs the whole batch as one pass (an ILGPU device) leaves no pass of one past the capacity.
        if (batch > 1) new TrainingOptions { BatchSize = batch }.Validate(new BatchNormNet(), maxBatchSize: 4096, passCapacity: batch);
    }

    /// <summary>The notebook's offset, step · batch mod (N − batch), for steps where the product passes 2^63.</summary>
    [Fact]
    public void A_minibatch_offset_does_not_wrap_for_huge_steps()
    {
        var train = Test_TrainingRun.Blobs(40, 1);
        var order = Enumerable.Range(0, 40).ToArray();
        var (images, labels) = (new float[7 * train.ImageLength], new int[7]);
        var step = long.MaxValue / 3;
        Minibatches.Fill(train, order, step, 7, images, labels, 0, 7);
        var offset = (int)(new System.Numerics.BigInteger(step) * 7 % 33);
        labels.ShouldBe(train.Labels[offset..(offset + 7)]);
    }
}
