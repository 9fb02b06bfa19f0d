using Shouldly;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Runtime;

/// <summary><see cref="ConvNetExtensions.CompilePasses"/>, which scn train runs on another thread while the data loads:
/// the network keeps nothing of it, so a run after it ends in the same bits as a run without it.</summary>
public class Test_CompilePasses
{
    [Theory]
    [InlineData(1, OptimizerKind.Sgd)]
    [InlineData(16, OptimizerKind.Adam)]
    [InlineData(1000, OptimizerKind.AdamW)] // past the capacity: a blank batch of the capacity
    public void Parameters_running_statistics_and_dropout_settings_are_as_they_were(int batchSize, OptimizerKind optimizer)
    {
        // A BatchNorm network: a training pass moves its running statistics.
        var network = new ReluPoolBlocksNet();
        network.InitializeParameters(3);
        ReferenceNets.Random(network.State.Length, 4, 1f).CopyTo(network.State);
        (network.DropoutSeed, network.DropoutStep) = (9, 17);
        var (parameters, state) = (network.Parameters.ToArray(), network.State.ToArray());

        network.CompilePasses(new TrainingOptions { BatchSize = batchSize, Optimizer = optimizer, RandomShift = 1, Seed = 4 });

        network.Parameters.ToArray().ShouldBe(parameters);
        network.State.ToArray().ShouldBe(state);
        network.DropoutSeed.ShouldBe(9UL);
        network.DropoutStep.ShouldBe(17UL);
    }

    [Fact]
    public void A_network_keeps_its_own_dropout_rate()
    {
        var network = new DropoutNet();
        network.InitializeParameters(3);
        var parameters = network.Parameters.ToArray();

        network.CompilePasses(new TrainingOptions { DropoutRate = 0.1f });

        network.DropoutRate.ShouldBeNull();
        network.Parameters.ToArray().ShouldBe(parameters);
    }

    [Fact]
    public void A_training_run_after_it_ends_where_one_without_it_ends()
    {
        var options = new TrainingOptions { Steps = 6, BatchSize = 4, EvalEvery = 0, RandomShift = 1 };
        var data = Training.Test_TrainingRun.Blobs(60, 5);
        var plain = new DropoutNet();
        Trainer.Train(plain, NetworkShaped.From(data, plain), null, options);
        var compiled = new DropoutNet();
        compiled.CompilePasses(options);
        Trainer.Train(compiled, NetworkShaped.From(data, compiled), null, options);
        compiled.Parameters.ToArray().ShouldBe(plain.Parameters.ToArray());
    }

    [Fact]
    public void Options_a_run_would_refuse_are_refused()
        => Should.Throw<TrainingOptionsException>(() => new DropoutNet().CompilePasses(new TrainingOptions { BatchSize = 0 })).Option.ShouldBe("BatchSize");
}
