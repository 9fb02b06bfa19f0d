using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[Dropout(rate)]</c>: inverted dropout in training, identity at inference. Its mask is a pure function
/// of (seed, step, layer index, image), so the CPU and the GPU draw the same masks and a resumed run replays them;
/// the index, not a buffer offset, keys it, so how memory is laid out never changes the numbers.</summary>
internal sealed record DropoutLayer(string Name, float Rate) : LayerSpec(Name)
{
    public static readonly LayerKind Definition = new("Dropout", "dropout", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var layer = new DropoutLayer(name, a.FloatArgument(0));
        if (!(layer.Rate >= 0f && layer.Rate < 1f)) a.Report(Diagnostics.DropoutRateOutOfRange, name, AttributeReader.Format(layer.Rate));
        return layer;
    }

    public override string Kind => Definition.Name;

    public override string Detail => $"rate {AttributeReader.Format(Rate)}";

    public override string Identity => $"{Kind} rate={AttributeReader.Identity(Rate)}";

    public override string? LegacyIdentity => $"Dropout rate {AttributeReader.Format(Rate)}";

    public override bool HasMask => true;

    // Static, not a record member: record equality (the generator's cache) must see only what the user wrote.
    private static readonly string[] OwnSuffixes = ["Rate", "Index", "MaskImageOffset", "Mask"];

    public override IReadOnlyList<string> MemberSuffixes => OwnSuffixes;

    public override LayerShapes? Resolve(Shape input, ShapeContext context) => new LayerShapes(input);

    // ---- CPU ----

    public override void EmitConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const float {p}Rate = {Float(Rate)};");
        w.Line($"private const int {p}Index = {Int(l.Index)}; // keys the random stream of the masks");
        w.Line($"private const int {p}MaskImageOffset = {Int(l.MaskImageOffset)};");
        w.Line($"private {Names.Span} {p}Mask(int slot) => _dropoutMasks.Slice({p}MaskImageOffset * BatchCapacity + slot * {p}OutputLength, {p}OutputLength);");
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line("// Training draws a fresh mask per (step, layer, image); inference passes values through.");
        Cpu.OpenMethod(w, $"private void {p}Forward({Names.ReadOnlySpan} input, int slot, bool training)");
        w.Line($"if (training) {Names.Kernels}.Dropout.Forward(input, {Cpu.Output(l)}, {p}Mask(slot), DropoutRate ?? {p}Rate, DropoutSeed, " +
               $"{Names.Kernels}.Dropout.Stream(DropoutStep, {p}Index, Runner.ImageOf(slot)));");
        w.Line($"else input.CopyTo({Cpu.Output(l)});");
        w.Close();
    }

    /// <summary>The mask kept from the forward pass is all the backward pass needs.</summary>
    public override bool BackwardReadsInput => false;

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => Cpu.BackwardMethod(w, l, $"{Names.Kernels}.Dropout.Backward({l.Pascal}Mask(slot), {Cpu.OutputGradient(l)}, inputGradient)");

    public override string ForwardCall(ResolvedLayer l) => $"{l.Pascal}Forward({Cpu.InputOf(l)}, slot, training);";

    public override bool ForwardReadsTraining => true;

    // ---- GPU ----

    public override void EmitGpuConstants(CodeWriter w, ResolvedLayer l)
        => w.Line($"private {Names.ArrayView} {l.Pascal}Mask => Masks({l.Pascal}MaskImageOffset, {l.Pascal}OutputLength);");

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Open($"private void {p}Forward(int count, bool training)");
        w.Line($"if (training) Kernels.DropoutForward(count * {p}OutputLength, {Gpu.InputOf(l)}, {p}Output, {p}Mask, {p}OutputLength, " +
               $"DropoutRate ?? {p}Rate, DropoutSeed, DropoutStep, {p}Index);");
        w.Line($"else Kernels.Copy(count * {p}OutputLength, {Gpu.InputOf(l)}, {p}Output);");
        w.Close();
    }

    public override string GpuForwardCall(ResolvedLayer l) => $"{l.Pascal}Forward(count, training);";

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
        => Gpu.BackwardMethod(w, l, $"Kernels.Multiply(count * {l.Pascal}OutputLength, {l.Pascal}OutputGradient, {l.Pascal}Mask, {Gpu.InputGradientOf(l)})");

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.DropoutLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, Rate: {Float(Rate)})";
}
