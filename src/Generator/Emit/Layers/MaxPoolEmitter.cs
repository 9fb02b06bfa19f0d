using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class MaxPoolEmitter : LayerEmitter
{
    public static readonly MaxPoolEmitter Instance = new();

    public override string Detail(ResolvedLayer l)
        => $"{I(l.Spec.Size)}x{I(l.Spec.Size)}, stride {I(l.Spec.Stride)}, {Pad(l.Spec.Padding)}";

    public override void EmitKindConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const int {p}Size = {I(l.Spec.Size)};");
        w.Line($"public const int {p}Stride = {I(l.Spec.Stride)};");
        w.Line($"public const int {p}PadTop = {I(l.PadTop)};");
        w.Line($"public const int {p}PadLeft = {I(l.PadLeft)};");
        w.Line($"private static readonly MaxPoolShape {p}Shape = new({p}InputHeight, {p}InputWidth, {p}InputChannels, {p}OutputHeight, {p}OutputWidth, {p}Size, {p}Stride, {p}PadTop, {p}PadLeft);");
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => ForwardMethod(w, l, $"MaxPool.Forward(input, {l.Pascal}Output(slot), {l.Pascal}Shape)");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => BackwardMethod(w, l, $"MaxPool.Backward(input, {l.Pascal}OutputGradient(slot), inputGradient, {l.Pascal}Shape)");
}
