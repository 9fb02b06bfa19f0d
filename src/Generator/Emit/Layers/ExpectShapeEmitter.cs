using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit.Layers;

internal sealed class ExpectShapeEmitter : LayerEmitter
{
    public static readonly ExpectShapeEmitter Instance = new();

    public override string Detail(ResolvedLayer l) => $"checks {l.Spec.Expected} at compile time";

    public override void EmitForward(CodeWriter w, ResolvedLayer l) { }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l) { }
}
