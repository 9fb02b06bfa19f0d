using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class DenseEmitter : LayerEmitter
{
    public static readonly DenseEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => $"{I(l.Spec.Size)} units";

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"private void {p}Forward(ReadOnlySpan<float> input, int slot)");
        w.Line($"    => Dense.Forward(input, {Weights(l)}, {Bias(l)}, {p}Output(slot));");
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"private void {p}Backward(ReadOnlySpan<float> input, int slot, Span<float> inputGradient, Span<float> gradients)");
        w.Line($"    => Dense.Backward(input, {Weights(l)}, {p}OutputGradient(slot), inputGradient, {WeightGradients(l)}, {BiasGradients(l)});");
    }

    public override string BackwardCall(ResolvedLayer l) => $"{l.Pascal}Backward({InputOf(l)}, slot, {InputGradientOf(l)}, gradients);";
}
