using StaticConvNet.Models;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The per-core layout copies (<see cref="LayoutCopies"/>) with the helper free, so that a two-core call really
/// runs a shard on it: that shard lays out and reads copy 1; a call made on the helper itself reads copy 1 throughout;
/// and networks whose convolutions read those copies (Winograd kernels, flipped weights; BatchNorm's staged passes)
/// train to the same bits on two cores as on one, step after step.</summary>
[Collection(nameof(RunsAlone))]
public sealed class Test_LayoutCopies
{
    [Fact]
    public void A_two_core_training_call_lays_out_each_copy_once_on_its_own_core()
    {
        if (!CoreTeam.IsParallel) return; // one core: copy 1 is never made (Test_BatchRunner checks copy 0 alone)
        var (network, runner) = Test_BatchRunner.Create();
        network.Runner = runner;
        var images = Test_BatchRunner.RandomFloats(6 * Test_BatchRunner.Input.Length, 3);
        var labels = Test_BatchRunner.RandomLabels(6, Test_BatchRunner.Classes, 4);
        for (var call = 0; call < 3; call++)
        {
            network.StartCall();
            runner.ComputeGradients(images, labels, 6);
            network.Misreads.ShouldBeEmpty();
            network.ForwardLayouts.ShouldBe([1, 1], $"call {call}");
            network.BackwardLayouts.ShouldBe([1, 1], $"call {call}");
        }
    }

    [Fact]
    public void A_call_made_on_the_helper_reads_the_helpers_copy_throughout()
    {
        if (!CoreTeam.IsParallel) return;
        var (network, runner) = Test_BatchRunner.Create();
        network.Runner = runner;
        var images = Test_BatchRunner.RandomFloats(6 * Test_BatchRunner.Input.Length, 3);
        var labels = Test_BatchRunner.RandomLabels(6, Test_BatchRunner.Classes, 4);
        network.StartCall();
        CoreTeam.Run(half => { if (half == 1) runner.ComputeGradients(images, labels, 6); });
        network.Misreads.ShouldBeEmpty();
        network.ForwardLayouts.ShouldBe([0, 1]);
        network.BackwardLayouts.ShouldBe([0, 1]);
    }

    [Theory]
    [InlineData("arch2")] // conv2: Winograd F(4x4, 5x5) both ways, flipped weights
    [InlineData("arch1")] // conv2: strided Winograd forward, flipped weights for a direct input gradient
    [InlineData("resnet")] // BatchNorm: staged passes, whose later stages read the copies stage 0 chose
    public void Training_reads_the_copies_to_the_same_bits_on_two_cores_as_on_one(string model)
    {
        var (train, _) = BundledData.Load();
        var options = new TrainingOptions { Steps = 6, BatchSize = 16, EvalEvery = 0 };
        var two = ModelCatalog.Find(model)!.Create();
        Trainer.Train(two, train, null, options);
        var one = ModelCatalog.Find(model)!.Create();
        CoreTeam.Run(half => { if (half == 0) Trainer.Train(one, train, null, options); });
        one.Parameters.ToArray().ShouldBe(two.Parameters.ToArray());
    }
}
