using System.Diagnostics;
using System.Runtime.CompilerServices;
using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>The notebook's training loop: minibatches taken in order from a (seeded) shuffle of the training set,
/// offset = step · batch mod (N − batch), SGD on the mean softmax cross-entropy. Everything a step does is a
/// function of (seed, step, parameters, velocity), so a run resumed from a checkpoint continues bit for bit.</summary>
public static class Trainer
{
    /// <summary>Trains with the generated CPU code.</summary>
    public static TrainingResult Train(IConvNet network, Dataset train, Dataset? valid, TrainingOptions options,
        Checkpoint? resume = null, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
        => Run(new CpuTrainingDevice(network), network, train, valid, options, resume, callbacks, cancellationToken);

    private const string ResumedCheckpoint = "the checkpoint to resume";

    /// <summary>Everything <see cref="Run"/> refuses before its first step, without changing anything: the options for
    /// this network and device, the data's image shapes and size, and a checkpoint to resume (its layer stack and
    /// optimizer). Callers that write files for a run call it first, so a refused run leaves nothing behind.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once a run: not worth a second compilation
    public static void Check(ITrainingDevice device, IConvNet host, Dataset train, Dataset? valid, TrainingOptions options, Checkpoint? resume = null)
    {
        // A device that takes any batch (the CPU's) runs it in passes of the compiled capacity; one with a limit (an
        // ILGPU device) runs it in one pass.
        options.Validate(host, device.MaxBatchSize, passCapacity: device.MaxBatchSize == int.MaxValue ? null : options.BatchSize);
        if (train.ImageLength != host.InputLength)
            throw new ArgumentException($"Training images are {train.Height}x{train.Width}x{train.Channels}; {host.Description.Name} takes {host.Description.Input}.");
        if (valid is not null && valid.ImageLength != host.InputLength)
            throw new ArgumentException($"Validation images are {valid.Height}x{valid.Width}x{valid.Channels}; {host.Description.Name} takes {host.Description.Input}.");
        if (train.Count <= options.BatchSize)
            throw new ArgumentException($"The training set has {train.Count} images; it needs more than one batch of {options.BatchSize}.");
        if (valid is { Count: 0 })
            throw new ArgumentException("The validation split holds no images: its accuracy would be 0/0; give one with images, or none.");
        if (resume is null) return;
        resume.CheckFits(host, ResumedCheckpoint);
        // An optimizer for no parameters: only its kind and settings are compared.
        if (resume.OptimizerMismatch(Optimizer.For(options, 0)) is { } mismatch)
            throw new ArgumentException($"The checkpoint to resume {mismatch}; resume it with the same optimizer and settings.");
    }

    /// <summary>Trains <paramref name="host"/> on <paramref name="device"/>; the host holds the parameters at every
    /// evaluation point and at the end. Cancelling <paramref name="cancellationToken"/> stops the run cleanly after the
    /// step under way: the parameters come back to the host, a checkpoint is offered, and the result says
    /// <see cref="TrainingResult.Interrupted"/> (it does not throw), so an interrupted run can be resumed exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TrainingResult Run(ITrainingDevice device, IConvNet host, Dataset train, Dataset? valid, TrainingOptions options,
        Checkpoint? resume = null, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
    {
        Check(device, host, train, valid, options, resume);
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
            resume.LoadInto(host, ResumedCheckpoint);
            resume.RestoreInto(optimizer);
            firstStep = resume.StepsDone;
        }
        device.Start(host, optimizer, (ulong)seed, options.DropoutRate);

        // Each step's update runs beside the next batch's fill, both split over the two cores.
        var batches = new StepBatches(train, Minibatches.Shuffle(train.Count, seed), seed, options.BatchSize, options.RandomShift, device);
        var lastStep = firstStep + options.Steps - 1;
        void OfferCheckpoint(long stepsDone)
        {
            if (WorthKeeping(host, optimizer, valid ?? train)) callbacks?.Checkpoint?.Invoke(Checkpoint.Capture(host, stepsDone, seed, optimizer));
        }
        var divergence = new DivergenceWatch(host.OutputLength);
        var clock = Stopwatch.StartNew();
        var trainingTime = TimeSpan.Zero;
        float loss = float.NaN, accuracy = float.NaN;
        batches.Fill(firstStep);
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
            // Minibatch accuracy comes from the training pass's own logits, before the update, as the notebook measured it.
            var (stepLoss, correct) = device.ComputeGradients(batches.Images, batches.Labels, options.BatchSize, step);
            if (divergence.Check(stepLoss, options.BatchSize, device.TrainingLogits) is { } reason)
            {
                return new TrainingResult(step, loss, accuracy, clock.Elapsed, Rate(step - firstStep, options.BatchSize, trainingTime), true, step,
                    DivergenceReason: reason);
            }
            loss = stepLoss;
            var learningRate = options.Schedule.At(step);
            if (step < lastStep) batches.UpdateWhileFilling(learningRate, step + 1);
            else device.Update(learningRate);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Rate(long steps, int batch, TimeSpan time) => time > TimeSpan.Zero ? steps * batch / time.TotalSeconds : 0;

    /// <summary>An update can blow the network up before any loss shows it: a checkpoint is kept only when its
    /// parameters are finite and so are its logits on the first images of <paramref name="data"/> (finite weights
    /// can still overflow to NaN logits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool WorthKeeping(IConvNet host, Optimizer optimizer, Dataset data)
    {
        if (!AllFinite(host.Parameters)) return false;
        // Checkpoint.Parse refuses a state that is not finite (a gradient past 5.8e20 makes Adam's second moment +∞).
        var state = optimizer switch
        {
            AdamOptimizer adam => AllFinite(adam.FirstMoment) && AllFinite(adam.SecondMoment),
            SgdOptimizer sgd => AllFinite(sgd.Velocity),
            _ => true,
        };
        if (!state) return false;
        var logits = new float[host.OutputLength];
        for (var i = 0; i < Math.Min(16, data.Count); i++)
        {
            host.Forward(data.Image(i), logits);
            if (!AllFinite(logits)) return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var value in values) if (!float.IsFinite(value)) return false;
        return true;
    }
}
