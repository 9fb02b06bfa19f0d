using System.Diagnostics;
using StaticConvNet.Data;
using StaticConvNet.Training;

namespace StaticConvNet.Gpu;

/// <summary>The notebook's training loop on an ILGPU accelerator: the same batches, learning rates and dropout
/// masks as <see cref="Trainer"/>, with forward, backward and the SGD update on the device. The host network
/// mirrors the parameters at evaluation points, for checkpoints and for whatever runs after training.</summary>
public static class GpuTrainer
{
    public static TrainingResult Train(GpuNetwork gpu, IConvNet host, Dataset train, Dataset? valid, TrainingOptions options,
        Checkpoint? resume = null, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
    {
        if (options.BatchSize < 1 || options.BatchSize > gpu.BatchCapacity)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"Batch size must be 1..{gpu.BatchCapacity}.");
        if (train.Count <= options.BatchSize)
            throw new ArgumentException($"The training set has {train.Count} images; it needs more than one batch of {options.BatchSize}.");
        var seed = resume?.Seed ?? options.Seed;
        long firstStep = 0;
        if (resume is null) host.InitializeParameters(seed);
        else
        {
            resume.LoadInto(host, "checkpoint");
            firstStep = resume.StepsDone;
        }
        gpu.UploadParameters(host.Parameters);
        gpu.UploadVelocity(resume?.Velocity ?? new float[host.ParameterCount]);
        gpu.DropoutSeed = (ulong)seed;
        gpu.DropoutRate = options.DropoutRate;
        var optimizer = new SgdOptimizer(host.ParameterCount, options.Momentum); // holds the velocity for checkpoints

        var order = Trainer.Shuffle(train.Count, seed);
        var images = new float[options.BatchSize * train.ImageLength];
        var labels = new int[options.BatchSize];
        var lastStep = firstStep + options.Steps - 1;
        var clock = Stopwatch.StartNew();
        var trainingTime = TimeSpan.Zero;
        float loss = float.NaN, accuracy = float.NaN;
        for (var step = firstStep; step <= lastStep; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stepStart = clock.Elapsed;
            Trainer.FillBatch(train, order, step, options.BatchSize, images, labels);
            gpu.DropoutStep = (ulong)step;
            var stepLoss = gpu.ComputeGradients(images, labels, options.BatchSize);
            if (!float.IsFinite(stepLoss))
                return new TrainingResult(step, loss, accuracy, clock.Elapsed, Trainer.Rate(step - firstStep, options.BatchSize, trainingTime), true, step);
            loss = stepLoss;
            var learningRate = options.Schedule.At(step);
            var logits = gpu.TrainingLogits(options.BatchSize);
            var correct = 0;
            for (var i = 0; i < options.BatchSize; i++)
                if (Trainer.ArgMax(logits.AsSpan(i * gpu.Classes, gpu.Classes)) == labels[i]) correct++;
            gpu.SgdStep(learningRate, options.Momentum);
            trainingTime += clock.Elapsed - stepStart;
            callbacks?.Step?.Invoke(new StepReport(step, lastStep, loss, (float)correct / options.BatchSize, learningRate,
                Trainer.Rate(step - firstStep + 1, options.BatchSize, trainingTime)));

            if (step == lastStep || (options.EvalEvery > 0 && step % options.EvalEvery == 0))
            {
                gpu.DownloadParameters().CopyTo(host.Parameters);
                gpu.DownloadVelocity().CopyTo(optimizer.Velocity, 0);
                if (valid is not null)
                {
                    accuracy = Evaluate(gpu, valid);
                    callbacks?.Evaluation?.Invoke(new EvalReport(step, accuracy));
                }
                if (Trainer.AllFinite(host.Parameters)) callbacks?.Checkpoint?.Invoke(Checkpoint.Capture(host, step + 1, seed, optimizer));
            }
        }
        return new TrainingResult(lastStep + 1, loss, accuracy, clock.Elapsed, Trainer.Rate(options.Steps, options.BatchSize, trainingTime), false, null);
    }

    /// <summary>Accuracy on <paramref name="data"/>, classified on the device a batch at a time.</summary>
    public static float Evaluate(GpuNetwork gpu, Dataset data)
    {
        var correct = 0;
        for (var start = 0; start < data.Count; start += gpu.BatchCapacity)
        {
            var count = Math.Min(gpu.BatchCapacity, data.Count - start);
            var logits = gpu.Forward(data.Images.AsSpan(start * data.ImageLength, count * data.ImageLength), count);
            for (var i = 0; i < count; i++)
                if (Trainer.ArgMax(logits.AsSpan(i * gpu.Classes, gpu.Classes)) == data.Labels[start + i]) correct++;
        }
        return (float)correct / data.Count;
    }
}
