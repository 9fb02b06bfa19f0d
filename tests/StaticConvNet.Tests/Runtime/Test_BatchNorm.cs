using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>What BatchNorm keeps besides its parameters: the running statistics a training step moves (and nothing
/// else does), their determinism across shards and runs, and their place in checkpoints. Its forward pass, its
/// gradients and its inference are checked against the double reference in <see cref="Test_ReferenceEquivalence"/>.</summary>
public class Test_BatchNorm
{
    private static (IConvNet Network, float[] Images, int[] Labels) Setup(int batch)
        => ReferenceNets.Setup(ReferenceNets.All["BatchNormFirst"], batch);

    [Fact]
    public void A_training_step_moves_the_running_statistics_by_momentum_toward_the_batch_ones()
    {
        // BatchNormFirstNet normalises the images themselves (3 channels, 4x3 pixels), so the batch's statistics are the images'.
        var (network, images, labels) = Setup(batch: 5);
        var before = network.State.ToArray();
        network.ComputeGradients(images, labels, 5);
        const int channels = 3, values = 5 * 12;
        for (var c = 0; c < channels; c++)
        {
            var xs = Enumerable.Range(0, values).Select(v => (double)images[v * channels + c]).ToArray();
            var mean = xs.Average();
            var unbiased = xs.Sum(x => (x - mean) * (x - mean)) / (values - 1); // PyTorch moves the running variance by the unbiased one
            ((double)network.State[c]).ShouldBe(0.9 * before[c] + 0.1 * mean, 1e-6, $"mean of channel {c}");
            ((double)network.State[channels + c]).ShouldBe(0.9 * before[channels + c] + 0.1 * unbiased, 1e-6, $"variance of channel {c}");
        }
    }

    [Fact]
    public void The_same_step_gives_the_same_bits_every_time_whichever_shard_finishes_first()
    {
        var (network, images, labels) = ReferenceNets.Setup(ReferenceNets.All["BatchNorm"], batch: 9);
        var state = network.State.ToArray();
        network.ComputeGradients(images, labels, 9);
        var (gradients, moved) = (network.Gradients.ToArray(), network.State.ToArray());
        for (var run = 0; run < 20; run++)
        {
            state.CopyTo(network.State);
            network.ComputeGradients(images, labels, 9);
            network.Gradients.ToArray().ShouldBe(gradients, $"run {run}");
            network.State.ToArray().ShouldBe(moved, $"run {run}");
        }
    }

    [Fact]
    public void Inference_and_a_training_mode_loss_leave_the_running_statistics_alone()
    {
        var (network, images, labels) = Setup(batch: 4);
        var before = network.State.ToArray();
        network.ComputeLoss(images, labels, 4, training: true);
        network.ComputeLoss(images, labels, 4);
        network.PredictBatch(images, new int[4]);
        network.State.ToArray().ShouldBe(before);
    }

    [Fact]
    public void Inference_folds_each_BatchNorm_into_its_convolution_and_refolds_after_the_weights_change()
    {
        // BatchNormNet's conv1 → bn1 and its residual body's conv → bn run folded at inference; the logits must follow
        // the reference after a training step moved the running statistics and an update moved the weights.
        var c = ReferenceNets.All["BatchNorm"];
        var (network, images, labels) = ReferenceNets.Setup(c, batch: 3);
        network.Description.AllLayers.Count(l => l.Kind == "BatchNorm").ShouldBe(3);
        var logits = new float[network.OutputLength];
        network.Forward(images.AsSpan(0, network.InputLength), logits); // folds once
        network.ComputeGradients(images, labels, 3);
        for (var i = 0; i < network.ParameterCount; i++) network.Parameters[i] -= 0.5f * network.Gradients[i];
        network.Forward(images.AsSpan(0, network.InputLength), logits);
        var expected = c.Reference.WithState(network.State).Logits(network.Parameters.ToArray().Select(v => (double)v).ToArray(), images.AsSpan(0, network.InputLength));
        for (var k = 0; k < logits.Length; k++) Tolerance.Difference(logits[k], expected[k]).ShouldBeLessThan(1e-4 + 1e-4 * Math.Abs(expected[k]), $"logit {k}");
    }

    [Fact]
    public void A_new_network_starts_at_mean_0_and_variance_1_and_InitializeParameters_resets_there()
    {
        var network = new BatchNormFirstNet();
        network.State.ToArray().ShouldBe([0f, 0f, 0f, 1f, 1f, 1f]);
        network.State.Fill(0.5f);
        network.InitializeParameters(seed: 3);
        network.State.ToArray().ShouldBe([0f, 0f, 0f, 1f, 1f, 1f]);
        network.Parameters[..6].ToArray().ShouldBe([1f, 1f, 1f, 0f, 0f, 0f], "γ starts at 1, β at 0");
    }

    [Fact]
    public void A_checkpoint_carries_the_running_statistics_and_one_without_them_does_not_load()
    {
        var (network, images, labels) = Setup(batch: 4);
        network.ComputeGradients(images, labels, 4);
        var saved = Checkpoint.Parse(Checkpoint.Capture(network, 1, seed: 1, optimizer: null).ToBytes(), "c.scnc");
        saved.State.ShouldBe(network.State.ToArray());

        var restored = new BatchNormFirstNet();
        saved.LoadInto(restored, "c.scnc");
        restored.State.ToArray().ShouldBe(network.State.ToArray());

        Should.Throw<DataFormatException>(() => (saved with { State = null }).LoadInto(new BatchNormFirstNet(), "c.scnc"))
            .Message.ShouldBe("c.scnc: holds 0 floats of running statistics; 'BatchNormFirstNet' keeps 6");
    }
}
