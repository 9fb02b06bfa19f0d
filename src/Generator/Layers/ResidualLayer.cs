using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[Residual(typeof(Body), Shortcut = typeof(Projection))]</c>: the merge node adds the body's output to the
/// shortcut's, or to the layer's input when there is no shortcut. Backward, the output gradient goes unchanged to both
/// sides (the input's part is summed with the body's own input gradient, as for any value read twice). Shared behaviour
/// of layers made of blocks is in <see cref="BranchingLayer"/>.</summary>
internal sealed record ResidualLayer(string Name, BlockSpec Body, BlockSpec? Shortcut) : BranchingLayer(Name)
{
    public static readonly LayerKind Definition = new("Residual", "residual", Parse);

    private static StackEntry Parse(AttributeReader a, string name, IBlockReader blocks)
    {
        var body = blocks.Read(a.TypeArgument(0), a, "its body");
        var shortcut = a.NamedType("Shortcut") is { } type ? blocks.Read(type, a, "Shortcut") : null;
        // A block that failed is reported where it is wrong; this layer's spec is then never planned.
        return new ResidualLayer(name, body ?? new BlockSpec("", EquatableArray<StackEntry>.Empty), shortcut);
    }

    public override string Kind => Definition.Name;

    public override IReadOnlyList<BlockSpec> Blocks => Shortcut is null ? [Body] : [Body, Shortcut];

    public override bool MergesInput => Shortcut is null;

    public override string Detail => Shortcut is null ? $"{Body.ClassName} + input" : $"{Body.ClassName} + {Shortcut.ClassName}";

    // Static, not a record member: record equality (the generator's cache) must see only what the user wrote.
    private static readonly string[] OwnSuffixes = ["InputGradient1", "InputGradient1Offset"];

    public override IReadOnlyList<string> MemberSuffixes => OwnSuffixes;

    public override Shape? Merge(Shape input, IReadOnlyList<Shape> outputs, ShapeContext context)
    {
        var uses = Uses;
        var (other, otherShape) = Shortcut is null ? ("its input", input) : (uses[1].Segment, outputs[1]);
        if (outputs[0] == otherShape) return outputs[0];
        var hint = Shortcut is null ? "; give it a Shortcut block that makes the same shape" : "";
        context.Report(Diagnostics.ResidualShapeChanges, Name, uses[0].Segment, other, input, outputs[0], otherShape, hint);
        return null;
    }

    // ---- CPU ----

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => Cpu.MethodLine(w, $"{CpuForwardSignature(l)} => {Names.Kernels}.Sum.Add({CpuInput(l, 0)}, {CpuInput(l, 1)}, {Cpu.Output(l)});");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        Cpu.OpenMethod(w, $"private void {l.Pascal}Backward(int slot)");
        for (var k = 0; k < 2; k++)
        {
            if (CpuGradient(l, k) is { } gradient) w.Line($"{Cpu.OutputGradient(l)}.CopyTo({gradient});");
        }
        w.Close();
    }

    // ---- GPU ----

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
        => w.Line($"private void {l.Pascal}Forward(int count) => Kernels.Add(count * {l.Pascal}OutputLength, {GpuInput(l, 0)}, {GpuInput(l, 1)}, {l.Pascal}Output);");

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
    {
        w.Open($"private void {l.Pascal}Backward(int count)");
        for (var k = 0; k < 2; k++)
        {
            if (GpuGradient(l, k) is { } gradient) w.Line($"Kernels.Copy(count * {l.Pascal}OutputLength, {l.Pascal}OutputGradient, {gradient});");
        }
        w.Close();
    }

    // ---- Layer list ----

    public override string Description(ResolvedLayer l, IReadOnlyList<string> blocks)
        => $"new {Names.Runtime}.ResidualLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, " +
           $"{blocks[0]}, {(blocks.Count > 1 ? blocks[1] : "null")})";
}
