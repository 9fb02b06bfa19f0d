namespace StaticConvNet;

/// <summary>Which update rule a run uses.</summary>
public enum OptimizerKind
{
    /// <summary>SGD, with momentum when <see cref="TrainingOptions.Momentum"/> is set (the notebook's).</summary>
    Sgd,
    /// <summary>Adam (Kingma and Ba), as <c>torch.optim.Adam</c>: β1 0.9, β2 0.999, ε 1e-8.</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), as <c>torch.optim.AdamW</c>.</summary>
    AdamW,
}
