namespace StaticConvNet.Generator.Layers;

/// <summary><c>[ReLU]</c>: max(x, 0); the gradient is 0 at x ≤ 0, TensorFlow's convention at the kink. Shared
/// activation behaviour is in <see cref="ActivationLayer"/>.</summary>
internal sealed record ReluLayer(string Name) : ActivationLayer(Name)
{
    public static readonly LayerKind Definition = new("ReLU", "relu", static (_, name) => new ReluLayer(name));

    public override string Kind => Definition.Name;

    public override string Detail => "max(x, 0)";

    public override string? LegacyIdentity => "ReLU max(x, 0)";

    protected override string KernelName => "Relu";

    protected override bool DerivativeFromOutput => false;

    public override bool FusesInto(LayerSpec producer) => producer.CanStoreRelu;

    // Its gradient is the output gradient where max(x, 0) > 0, read from the output a max pool reads anyway.
    public override bool MasksGradientInto(LayerSpec consumer) => consumer.CanMaskReluGradient;
}
