using StaticConvNet.Data;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>PredictBatch (one shard per core, BatchCapacity images at a time) answers exactly what Predict does,
/// one image at a time, for any count: partial batches, several batches, a network with dropout.</summary>
public class Test_PredictBatch
{
    public static TheoryData<string, int> Cases() => new()
    {
        { "arch2", 1 }, { "arch2", 15 }, { "arch2", 16 }, { "arch2", 17 }, { "arch2", 41 },
        { "arch1", 33 }, { "arch4", 33 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Predicts_what_Predict_does_one_image_at_a_time(string model, int count)
    {
        var network = ModelCatalog.Find(model)!.Create();
        // Random weights of both signs everywhere (the notebook init's constant biases send most inputs to one class).
        ReferenceNets.Random(network.ParameterCount, 7, 0.2f).CopyTo(network.Parameters);
        var images = BundledData.Load().Valid.Images.AsSpan(0, network.InputLength * count).ToArray();

        // A training pass first, so that dropout masks and the batch buffers hold something to get in the way.
        network.ComputeGradients(images.AsSpan(0, network.InputLength * Math.Min(count, network.BatchCapacity)),
            new int[network.BatchCapacity], Math.Min(count, network.BatchCapacity));
        var predictions = new int[count];
        network.PredictBatch(images, predictions);

        var expected = Enumerable.Range(0, count).Select(i => network.Predict(images.AsSpan(i * network.InputLength, network.InputLength))).ToArray();
        predictions.ShouldBe(expected);
        if (count > 10) expected.Distinct().Count().ShouldBeGreaterThan(1, "letters through random weights should not all land in one class");
    }

    [Fact]
    public void Images_that_do_not_match_the_count_are_an_argument_error()
    {
        var network = new Arch2ConvPool();
        var error = Should.Throw<ArgumentException>(() => network.PredictBatch(new float[Arch2ConvPool.InputLength * 3 - 1], new int[3]));
        error.Message.ShouldStartWith("3 predictions need 2352 image values (784 per image), got 2351.");
        // 5,478,275 · 784 is 304 in int arithmetic: the check must not wrap into agreeing (the passes would read past the images).
        Should.Throw<ArgumentException>(() => network.PredictBatch(new float[304], new int[5_478_275]))
            .Message.ShouldStartWith("5478275 predictions need 4294967600 image values (784 per image), got 304.");
    }

    [Fact]
    public void No_images_no_work()
    {
        var network = new Arch2ConvPool();
        network.PredictBatch(ReadOnlySpan<float>.Empty, Span<int>.Empty);
    }
}
