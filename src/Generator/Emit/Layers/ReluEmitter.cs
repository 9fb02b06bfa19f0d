using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

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
