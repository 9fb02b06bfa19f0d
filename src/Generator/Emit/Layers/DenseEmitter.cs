using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class DenseEmitter : LayerEmitter
{
    public static readonly DenseEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => $"{I(l.Spec.Size)} units";

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => ForwardMethod(w, l, $"Dense.Forward(input, {Weights(l)}, {Bias(l)}, {l.Pascal}Output(slot))");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => BackwardMethod(w, l, $"Dense.Backward(input, {Weights(l)}, {l.Pascal}OutputGradient(slot), inputGradient, {WeightGradients(l)}, {BiasGradients(l)})");
}
