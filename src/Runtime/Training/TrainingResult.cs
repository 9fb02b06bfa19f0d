namespace StaticConvNet;

/// <summary>The outcome of a run. <see cref="StepsDone"/> counts from the first step of the first run.
/// <see cref="Interrupted"/>: stopped early by its cancellation token, after a whole step, with a checkpoint.
/// <see cref="DivergenceReason"/>: for a diverged run, which value was not finite or how far the loss grew
/// (<see cref="DivergenceWatch"/>).</summary>
public sealed record TrainingResult(long StepsDone, float FinalLoss, float ValidationAccuracy, TimeSpan Elapsed, double ImagesPerSecond,
    bool Diverged, long? DivergedAtStep, bool Interrupted = false, string? DivergenceReason = null);
