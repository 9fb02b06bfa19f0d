using StaticConvNet.Data;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Runtime;

/// <summary>A colour network trained from C#, end to end: a 12x12x3 stack, a <see cref="Dataset"/> of 3-channel
/// images, <see cref="Trainer.Train"/>, then its accuracy on images it has not seen.</summary>
[Network(Height = 12, Width = 12, Channels = 3, Classes = 3)]
[Conv2D(16, Patch = 3)]
[ReLU]
[MaxPool(2)]
[Dense(3)]
public sealed partial class ColourNet;

public class Test_ColourTraining
{
    /// <summary>Class c: a blob brighter in channel c than in the other two, somewhere in the image, over noise.</summary>
    private static Dataset Blobs(int count, int seed)
    {
        var random = new Random(seed);
        var (images, labels) = (new float[count * 12 * 12 * 3], new int[count]);
        for (var n = 0; n < count; n++)
        {
            labels[n] = random.Next(3);
            var (cy, cx) = (random.Next(2, 10), random.Next(2, 10));
            for (var y = 0; y < 12; y++)
            for (var x = 0; x < 12; x++)
            for (var c = 0; c < 3; c++)
            {
                var inBlob = Math.Abs(y - cy) <= 2 && Math.Abs(x - cx) <= 2;
                images[((n * 12 + y) * 12 + x) * 3 + c] = (float)(random.NextDouble() * 0.3 - 0.15) + (inBlob && c == labels[n] ? 0.4f : 0f);
            }
        }
        return new Dataset(images, labels, 12, 12, channels: 3);
    }

    [Fact]
    public void A_three_channel_network_trains_from_code_and_learns()
    {
        var (train, valid) = (Blobs(600, 1), Blobs(300, 2));
        var network = new ColourNet();
        var result = Trainer.Train(network, train, valid, new TrainingOptions { Steps = 300, EvalEvery = 300 });
        result.ValidationAccuracy.ShouldBeGreaterThan(0.9f, "chance is 1/3");
    }

    [Fact]
    public void Colour_data_without_its_channel_count_says_how_many_values_per_pixel_it_has()
    {
        var e = Should.Throw<ArgumentException>(() => new Dataset(new float[2 * 12 * 12 * 3], new int[2], 12, 12));
        e.Message.ShouldBe("2 labels of 12x12x1 images need 288 image values, got 864. That is 3 values per pixel: pass channels: 3.");
        var grey = new Dataset(new float[4 * 12 * 12], new int[4], 12, 12);
        Should.Throw<ArgumentException>(() => Trainer.Train(new ColourNet(), grey, null, new TrainingOptions { Steps = 1, BatchSize = 2 }))
            .Message.ShouldBe("Training images are 12x12x1; ColourNet takes 12x12x3.");
    }
}
