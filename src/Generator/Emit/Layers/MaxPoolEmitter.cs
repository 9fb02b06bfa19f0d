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
    {
        var p = l.Pascal;
        w.Line($"private void {p}Forward(ReadOnlySpan<float> input, int slot)");
        w.Line($"    => MaxPool.Forward(input, {p}Output(slot), {p}Shape);");
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"private void {p}Backward(ReadOnlySpan<float> input, int slot, Span<float> inputGradient)");
        w.Line($"    => MaxPool.Backward(input, {p}OutputGradient(slot), inputGradient, {p}Shape);");
    }
}

internal sealed class ReluEmitter : LayerEmitter
{
    public static readonly ReluEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => "max(x, 0)";

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        w.Line($"private void {l.Pascal}Forward(ReadOnlySpan<float> input, int slot)");
        w.Line($"    => Relu.Forward(input, {l.Pascal}Output(slot));");
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        w.Line($"private void {l.Pascal}Backward(ReadOnlySpan<float> input, int slot, Span<float> inputGradient)");
        w.Line($"    => Relu.Backward(input, {l.Pascal}OutputGradient(slot), inputGradient);");
    }
}

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
    {
        w.Line($"private void {l.Pascal}Forward(ReadOnlySpan<float> input, int slot)");
        w.Line($"    => LocalResponseNorm.Forward(input, {l.Pascal}Output(slot), {l.Pascal}Shape);");
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        w.Line($"private void {l.Pascal}Backward(ReadOnlySpan<float> input, int slot, Span<float> inputGradient)");
        w.Line($"    => LocalResponseNorm.Backward(input, {l.Pascal}OutputGradient(slot), inputGradient, {l.Pascal}Shape);");
    }
}

internal sealed class DropoutEmitter : LayerEmitter
{
    public static readonly DropoutEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => $"rate {Parsing.NetworkParser.Format(l.Spec.Rate)}";

    public override void EmitKindConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const float {p}Rate = {CodeWriter.Float(l.Spec.Rate)};");
        w.Line($"private const int {p}MaskOffset = {I(l.MaskOffset)};");
        w.Line($"private Span<float> {p}Mask(int slot) => _dropoutMasks.AsSpan({p}MaskOffset + slot * {p}OutputLength, {p}OutputLength);");
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line("// Training draws a fresh mask per (step, layer, image); inference passes values through.");
        w.Open($"private void {p}Forward(ReadOnlySpan<float> input, int slot, bool training)");
        w.Line($"if (training) Dropout.Forward(input, {p}Output(slot), {p}Mask(slot), DropoutRate ?? {p}Rate, DropoutSeed, Dropout.Stream(DropoutStep, {p}MaskOffset, slot));");
        w.Line($"else input.CopyTo({p}Output(slot));");
        w.Close();
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        w.Line($"private void {l.Pascal}Backward(int slot, Span<float> inputGradient)");
        w.Line($"    => Dropout.Backward({l.Pascal}Mask(slot), {l.Pascal}OutputGradient(slot), inputGradient);");
    }

    public override string ForwardCall(ResolvedLayer l) => $"{l.Pascal}Forward({InputOf(l)}, slot, training);";

    public override string? BackwardCall(ResolvedLayer l)
        => l.InputSource.Length == 0 ? null : $"{l.Pascal}Backward(slot, {InputGradientOf(l)});";
}

internal sealed class ExpectShapeEmitter : LayerEmitter
{
    public static readonly ExpectShapeEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => $"checks {l.Spec.Expected} at compile time";

    public override void EmitForward(CodeWriter w, ResolvedLayer l) { }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l) { }
}
