namespace StaticConvNet;

/// <summary>What a caller hears while training runs.</summary>
public sealed class TrainingCallbacks
{
    public Action<StepReport>? Step { get; init; }
    public Action<EvalReport>? Evaluation { get; init; }
    /// <summary>A consistent snapshot at every evaluation point; the caller decides where it goes.</summary>
    public Action<Checkpoint>? Checkpoint { get; init; }
}
