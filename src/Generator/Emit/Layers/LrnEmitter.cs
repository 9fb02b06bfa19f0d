using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class LrnEmitter : LayerEmitter
{
    public static readonly LrnEmitter Instance = new();

    public override string Detail(ResolvedLayer l)
        => $"depth radius {I(l.Spec.DepthRadius)}, bias {Parsing.NetworkParser.Format(l.Spec.LrnBias)}, alpha {Parsing.NetworkParser.Format(l.Spec.LrnAlpha)}, beta {Parsing.NetworkParser.Format(l.Spec.LrnBeta)}";

    public override void EmitKindConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const int {p}DepthRadius = {I(l.Spec.DepthRadius)};");
        w.Line($"public const float {p}Bias = {CodeWriter.Float(l.Spec.LrnBias)};");
        w.Line($"public const float {p}Alpha = {CodeWriter.Float(l.Spec.LrnAlpha)};");
        w.Line($"public const float {p}Beta = {CodeWriter.Float(l.Spec.LrnBeta)};");
        w.Line($"private static readonly LrnShape {p}Shape = new({p}InputHeight * {p}InputWidth, {p}InputChannels, {p}DepthRadius, {p}Bias, {p}Alpha, {p}Beta);");
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => ForwardMethod(w, l, $"LocalResponseNorm.Forward(input, {l.Pascal}Output(slot), {l.Pascal}Shape)");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => BackwardMethod(w, l, $"LocalResponseNorm.Backward(input, {l.Pascal}OutputGradient(slot), inputGradient, {l.Pascal}Shape)");
}
