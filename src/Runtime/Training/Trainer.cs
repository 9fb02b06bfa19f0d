using System.Diagnostics;
using StaticConvNet.Data;
using StaticConvNet.Kernels;

namespace StaticConvNet.Training;

/// <summary>The notebook's training loop: minibatches taken in order from a (seeded) shuffle of the training set,
/// offset = step · batch mod (N − batch), SGD on the mean softmax cross-entropy. Everything a step does is a
/// function of (seed, step, parameters, velocity), so a run resumed from a checkpoint continues bit for bit.</summary>
public static class Trainer
{
    /// <summary>Trains with the generated CPU code.</summary>
    public static TrainingResult Train(IConvNet network, Dataset train, Dataset? valid, TrainingOptions options,
        Checkpoint? resume = null, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
        => Run(new CpuTrainingDevice(network), network, train, valid, options, resume, callbacks, cancellationToken);

    /// <summary>Trains <paramref name="host"/> on <paramref name="device"/>; the host holds the parameters at every
    /// evaluation point and at the end. Cancelling <paramref name="cancellationToken"/> stops the run cleanly after the
    /// step under way: the parameters come back to the host, a checkpoint is offered, and the result says
    /// <see cref="TrainingResult.Interrupted"/> (it does not throw), so an interrupted run can be resumed exactly.</summary>
    public static TrainingResult Run(ITrainingDevice device, IConvNet host, Dataset train, Dataset? valid, TrainingOptions options,
        Checkpoint? resume = null, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
    {
        options.Validate(host, device.MaxBatchSize);
        if (train.ImageLength != host.InputLength)
            throw new ArgumentException($"Training images are {train.Height}x{train.Width}x{train.Channels}; {host.Description.Name} takes {host.Description.Input}.");
        if (valid is not null && valid.ImageLength != host.InputLength)
            throw new ArgumentException($"Validation images are {valid.Height}x{valid.Width}x{valid.Channels}; {host.Description.Name} takes {host.Description.Input}.");
        if (train.Count <= options.BatchSize)
            throw new ArgumentException($"The training set has {train.Count} images; it needs more than one batch of {options.BatchSize}.");

        options = options.ForRun(resume?.StepsDone ?? 0);
        var seed = resume?.Seed ?? options.Seed;
        var optimizer = Optimizer.For(options, host.ParameterCount);
        long firstStep = 0;
        if (resume is null)
        {
            host.InitializeParameters(seed);
        }
        else
        {
            resume.LoadInto(host, "checkpoint");
            resume.RestoreInto(optimizer);
            firstStep = resume.StepsDone;
        }
        device.Start(host, optimizer, (ulong)seed, options.DropoutRate);

        var order = Shuffle(train.Count, seed);
        var batchImages = new float[options.BatchSize * host.InputLength];
        var batchLabels = new int[options.BatchSize];
        var shifted = options.RandomShift > 0 ? new float[host.InputLength] : null; // one image's room, for the whole run
        var lastStep = firstStep + options.Steps - 1;
        void OfferCheckpoint(long stepsDone)
        {
            if (WorthKeeping(host, valid ?? train)) callbacks?.Checkpoint?.Invoke(Checkpoint.Capture(host, stepsDone, seed, optimizer));
        }
        var divergence = new DivergenceWatch(host.OutputLength);
        var clock = Stopwatch.StartNew();
        var trainingTime = TimeSpan.Zero;
        float loss = float.NaN, accuracy = float.NaN;
        for (var step = firstStep; step <= lastStep; step++)
        {
            if (cancellationToken.IsCancellationRequested && step > firstStep)
            {
                // The last evaluation point may be far back: keep every finished step.
                device.Synchronise(host, optimizer);
                OfferCheckpoint(step);
                return new TrainingResult(step, loss, accuracy, clock.Elapsed, Rate(step - firstStep, options.BatchSize, trainingTime), false, null, Interrupted: true);
            }
            var stepStart = clock.Elapsed;
            FillBatch(train, order, step, options.BatchSize, batchImages, batchLabels);
            if (shifted is not null) ShiftBatch(train, seed, step, options.BatchSize, options.RandomShift, batchImages, shifted);
            // Minibatch accuracy comes from the training pass's own logits, before the update, as the notebook measured it.
            var (stepLoss, correct) = device.ComputeGradients(batchImages, batchLabels, options.BatchSize, step);
            if (divergence.Check(stepLoss, options.BatchSize, device.TrainingLogits) is { } reason)
            {
                return new TrainingResult(step, loss, accuracy, clock.Elapsed, Rate(step - firstStep, options.BatchSize, trainingTime), true, step,
                    DivergenceReason: reason);
            }
            loss = stepLoss;
            var learningRate = options.Schedule.At(step);
            device.Update(learningRate);
            trainingTime += clock.Elapsed - stepStart;
            callbacks?.Step?.Invoke(new StepReport(step, lastStep, loss, (float)correct / options.BatchSize, learningRate,
                Rate(step - firstStep + 1, options.BatchSize, trainingTime)));

            if (step == lastStep || (options.EvalEvery > 0 && step % options.EvalEvery == 0))
            {
                device.Synchronise(host, optimizer);
                if (valid is not null)
                {
                    accuracy = device.Evaluate(valid);
                    callbacks?.Evaluation?.Invoke(new EvalReport(step, accuracy));
                }
                OfferCheckpoint(step + 1);
            }
        }
        return new TrainingResult(lastStep + 1, loss, accuracy, clock.Elapsed, Rate(options.Steps, options.BatchSize, trainingTime), false, null);
    }

    /// <summary>The notebook's minibatch for <paramref name="step"/>: batch images from offset step · batch mod (N − batch)
    /// of the seeded order, whichever device trains.</summary>
    private static void FillBatch(Dataset train, int[] order, long step, int batchSize, float[] images, int[] labels)
    {
        var offset = (int)(step * batchSize % (train.Count - batchSize));
        for (var i = 0; i < batchSize; i++)
        {
            var index = order[offset + i];
            train.Image(index).CopyTo(images.AsSpan(i * train.ImageLength));
            labels[i] = train.Labels[index];
        }
    }

    /// <summary>Moves each image of the batch by its own (dy, dx) in [−shift, shift], drawn from (seed, step, image);
    /// pixels shifted in from outside repeat the nearest edge pixel (a glyph's background).</summary>
    public static void ShiftBatch(Dataset train, int seed, long step, int batchSize, int shift, float[] images)
        => ShiftBatch(train, seed, step, batchSize, shift, images, new float[train.ImageLength]);

    /// <param name="copy">Room for one image, reused from step to step.</param>
    private static void ShiftBatch(Dataset train, int seed, long step, int batchSize, int shift, float[] images, float[] copy)
    {
        var (height, width, channels) = (train.Height, train.Width, train.Channels);
        var key = SplitMix.Mix((ulong)(uint)seed ^ 0x5A1F7EDUL);
        for (var i = 0; i < batchSize; i++)
        {
            var bits = SplitMix.Mix(SplitMix.Mix(key + (ulong)step) + (ulong)i);
            var dy = (int)(SplitMix.UnitDouble(bits) * (2 * shift + 1)) - shift;
            var dx = (int)(SplitMix.UnitDouble(SplitMix.Mix(bits)) * (2 * shift + 1)) - shift;
            if (dy == 0 && dx == 0) continue;
            var image = images.AsSpan(i * train.ImageLength, train.ImageLength);
            image.CopyTo(copy);
            for (var y = 0; y < height; y++)
            {
                var from = Math.Clamp(y - dy, 0, height - 1);
                for (var x = 0; x < width; x++)
                {
                    var source = (from * width + Math.Clamp(x - dx, 0, width - 1)) * channels;
                    copy.AsSpan(source, channels).CopyTo(image.Slice((y * width + x) * channels, channels));
                }
            }
        }
    }

    private static double Rate(long steps, int batch, TimeSpan time) => time > TimeSpan.Zero ? steps * batch / time.TotalSeconds : 0;

    /// <summary>Fraction of <paramref name="data"/> the network classifies correctly.</summary>
    public static float Evaluate(IConvNet network, Dataset data) => Accuracy(Predictions(network, data), data);

    /// <summary>Fraction of <paramref name="predictions"/>, already made over <paramref name="data"/>, that are its labels.</summary>
    public static float Accuracy(int[] predictions, Dataset data)
    {
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            if (predictions[i] == data.Labels[i]) correct++;
        }
        return (float)correct / data.Count;
    }

    /// <summary>Counts of (true label, predicted label) over <paramref name="data"/>.</summary>
    public static int[,] ConfusionMatrix(IConvNet network, Dataset data)
        => ConfusionMatrix(Predictions(network, data), data, network.OutputLength);

    /// <summary>Counts of (true label, predicted label) for <paramref name="predictions"/> already made over <paramref name="data"/>.</summary>
    public static int[,] ConfusionMatrix(int[] predictions, Dataset data, int classes)
    {
        var matrix = new int[classes, classes];
        for (var i = 0; i < data.Count; i++) matrix[data.Labels[i], predictions[i]]++;
        return matrix;
    }

    /// <summary>The network's class for every image of <paramref name="data"/>, in order.</summary>
    public static int[] Predictions(IConvNet network, Dataset data)
    {
        var predictions = new int[data.Count];
        network.PredictBatch(data.Images.AsSpan(0, data.Count * data.ImageLength), predictions);
        return predictions;
    }

    /// <summary>A seeded Fisher–Yates permutation of 0..count−1 (our own generator: same order everywhere).</summary>
    public static int[] Shuffle(int count, int seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        var key = SplitMix.Mix((ulong)(uint)seed ^ 0x5EED5EEDUL);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(SplitMix.UnitDouble(SplitMix.Mix(key + (ulong)i)) * (i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>An update can blow the network up before any loss shows it: a checkpoint is kept only when its
    /// parameters are finite and so are its logits on the first images of <paramref name="data"/> (finite weights
    /// can still overflow to NaN logits).</summary>
    private static bool WorthKeeping(IConvNet host, Dataset data)
    {
        if (!AllFinite(host.Parameters)) return false;
        var logits = new float[host.OutputLength];
        for (var i = 0; i < Math.Min(16, data.Count); i++)
        {
            host.Forward(data.Image(i), logits);
            if (!AllFinite(logits)) return false;
        }
        return true;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var value in values) if (!float.IsFinite(value)) return false;
        return true;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
