using StaticConvNet.Generator.Model;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Emit.Layers;

/// <summary>Writes one kind of layer: its constants, then its forward and backward methods side by side.</summary>
internal abstract class LayerEmitter
{
    public static LayerEmitter For(LayerKind kind) => kind switch
    {
        LayerKind.Conv2D => Conv2DEmitter.Instance,
        LayerKind.MaxPool => MaxPoolEmitter.Instance,
        LayerKind.ReLU => ReluEmitter.Instance,
        LayerKind.Dense => DenseEmitter.Instance,
        LayerKind.Dropout => DropoutEmitter.Instance,
        LayerKind.LocalResponseNorm => LrnEmitter.Instance,
        _ => ExpectShapeEmitter.Instance,
    };

    /// <summary>The layer's arguments in words, for the header, the fingerprint and <c>scn models</c>.</summary>
    public abstract string Detail(ResolvedLayer layer);

    /// <summary>Constants and helpers beyond the shapes every layer has.</summary>
    public virtual void EmitKindConstants(CodeWriter w, ResolvedLayer layer) { }

    public abstract void EmitForward(CodeWriter w, ResolvedLayer layer);

    public abstract void EmitBackward(CodeWriter w, ResolvedLayer layer);

    /// <summary>The statement in ForwardSample that runs this layer.</summary>
    public virtual string ForwardCall(ResolvedLayer layer) => $"{layer.Pascal}Forward({InputOf(layer)}, slot);";

    /// <summary>The statement in BackwardSample that runs this layer, or null when nothing needs its gradient
    /// (a parameterless first layer). Layers with parameters also get the shard's gradient buffer.</summary>
    public virtual string? BackwardCall(ResolvedLayer layer)
        => layer.HasParameters ? $"{layer.Pascal}Backward({InputOf(layer)}, slot, {InputGradientOf(layer)}, gradients);"
        : layer.InputSource.Length == 0 ? null
        : $"{layer.Pascal}Backward({InputOf(layer)}, slot, {InputGradientOf(layer)});";

    /// <summary>The usual forward method, the one <see cref="ForwardCall"/> calls: one kernel call writing the
    /// layer's output for a batch slot.</summary>
    protected static void ForwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        w.Line($"private void {l.Pascal}Forward(ReadOnlySpan<float> input, int slot)");
        w.Line($"    => {kernelCall};");
    }

    /// <summary>The usual backward method, the one <see cref="BackwardCall"/> calls.</summary>
    protected static void BackwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        var gradients = l.HasParameters ? ", Span<float> gradients" : "";
        w.Line($"private void {l.Pascal}Backward(ReadOnlySpan<float> input, int slot, Span<float> inputGradient{gradients})");
        w.Line($"    => {kernelCall};");
    }

    public static string InputOf(ResolvedLayer layer)
        => layer.InputSource.Length == 0 ? "image" : $"{layer.InputSource}Output(slot)";

    public static string InputGradientOf(ResolvedLayer layer)
        => layer.InputSource.Length == 0 ? "Span<float>.Empty" : $"{layer.InputSource}OutputGradient(slot)";

    protected static string Pad(PaddingKind padding) => padding == PaddingKind.Same ? "SAME" : "VALID";

    protected static void Summary(CodeWriter w, string text) => w.Line($"/// <summary>{text}</summary>");

    protected static string Weights(ResolvedLayer l) => $"_parameters.AsSpan({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    protected static string Bias(ResolvedLayer l) => $"_parameters.AsSpan({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    protected static string WeightGradients(ResolvedLayer l) => $"gradients.Slice({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    protected static string BiasGradients(ResolvedLayer l) => $"gradients.Slice({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    protected static string I(long value) => Int(value);
}
