using Shouldly;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Runtime;

/// <summary><see cref="ConvNetExtensions.CompilePasses"/>, which scn train runs on another thread while the data loads:
/// the network keeps nothing of it, so a run after it ends in the same bits as a run without it.</summary>
public class Test_CompilePasses
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1000)] // past the capacity: a batch of the capacity
    public void Parameters_running_statistics_and_dropout_step_are_as_they_were(int batchSize)
    {
        // A BatchNorm network: a training pass moves its running statistics.
        var network = new ReluPoolBlocksNet();
        network.InitializeParameters(3);
        ReferenceNets.Random(network.State.Length, 4, 1f).CopyTo(network.State);
        network.DropoutStep = 17;
        var (parameters, state) = (network.Parameters.ToArray(), network.State.ToArray());

        network.CompilePasses(batchSize);

        network.Parameters.ToArray().ShouldBe(parameters);
        network.State.ToArray().ShouldBe(state);
        network.DropoutStep.ShouldBe(17UL);
    }

    [Fact]
    public void A_training_run_after_it_ends_where_one_without_it_ends()
    {
        var options = new TrainingOptions { Steps = 6, BatchSize = 4, EvalEvery = 0, RandomShift = 1 };
        var data = Training.Test_TrainingRun.Blobs(60, 5);
        var plain = new DropoutNet();
        Trainer.Train(plain, Resized(data, plain), null, options);
        var compiled = new DropoutNet();
        compiled.CompilePasses();
        Trainer.Train(compiled, Resized(data, compiled), null, options);
        compiled.Parameters.ToArray().ShouldBe(plain.Parameters.ToArray());
    }

    [Fact]
    public void A_batch_size_under_one_is_refused()
        => Should.Throw<ArgumentOutOfRangeException>(() => new DropoutNet().CompilePasses(0)).ParamName.ShouldBe("batchSize");

    private static Dataset Resized(Dataset blobs, IConvNet network)
    {
        var images = new float[blobs.Count * network.InputLength];
        for (var i = 0; i < images.Length; i++) images[i] = blobs.Images[i % blobs.Images.Length];
        var labels = blobs.Labels.Select(l => l % network.OutputLength).ToArray();
        var shape = network.Description.Input;
        return new Dataset(images, labels, shape.Height, shape.Width, shape.Channels);
    }
}
