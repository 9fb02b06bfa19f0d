using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

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
