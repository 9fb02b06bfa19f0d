namespace StaticConvNet.Generator.Layers;

/// <summary><c>[Tanh]</c>: tanh(x); its derivative 1 − tanh²(x) comes from the output, which the forward pass
/// kept. Shared activation behaviour is in <see cref="ActivationLayer"/>.</summary>
internal sealed record TanhLayer(string Name) : ActivationLayer(Name)
{
    public static readonly LayerKind Definition = new("Tanh", "tanh", static (_, name) => new TanhLayer(name));

    public override string Kind => Definition.Name;

    public override string Detail => "tanh(x)";

    protected override string KernelName => "Tanh";

    protected override bool DerivativeFromOutput => true;
}
