namespace StaticConvNet;

/// <summary>Adam's settings and state in a checkpoint: enough to continue its updates exactly.</summary>
public sealed record AdamState(float Beta1, float Beta2, float Epsilon, float WeightDecay, long Steps, float[] FirstMoment, float[] SecondMoment);
