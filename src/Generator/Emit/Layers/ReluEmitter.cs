using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class ReluEmitter : LayerEmitter
{
    public static readonly ReluEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => "max(x, 0)";

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => ForwardMethod(w, l, $"Relu.Forward(input, {l.Pascal}Output(slot))");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => BackwardMethod(w, l, $"Relu.Backward(input, {l.Pascal}OutputGradient(slot), inputGradient)");
}
