using System.Diagnostics;
using StaticConvNet.Data;
using StaticConvNet.Kernels;

namespace StaticConvNet.Training;

/// <summary>How to train: the notebook's knobs.</summary>
public sealed record TrainingOptions
{
    public int Steps { get; init; } = 1001;
    public int BatchSize { get; init; } = 16;
    public LearningRateSchedule Schedule { get; init; } = new(0.05f);
    public float Momentum { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Validation accuracy every this many steps (and at the last step); 0 = only at the end.</summary>
    public int EvalEvery { get; init; } = 500;
}

/// <summary>What one step did.</summary>
public readonly record struct StepReport(int Step, int Steps, float Loss, float MinibatchAccuracy, float LearningRate, double ImagesPerSecond);

/// <summary>A validation measurement.</summary>
public readonly record struct EvalReport(int Step, float ValidationAccuracy);

/// <summary>The outcome of a run.</summary>
public sealed record TrainingResult(int StepsDone, float FinalLoss, float ValidationAccuracy, TimeSpan Elapsed, bool Diverged);

/// <summary>The notebook's training loop: minibatches taken in order from a (seeded) shuffle of the training set,
/// offset = step · batch mod (N − batch), SGD on the mean softmax cross-entropy.</summary>
public static class Trainer
{
    public static TrainingResult Train(IConvNet network, Dataset train, Dataset? valid, TrainingOptions options,
        Action<StepReport>? onStep = null, Action<EvalReport>? onEval = null, CancellationToken cancellationToken = default)
    {
        if (options.BatchSize < 1 || options.BatchSize > network.BatchCapacity)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"Batch size must be 1..{network.BatchCapacity}, the network's compiled BatchCapacity.");
        if (train.ImageLength != network.InputLength)
            throw new ArgumentException($"Training images have {train.ImageLength} values, the network takes {network.InputLength}.");
        if (train.Count <= options.BatchSize)
            throw new ArgumentException($"The training set has {train.Count} images; it needs more than one batch of {options.BatchSize}.");

        var order = Shuffle(train.Count, options.Seed);
        var batchImages = new float[options.BatchSize * network.InputLength];
        var batchLabels = new int[options.BatchSize];
        var optimizer = new SgdOptimizer(network.ParameterCount, options.Momentum);
        network.InitializeParameters(options.Seed);
        network.DropoutSeed = (ulong)options.Seed;
        network.DropoutStep = 0;

        var clock = Stopwatch.StartNew();
        var loss = float.NaN;
        var accuracy = float.NaN;
        var step = 0;
        for (; step < options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var offset = (int)((long)step * options.BatchSize % (train.Count - options.BatchSize));
            for (var i = 0; i < options.BatchSize; i++)
            {
                var index = order[offset + i];
                train.Image(index).CopyTo(batchImages.AsSpan(i * network.InputLength));
                batchLabels[i] = train.Labels[index];
            }
            loss = network.ComputeGradients(batchImages, batchLabels, options.BatchSize);
            if (!float.IsFinite(loss)) return new TrainingResult(step, loss, accuracy, clock.Elapsed, Diverged: true);
            var learningRate = options.Schedule.At(step);

            if (onStep is not null)
            {
                // From the training pass's own logits (before the update), as the notebook measured it.
                var correct = 0;
                for (var i = 0; i < options.BatchSize; i++)
                {
                    if (ArgMax(network.TrainingLogits(i)) == batchLabels[i]) correct++;
                }
                onStep(new StepReport(step, options.Steps, loss, (float)correct / options.BatchSize, learningRate,
                    (step + 1) * (double)options.BatchSize / clock.Elapsed.TotalSeconds));
            }
            optimizer.Step(network.Parameters, network.Gradients, learningRate);
            var last = step == options.Steps - 1;
            if (valid is not null && (last || (options.EvalEvery > 0 && step % options.EvalEvery == 0)))
            {
                accuracy = Evaluate(network, valid);
                onEval?.Invoke(new EvalReport(step, accuracy));
            }
        }
        return new TrainingResult(step, loss, accuracy, clock.Elapsed, Diverged: false);
    }

    /// <summary>Fraction of <paramref name="data"/> the network classifies correctly.</summary>
    public static float Evaluate(IConvNet network, Dataset data)
    {
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            if (network.Predict(data.Image(i)) == data.Labels[i]) correct++;
        }
        return (float)correct / data.Count;
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

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
