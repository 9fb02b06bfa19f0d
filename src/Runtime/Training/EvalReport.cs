namespace StaticConvNet;

/// <summary>A validation measurement.</summary>
public readonly record struct EvalReport(long Step, float ValidationAccuracy);
