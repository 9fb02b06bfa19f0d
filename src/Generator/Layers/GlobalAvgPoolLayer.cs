using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[GlobalAvgPool]</c>: the mean of each channel over the whole image, H x W x C to 1 x 1 x C. It takes
/// any input size, so a network's head stays the same when its input grows; its backward pass spreads each channel's
/// gradient evenly and reads neither input nor output.</summary>
internal sealed record GlobalAvgPoolLayer(string Name) : LayerSpec(Name)
{
    public static readonly LayerKind Definition = new("GlobalAvgPool", "gap", static (_, name) => new GlobalAvgPoolLayer(name));

    public override string Kind => Definition.Name;

    public override string Detail => "mean of each channel";

    public override string Identity => Kind;

    public override LayerShapes? Resolve(Shape input, ShapeContext context) => new LayerShapes(new Shape(1, 1, input.Channels));

    public override bool BackwardReadsInput => false;

    // ---- CPU ----

    private static string Sizes(ResolvedLayer l) => $"{l.Pascal}InputHeight * {l.Pascal}InputWidth, {l.Pascal}InputChannels";

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => Cpu.ForwardMethod(w, l, $"{Names.Kernels}.GlobalAvgPool.Forward(input, {Cpu.Output(l)}, {Sizes(l)})");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => Cpu.BackwardMethod(w, l, $"{Names.Kernels}.GlobalAvgPool.Backward({Cpu.OutputGradient(l)}, inputGradient, {Sizes(l)})");

    // ---- GPU ----

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
        => Gpu.ForwardMethod(w, l, $"Kernels.GlobalAvgPoolForward(count * {l.Pascal}OutputLength, {Gpu.InputOf(l)}, {l.Pascal}Output, {Sizes(l)})");

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
        => Gpu.BackwardMethod(w, l, $"Kernels.GlobalAvgPoolBackward(count * {l.Pascal}InputLength, {l.Pascal}OutputGradient, {Gpu.InputGradientOf(l)}, {Sizes(l)})");

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.GlobalAvgPoolLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)})";
}
