using StaticConvNet.Data;

namespace StaticConvNet.Tests.Training;

/// <summary>Learning-rate schedules (TensorFlow's exponential decay, cosine decay, warm-up) and random shifts:
/// their values, and that a run using them resumes bit for bit.</summary>
public class Test_SchedulesAndAugmentation
{
    [Fact]
    public void Exponential_decay_is_tensorflows()
    {
        var schedule = new LearningRateSchedule(0.1f, DecaySteps: 100, DecayRate: 0.5f);
        schedule.At(0).ShouldBe(0.1f);
        schedule.At(100).ShouldBe(0.05f, 1e-7f);
        schedule.At(50).ShouldBe((float)(0.1 * Math.Pow(0.5, 0.5)), 1e-7f);
        (schedule with { Staircase = true }).At(199).ShouldBe(0.05f, 1e-7f);
        schedule.ToString().ShouldBe("0.1 x 0.5^(step/100)");
    }

    [Fact]
    public void Cosine_decay_warms_up_linearly_then_falls_to_its_floor_and_stays()
    {
        var schedule = LearningRateSchedule.Cosine(0.2f, totalSteps: 1100, warmupSteps: 100, floor: 0.1f);
        schedule.At(0).ShouldBe(0.002f, 1e-7f);
        schedule.At(49).ShouldBe(0.1f, 1e-7f);
        schedule.At(99).ShouldBe(0.2f, 1e-7f);
        schedule.At(100).ShouldBe(0.2f, 1e-7f);
        schedule.At(600).ShouldBe(0.2f * (0.1f + 0.9f * 0.5f), 1e-6f, "half way: the mean of peak and floor");
        schedule.At(1100).ShouldBe(0.02f, 1e-7f);
        schedule.At(5000).ShouldBe(0.02f, 1e-7f);
        Enumerable.Range(100, 1000).Select(s => schedule.At(s)).ShouldBeInOrder(SortDirection.Descending);
        schedule.ToString().ShouldBe("0.2 cosine to 0.02 over 1000 steps after 100 warm-up");
    }

    [Fact]
    public void A_shift_moves_each_image_by_its_own_seeded_offset_repeating_the_edge()
    {
        // 9x8 images with 2 channels whose values say where they came from: 100·y + 10·x + c.
        const int height = 9, width = 8, channels = 2, count = 64;
        var pixels = new float[count * height * width * channels];
        for (var n = 0; n < count; n++)
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        for (var c = 0; c < channels; c++)
            pixels[((n * height + y) * width + x) * channels + c] = 100 * y + 10 * x + c;
        var data = new Dataset(pixels, new int[count], height, width, channels);
        var batch = (float[])pixels.Clone();
        Minibatches.Shift(data, seed: 3, step: 7, count, shift: 2, batch);

        var offsets = new HashSet<(int, int)>();
        for (var n = 0; n < count; n++)
        {
            var image = batch.AsSpan(n * data.ImageLength, data.ImageLength);
            // The pixel at (4, 4) came from (4 − dy, 4 − dx), never clamped: read the offset back from its value.
            var centre = (int)image[(4 * width + 4) * channels];
            var (dy, dx) = (4 - centre / 100, 4 - centre % 100 / 10);
            dy.ShouldBeInRange(-2, 2);
            dx.ShouldBeInRange(-2, 2);
            offsets.Add((dy, dx));
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            for (var c = 0; c < channels; c++)
                image[(y * width + x) * channels + c].ShouldBe(100 * Math.Clamp(y - dy, 0, height - 1) + 10 * Math.Clamp(x - dx, 0, width - 1) + c);
        }
        offsets.Count.ShouldBeGreaterThan(15, "offsets vary from image to image");

        var again = (float[])pixels.Clone();
        Minibatches.Shift(data, seed: 3, step: 7, count, shift: 2, again);
        again.ShouldBe(batch, "the same (seed, step) draws the same shifts");
        Minibatches.Shift(data, seed: 3, step: 8, count, shift: 2, pixels);
        pixels.ShouldNotBe(batch, "another step draws others");
    }

    [Theory]
    [InlineData(3, 2, 1, 4)] // shifts past the whole image: every pixel repeats an edge
    [InlineData(3, 2, 3, 4)]
    [InlineData(5, 7, 3, 6)]
    [InlineData(9, 8, 2, 2)]
    public void Every_pixel_is_its_clamped_source_at_the_drawn_offset(int height, int width, int channels, int shift)
    {
        const int count = 40;
        var pixels = new float[count * height * width * channels];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = i % (height * width * channels);
        var data = new Dataset(pixels, new int[count], height, width, channels);
        var batch = (float[])pixels.Clone();
        Minibatches.Shift(data, seed: 11, step: 2, count, shift, batch);

        var moved = 0;
        for (var n = 0; n < count; n++)
        {
            var (dy, dx) = Minibatches.ShiftOf(seed: 11, step: 2, n, shift);
            dy.ShouldBeInRange(-shift, shift);
            dx.ShouldBeInRange(-shift, shift);
            if ((dy, dx) != (0, 0)) moved++;
            var image = batch.AsSpan(n * data.ImageLength, data.ImageLength);
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            for (var c = 0; c < channels; c++)
                image[(y * width + x) * channels + c].ShouldBe((Math.Clamp(y - dy, 0, height - 1) * width + Math.Clamp(x - dx, 0, width - 1)) * channels + c,
                    $"image {n}, shifted by ({dy}, {dx}), at ({y}, {x}, {c})");
        }
        moved.ShouldBeGreaterThan(count / 2, "most images move");
    }

    [Fact]
    public void A_run_with_cosine_decay_momentum_and_shifts_resumes_bit_for_bit()
    {
        var (train, valid) = (Test_TrainingRun.Blobs(200, 1), Test_TrainingRun.Blobs(60, 2));
        TrainingOptions Options(int steps) => new()
        {
            Steps = steps, EvalEvery = 0, Momentum = 0.9f, RandomShift = 2, Seed = 5,
            Schedule = LearningRateSchedule.Cosine(0.05f, totalSteps: 60, warmupSteps: 10),
        };
        var whole = new ColourNet();
        Trainer.Train(whole, train, valid, Options(60));

        var first = new ColourNet();
        Checkpoint? saved = null;
        Trainer.Train(first, train, valid, Options(25), callbacks: new TrainingCallbacks { Checkpoint = c => saved = c });
        var second = new ColourNet();
        Trainer.Train(second, train, valid, Options(35), resume: Checkpoint.Parse(saved!.ToBytes(), "split"));
        second.Parameters.ToArray().ShouldBe(whole.Parameters.ToArray());
    }
}
