using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class Conv2DEmitter : LayerEmitter
{
    public static readonly Conv2DEmitter Instance = new();

    public override string Detail(ResolvedLayer l)
        => $"{I(l.Spec.Size)} filters, {I(l.Spec.Patch)}x{I(l.Spec.Patch)}, stride {I(l.Spec.Stride)}, {Pad(l.Spec.Padding)}";

    public override void EmitKindConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const int {p}Patch = {I(l.Spec.Patch)};");
        w.Line($"public const int {p}Stride = {I(l.Spec.Stride)};");
        w.Line($"public const int {p}PadTop = {I(l.PadTop)};");
        w.Line($"public const int {p}PadLeft = {I(l.PadLeft)};");
        w.Line($"private static readonly Conv2DShape {p}Shape = new({p}InputHeight, {p}InputWidth, {p}InputChannels, {p}OutputHeight, {p}OutputWidth, {p}OutputChannels, {p}Patch, {p}Stride, {p}PadTop, {p}PadLeft);");
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => ForwardMethod(w, l, $"Conv2D.Forward(input, {Weights(l)}, {Bias(l)}, {l.Pascal}Output(slot), {l.Pascal}Shape)");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => BackwardMethod(w, l, $"Conv2D.Backward(input, {Weights(l)}, {l.Pascal}OutputGradient(slot), inputGradient, {WeightGradients(l)}, {BiasGradients(l)}, {l.Pascal}Shape)");
}
