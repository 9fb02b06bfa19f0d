namespace StaticConvNet;

/// <summary>What one step did.</summary>
public readonly record struct StepReport(long Step, long LastStep, float Loss, float MinibatchAccuracy, float LearningRate, double ImagesPerSecond);
