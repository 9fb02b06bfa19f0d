using System.Runtime.CompilerServices;
namespace StaticConvNet;

/// <summary>The learning rate per step. By default TensorFlow's <c>tf.train.exponential_decay</c>: lr · rate^(step /
/// decaySteps), with the exponent floored when <paramref name="Staircase"/> is set. With <paramref name="CosineSteps"/>
/// set, cosine decay instead (<c>tf.keras.optimizers.schedules.CosineDecay</c>): from lr down to
/// lr · <paramref name="CosineFloor"/> over that many steps after the warm-up, then flat. <paramref name="WarmupSteps"/>
/// (either kind) rises linearly from lr / WarmupSteps to lr first. A pure function of the step: a resumed run gets the
/// same rates.</summary>
public readonly record struct LearningRateSchedule(float InitialRate, int DecaySteps = 0, float DecayRate = 1f, bool Staircase = false,
    int WarmupSteps = 0, int CosineSteps = 0, float CosineFloor = 0f)
{
    /// <summary>Warm up over <paramref name="warmupSteps"/>, then cosine decay to <paramref name="floor"/> · peak by
    /// step <paramref name="totalSteps"/>.</summary>
    public static LearningRateSchedule Cosine(float peak, int totalSteps, int warmupSteps = 0, float floor = 0f)
        => new(peak, WarmupSteps: warmupSteps, CosineSteps: Math.Max(1, totalSteps - warmupSteps), CosineFloor: floor);

    /// <summary><see cref="CosineSteps"/> of a cosine decay that ends with the run, whatever its length: the trainer
    /// sets the steps when it knows them (<see cref="ForRun"/>), a resumed run's earlier steps included.</summary>
    public const int ToTheEndOfTheRun = -1;

    /// <summary>Warm up, then cosine decay to <paramref name="floor"/> · peak at the run's last step: what
    /// <c>scn train --schedule cosine</c> asks for. A resumed run keeps the rates it would have had in one go.</summary>
    public static LearningRateSchedule CosineOverTheRun(float peak, int warmupSteps = 0, float floor = 0f)
        => new(peak, WarmupSteps: warmupSteps, CosineSteps: ToTheEndOfTheRun, CosineFloor: floor);

    /// <summary>Exponential (TensorFlow's exponential_decay, the notebook's) or cosine.</summary>
    public ScheduleKind Kind => CosineSteps != 0 ? ScheduleKind.Cosine : ScheduleKind.Exponential;

    /// <summary>This schedule for a run of <paramref name="totalSteps"/> (counted from the first step of the first run):
    /// a cosine decay to the end of the run gets its length; any other schedule is returned as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public LearningRateSchedule ForRun(long totalSteps)
        => CosineSteps == ToTheEndOfTheRun ? Cosine(InitialRate, (int)Math.Min(int.MaxValue, totalSteps), WarmupSteps, CosineFloor) : this;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float At(long step)
    {
        if (CosineSteps == ToTheEndOfTheRun) throw new InvalidOperationException("A cosine decay to the end of the run has no length until ForRun gives it one.");
        if (step < WarmupSteps) return (float)((double)InitialRate * (step + 1) / WarmupSteps);
        if (CosineSteps > 0)
        {
            var progress = Math.Min(1.0, (double)(step - WarmupSteps) / CosineSteps);
            return (float)(InitialRate * (CosineFloor + (1 - CosineFloor) * 0.5 * (1 + Math.Cos(Math.PI * progress))));
        }
        if (DecaySteps <= 0 || DecayRate == 1f) return InitialRate;
        var exponent = (double)step / DecaySteps;
        if (Staircase) exponent = Math.Floor(exponent);
        return (float)(InitialRate * Math.Pow(DecayRate, exponent));
    }

    /// <summary>"0.05", "0.1 x 0.96^(step/100000, staircase)", "0.05 cosine to 0 over 9500 steps after 500 warm-up".</summary>
    public override string ToString()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var warmup = WarmupSteps > 0 ? string.Create(c, $" after {WarmupSteps} warm-up") : "";
        if (CosineSteps == ToTheEndOfTheRun) return string.Create(c, $"{InitialRate} cosine to {InitialRate * CosineFloor:G4} at the end of the run{warmup}");
        if (CosineSteps > 0) return string.Create(c, $"{InitialRate} cosine to {InitialRate * CosineFloor:G4} over {CosineSteps} steps{warmup}");
        return (DecaySteps > 0 && DecayRate != 1f
            ? string.Create(c, $"{InitialRate} x {DecayRate}^(step/{DecaySteps}{(Staircase ? ", staircase" : "")})")
            : InitialRate.ToString(c)) + (WarmupSteps > 0 ? string.Create(c, $", {WarmupSteps} warm-up steps") : "");
    }
}
