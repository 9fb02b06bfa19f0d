using System.Globalization;

namespace StaticConvNet;

/// <summary>How to train: the notebook's knobs.</summary>
public sealed record TrainingOptions
{
    /// <summary>Steps to run in this call (a resumed run adds them to the steps already done).</summary>
    public int Steps { get; init; } = 1001;
    public int BatchSize { get; init; } = 16;
    public LearningRateSchedule Schedule { get; init; } = new(0.05f);
    public float Momentum { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Validation accuracy (and a checkpoint) every this many steps and at the last step; 0 = only at the end.</summary>
    public int EvalEvery { get; init; } = 500;
    /// <summary>Overrides the compiled dropout rate of every dropout layer.</summary>
    public float? DropoutRate { get; init; }

    /// <summary>SGD (the notebook's, with <see cref="Momentum"/>), Adam or AdamW.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>AdamW's decoupled weight decay λ.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Data augmentation: each training image moved by up to this many pixels up or down and left or right
    /// (Keras's <c>RandomTranslation</c>, edge pixels repeated into the gap); 0 = off. The shift is drawn from (seed,
    /// step, image in the batch), so a run repeats and a resumed run draws the same.</summary>
    public int RandomShift { get; init; }

    /// <summary>Throws <see cref="TrainingOptionsException"/> for the first option that cannot train
    /// <paramref name="network"/> on a device taking batches of up to <paramref name="maxBatchSize"/> (the CPU takes
    /// any: a batch larger than the network's BatchCapacity runs as several passes). The one place
    /// options are checked: the trainer calls it, and <c>scn train</c> turns its message into one naming the flag.</summary>
    /// <param name="passCapacity">The most images one pass of the device holds: the network's compiled
    /// <c>BatchCapacity</c> (null) on the CPU, which runs a larger batch as several passes; the whole batch on a device
    /// that runs it in one.</param>
    public void Validate(IConvNet network, int maxBatchSize = int.MaxValue, int? passCapacity = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var c = CultureInfo.InvariantCulture;
        Require(Steps >= 1, nameof(Steps), string.Create(c, $"must be at least 1, got {Steps}"));
        Require(BatchSize >= 1, nameof(BatchSize), string.Create(c, $"must be at least 1, got {BatchSize}"));
        Require(BatchSize <= maxBatchSize, nameof(BatchSize), string.Create(c, $"must be 1..{maxBatchSize} on this device, got {BatchSize}"));
        Require(Schedule.InitialRate > 0 && float.IsFinite(Schedule.InitialRate), "Schedule.InitialRate", string.Create(c, $"must be a positive number, got {Schedule.InitialRate}"));
        Require(Schedule.DecaySteps >= 0, "Schedule.DecaySteps", string.Create(c, $"must be 0 or more, got {Schedule.DecaySteps}"));
        Require(Schedule.DecayRate > 0, "Schedule.DecayRate", string.Create(c, $"must be positive, got {Schedule.DecayRate}"));
        Require(Schedule.WarmupSteps >= 0, "Schedule.WarmupSteps", string.Create(c, $"must be 0 or more, got {Schedule.WarmupSteps}"));
        if (Schedule.Kind == ScheduleKind.Cosine)
        {
            Require(Schedule.DecaySteps == 0, "Schedule.DecaySteps", "is exponential decay's; a cosine schedule has no decay steps, rate or staircase");
            Require(Schedule.DecayRate == 1f, "Schedule.DecayRate", "is exponential decay's; a cosine schedule has no decay steps, rate or staircase");
            Require(!Schedule.Staircase, "Schedule.Staircase", "is exponential decay's; a cosine schedule has no decay steps, rate or staircase");
            Require(Schedule.CosineSteps > 0 || Schedule.CosineSteps == LearningRateSchedule.ToTheEndOfTheRun, "Schedule.CosineSteps",
                string.Create(c, $"must be positive (or ToTheEndOfTheRun), got {Schedule.CosineSteps}"));
            Require(Schedule.CosineFloor >= 0 && Schedule.CosineFloor <= 1, "Schedule.CosineFloor", string.Create(c, $"must be in [0, 1], got {Schedule.CosineFloor}"));
        }
        var smallest = Math.Min(network.Description.InputHeight, network.Description.InputWidth);
        Require(RandomShift >= 0 && RandomShift < smallest, nameof(RandomShift),
            string.Create(c, $"must be 0..{smallest - 1} pixels for {network.Description.Input} images, got {RandomShift}"));
        Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), string.Create(c, $"must be in [0, 1), got {Momentum}"));
        Require(Optimizer == OptimizerKind.Sgd || Momentum == 0, nameof(Momentum), "is SGD's; Adam keeps its own moments");
        Require(WeightDecay >= 0 && WeightDecay < 1, nameof(WeightDecay), string.Create(c, $"must be in [0, 1), got {WeightDecay}"));
        Require(Optimizer == OptimizerKind.AdamW || WeightDecay == 0, nameof(WeightDecay), $"is AdamW's, but the optimizer is {Optimizer}");
        Require(EvalEvery >= 0, nameof(EvalEvery), string.Create(c, $"must be 0 or more, got {EvalEvery}"));
        if (DropoutRate is { } rate)
        {
            Require(rate >= 0 && rate < 1, nameof(DropoutRate), string.Create(c, $"is the rate of dropping, in [0, 1); got {rate}"));
            Require(network.Description.Layers.Any(l => l.UsesDropoutRate), nameof(DropoutRate), $"is set, but {network.Description.Name} has no dropout layer");
        }
        // A batch runs as passes of up to the capacity, each normalised with its own statistics; a BatchNorm over 1x1
        // images (after a dense layer or a global pooling) then has one value a channel in a pass of one image: its
        // output is its shift β whatever the input, and no gradient passes it. PyTorch refuses the same.
        var capacity = passCapacity ?? network.BatchCapacity;
        var smallestPass = BatchSize % capacity is var rest && rest != 0 ? rest : Math.Min(BatchSize, capacity);
        // Only then the layers are walked: the walk's iterator, run per layer, would get hot and be recompiled mid-run.
        foreach (var norm in smallestPass > 1 ? [] : network.Description.AllLayers.OfType<BatchNormLayer>())
        {
            Require(norm.Input.Height * norm.Input.Width > 1, nameof(BatchSize), string.Create(c,
                $"of {BatchSize} leaves a pass of one image (passes of up to {capacity}), and {norm.Name} normalises {norm.Input} values: each channel over one value, which gives its shift whatever the input; choose a batch that leaves passes of 2 or more"));
        }
    }

    /// <summary>These options for a run that starts after <paramref name="stepsDone"/> steps: a cosine decay to the end
    /// of the run gets the run's whole length, the steps before included, so a resumed run keeps its rates.</summary>
    public TrainingOptions ForRun(long stepsDone) => this with { Schedule = Schedule.ForRun(stepsDone + Steps) };

    private static void Require(bool holds, string option, string problem)
    {
        if (!holds) throw new TrainingOptionsException(option, problem);
    }
}
