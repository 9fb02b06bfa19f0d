using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[LocalResponseNorm(DepthRadius = r, Bias = k, Alpha = a, Beta = b)]</c>, as <c>tf.nn.lrn</c>:
/// out = in / (k + a · Σ in²)^b, the sum over channels d − r … d + r of the same pixel.</summary>
internal sealed record LocalResponseNormLayer(string Name, int DepthRadius, float Bias, float Alpha, float Beta) : LayerSpec(Name)
{
    public static readonly LayerKind Definition = new("LocalResponseNorm", "lrn", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var layer = new LocalResponseNormLayer(name, a.Int("DepthRadius"), a.Float("Bias"), a.Float("Alpha"), a.Float("Beta"));
        a.RequireNotNegative("DepthRadius", layer.DepthRadius);
        a.RequireFinite("Bias", layer.Bias, allowNegative: false, allowZero: false, why: " (it is raised to -Beta)");
        a.RequireFinite("Alpha", layer.Alpha, allowNegative: false);
        a.RequireFinite("Beta", layer.Beta);
        return layer;
    }

    public override string Kind => Definition.Name;

    // Static, not a record member: record equality (the generator's cache) must see only what the user wrote.
    private static readonly string[] OwnSuffixes = ["DepthRadius", "Bias", "Alpha", "Beta", "Shape"];

    public override IReadOnlyList<string> MemberSuffixes => OwnSuffixes;

    public override string Detail
        => $"depth radius {Int(DepthRadius)}, bias {AttributeReader.Format(Bias)}, alpha {AttributeReader.Format(Alpha)}, beta {AttributeReader.Format(Beta)}";

    public override string Identity
        => $"{Kind} radius={Int(DepthRadius)} bias={AttributeReader.Identity(Bias)} alpha={AttributeReader.Identity(Alpha)} beta={AttributeReader.Identity(Beta)}";

    public override string? LegacyIdentity
        => $"LocalResponseNorm depth radius {Int(DepthRadius)}, bias {AttributeReader.Format(Bias)}, alpha {AttributeReader.Format(Alpha)}, beta {AttributeReader.Format(Beta)}";

    public override LayerShapes? Resolve(Shape input, ShapeContext context) => new LayerShapes(input);

    // ---- CPU ----

    public override void EmitConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const int {p}DepthRadius = {Int(DepthRadius)};");
        w.Line($"public const float {p}Bias = {Float(Bias)};");
        w.Line($"public const float {p}Alpha = {Float(Alpha)};");
        w.Line($"public const float {p}Beta = {Float(Beta)};");
        w.Line($"private static readonly {Names.Kernels}.LrnShape {p}Shape = new({p}InputHeight * {p}InputWidth, {p}InputChannels, {p}DepthRadius, {p}Bias, {p}Alpha, {p}Beta);");
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => Cpu.ForwardMethod(w, l, $"{Names.Kernels}.LocalResponseNorm.Forward(input, {Cpu.Output(l)}, {l.Pascal}Shape)");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => Cpu.BackwardMethod(w, l, $"{Names.Kernels}.LocalResponseNorm.Backward(input, {Cpu.OutputGradient(l)}, inputGradient, {l.Pascal}Shape)");

    // ---- GPU ----

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        Gpu.ForwardMethod(w, l, $"Kernels.LrnForward(count * {p}OutputLength, {Gpu.InputOf(l)}, {p}Output, {p}InputChannels, {p}DepthRadius, {p}Bias, {p}Alpha, {p}Beta)");
    }

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        Gpu.BackwardMethod(w, l, $"Kernels.LrnBackward(count * {p}InputLength, {Gpu.InputOf(l)}, {p}OutputGradient, {Gpu.InputGradientOf(l)}, " +
                                      $"{p}InputChannels, {p}DepthRadius, {p}Bias, {p}Alpha, {p}Beta)");
    }

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.LocalResponseNormLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, " +
           $"DepthRadius: {Int(DepthRadius)}, Bias: {Float(Bias)}, Alpha: {Float(Alpha)}, Beta: {Float(Beta)})";
}
