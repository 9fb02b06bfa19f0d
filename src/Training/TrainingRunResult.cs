namespace StaticConvNet.Training;

/// <summary>What a <see cref="TrainingRun"/> did and wrote. Paths are null for what was not written: no checkpoint
/// before a divergence, no weights file after one. <see cref="TestAccuracy"/> is measured when the data has a test split.</summary>
public sealed record TrainingRunResult(TrainingResult Training, float? TestAccuracy, string Folder, string? CheckpointPath,
    long? LastCheckpointStep, string MetricsPath, string LossPlotPath, string AccuracyPlotPath, string? WeightsPath)
{
    public bool Diverged => Training.Diverged;
    public bool Interrupted => Training.Interrupted && !StoppedEarly;
    public float ValidationAccuracy => Training.ValidationAccuracy;

    /// <summary>The signal that interrupted the run (SIGINT, SIGTERM), if one did.</summary>
    public System.Runtime.InteropServices.PosixSignal? Signal { get; init; }

    /// <summary>The validation split's confusion matrix and misclassified images, when the data has a validation split.</summary>
    public string? ConfusionPlotPath { get; init; }
    public string? MistakesPlotPath { get; init; }

    /// <summary>Stopped by <see cref="TrainingRun.EarlyStoppingPatience"/>, not by a signal.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>best.scnc and its validation accuracy, when the data has a validation split.</summary>
    public string? BestCheckpointPath { get; init; }
    public float? BestValidationAccuracy { get; init; }

    /// <summary>Steps of this run's target not done (after an interruption).</summary>
    public long StepsLeft { get; init; }
}
