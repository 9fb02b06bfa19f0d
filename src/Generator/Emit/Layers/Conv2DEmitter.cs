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
    {
        var p = l.Pascal;
        w.Line($"private void {p}Forward(ReadOnlySpan<float> input, int slot)");
        w.Line($"    => Conv2D.Forward(input, {Weights(l)}, {Bias(l)}, {p}Output(slot), {p}Shape);");
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"private void {p}Backward(ReadOnlySpan<float> input, int slot, Span<float> inputGradient, Span<float> gradients)");
        w.Line($"    => Conv2D.Backward(input, {Weights(l)}, {p}OutputGradient(slot), inputGradient, {WeightGradients(l)}, {BiasGradients(l)}, {p}Shape);");
    }

    public override string BackwardCall(ResolvedLayer l) => $"{l.Pascal}Backward({InputOf(l)}, slot, {InputGradientOf(l)}, gradients);";
}
