using System.Collections.Generic;
using System.Linq;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[Concat(typeof(A), typeof(B), …)]</c>: every block runs on the layer's input, and the merge node writes
/// their outputs side by side in each pixel, A's channels first. Backward, each block's gradient is its channels of
/// the output gradient. Shared behaviour of layers made of blocks is in <see cref="BranchingLayer"/>.</summary>
internal sealed record ConcatLayer(string Name, EquatableArray<BlockSpec> Parts) : BranchingLayer(Name)
{
    public static readonly LayerKind Definition = new("Concat", "concat", Parse);

    private static StackEntry Parse(AttributeReader a, string name, IBlockReader blocks)
    {
        var types = a.TypesArgument(0);
        // A null among them is its own mistake (SCN0032, from the block reader), not also too few blocks.
        if (types.Count < 2 && types.All(t => t is not null))
            a.Report(Diagnostics.ConcatNeedsTwoBlocks, name, types.Count == 0 ? "none" : $"only '{types[0]!.Name}'");
        var parts = new List<BlockSpec>();
        for (var i = 0; i < types.Count; i++)
        {
            if (blocks.Read(types[i], a, $"block {Int(i + 1)}") is { } block) parts.Add(block);
        }
        return new ConcatLayer(name, parts.ToEquatableArray());
    }

    public override string Kind => Definition.Name;

    public override IReadOnlyList<BlockSpec> Blocks => Parts.Items;

    public override string Detail => string.Join(" + ", Parts.Select(p => p.ClassName));

    public override Shape? Merge(Shape input, IReadOnlyList<Shape> outputs, ShapeContext context)
    {
        var uses = Uses;
        for (var i = 1; i < outputs.Count; i++)
        {
            if (outputs[i].Height != outputs[0].Height || outputs[i].Width != outputs[0].Width)
            {
                context.Report(Diagnostics.ConcatSizesDiffer, Name, input, uses[0].Segment, outputs[0], uses[i].Segment, outputs[i]);
                return null;
            }
        }
        return new Shape(outputs[0].Height, outputs[0].Width, outputs.Sum(o => o.Channels));
    }

    // ---- CPU ----

    /// <summary>Where input <paramref name="k"/>'s channels start in each output pixel.</summary>
    private static int Offset(ResolvedLayer l, int k) => l.MergeInputs.Take(k).Sum(i => i.Shape.Channels);

    private static string Sizes(ResolvedLayer l, int k)
        => $"{l.Pascal}OutputHeight * {l.Pascal}OutputWidth, {Int(l.MergeInputs[k].Shape.Channels)}, {l.Pascal}OutputChannels, {Int(Offset(l, k))}";

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        Cpu.OpenMethod(w, CpuForwardSignature(l));
        for (var k = 0; k < l.MergeInputs.Length; k++)
            w.Line($"{Names.Kernels}.Concat.Forward({CpuInput(l, k)}, {Cpu.Output(l)}, {Sizes(l, k)});");
        w.Close();
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        Cpu.OpenMethod(w, $"private void {l.Pascal}Backward(int slot)");
        for (var k = 0; k < l.MergeInputs.Length; k++)
        {
            if (CpuGradient(l, k) is { } gradient) w.Line($"{Names.Kernels}.Concat.Backward({Cpu.OutputGradient(l)}, {gradient}, {Sizes(l, k)});");
        }
        w.Close();
    }

    // ---- GPU ----

    private static string GpuSizes(ResolvedLayer l, int k)
        => $"{Int(l.MergeInputs[k].Shape.Channels)}, {l.Pascal}OutputChannels, {Int(Offset(l, k))}";

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
    {
        w.Open($"private void {l.Pascal}Forward(int count)");
        for (var k = 0; k < l.MergeInputs.Length; k++)
            w.Line($"Kernels.ConcatForward(count * {Int(l.MergeInputs[k].Shape.Length)}, {GpuInput(l, k)}, {l.Pascal}Output, {GpuSizes(l, k)});");
        w.Close();
    }

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
    {
        w.Open($"private void {l.Pascal}Backward(int count)");
        for (var k = 0; k < l.MergeInputs.Length; k++)
        {
            if (GpuGradient(l, k) is { } gradient)
                w.Line($"Kernels.ConcatBackward(count * {Int(l.MergeInputs[k].Shape.Length)}, {l.Pascal}OutputGradient, {gradient}, {GpuSizes(l, k)});");
        }
        w.Close();
    }

    // ---- Layer list ----

    public override string Description(ResolvedLayer l, IReadOnlyList<string> blocks)
        => $"new {Names.Runtime}.ConcatLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, " +
           $"new {Names.Runtime}.BlockDescription[] {{ {string.Join(", ", blocks)} }})";
}
