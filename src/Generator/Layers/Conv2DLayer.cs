using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[Conv2D(filters, Patch = p, Stride = s, Padding = ...)]</c>: 2-D convolution plus bias, weights HWIO
/// (patch × patch × in × filters) as in TensorFlow.</summary>
internal sealed record Conv2DLayer(string Name, int Filters, int Patch, int Stride, PaddingKind Padding, float WeightStd, float BiasInit)
    : LayerSpec(Name)
{
    public static readonly LayerKind Definition = new("Conv2D", "conv", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var layer = new Conv2DLayer(name, a.IntArgument(0), a.Int("Patch"), a.Int("Stride"), a.Padding(), a.Float("WeightStd"), a.Float("BiasInit"));
        a.RequirePositive("filters", layer.Filters);
        if (a.RequireSet("Patch", "[Conv2D(16, Patch = 5)]")) a.RequirePositive("Patch", layer.Patch);
        a.RequirePositive("Stride", layer.Stride);
        Parameters.CheckInitializer(a, layer.WeightStd, layer.BiasInit);
        return layer;
    }

    public override string Kind => Definition.Name;

    public override string Detail => $"{Int(Filters)} filters, {Window.Text(Patch, Stride, Padding)}";

    public override string Identity => $"{Kind} filters={Int(Filters)} patch={Int(Patch)} stride={Int(Stride)} padding={Window.Identity(Padding)}";

    public override string? LegacyIdentity => $"Conv2D {Int(Filters)} filters, {Int(Patch)}x{Int(Patch)}, stride {Int(Stride)}, {Fingerprint.LegacyPadding(Padding)}";

    public override LayerShapes? Resolve(Shape input, ShapeContext context)
        => Window.Resolve(input, Patch, Stride, Padding, "convolution", context) is { } window
            ? new LayerShapes(new Shape(window.Height, window.Width, Filters),
                Weights: Sizes.Times(Sizes.Times(Sizes.Times(Patch, Patch), input.Channels), Filters), Biases: Filters, window.PadTop, window.PadLeft)
            : null;

    // ---- CPU ----

    public override void EmitConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        Window.EmitConstants(w, l, "Patch", Patch, Stride);
        Window.EmitShapeStruct(w, l, "Conv2D", "IConv2DShape",
            ("InHeight", "InputHeight"), ("InWidth", "InputWidth"), ("InChannels", "InputChannels"),
            ("OutHeight", "OutputHeight"), ("OutWidth", "OutputWidth"), ("OutChannels", "OutputChannels"),
            ("Patch", "Patch"), ("Stride", "Stride"), ("PadTop", "PadTop"), ("PadLeft", "PadLeft"));
        if (!l.ReadsImage)
        {
            w.Line($"/// <summary>{Name}'s weights as its input gradient reads them (rotated, channels swapped), written once per batch: a copy per core,");
            w.Line("/// on cache lines of its own.</summary>");
            w.Line($"private readonly {Names.Kernels}.AlignedFloats[] {p}FlippedWeights = {Names.Runtime}.LayoutCopies.Make(() => new {Names.Kernels}.AlignedFloats({p}WeightsLength));");
        }
        if (l.FoldsBatchNorm)
        {
            w.Line($"/// <summary>{Name}'s weights and bias with {l.FoldsInto}'s normalisation folded in, for inference: one pass instead of two.</summary>");
            w.Line($"private readonly float[] {p}FoldedWeights = new float[{p}WeightsLength];");
            w.Line($"private readonly float[] {p}FoldedBias = new float[{p}BiasLength];");
            if (UsesWinograd(l)) w.Line($"private readonly {Names.Kernels}.WinogradWeights<{p}Shape> {p}FoldedWinograd = new();");
        }
        if (UsesWinograd(l))
        {
            if (FitsWinograd(l))
            {
                var (forward, instead) = FitsFourByFour(l.Output.Height, l.Output.Width, l.Input.Channels, Filters)
                    ? ("F(4x4, 5x5): 64 multiply-adds for each 4x4 block of outputs", 400)
                    : ("F(2x2, 5x5): 36 multiply-adds for each 2x2 block of outputs", 100);
                // The input gradient is a stride-1 convolution whose output is the layer's input.
                var backward = FitsFourByFour(l.Input.Height, l.Input.Width, Filters, l.Input.Channels) ? "F(4x4, 5x5)" : "F(2x2, 5x5)";
                w.Line($"/// <summary>{Name}'s kernels in the Winograd domain, {forward}");
                w.Line($"/// instead of {instead}, and flipped for the input gradient ({backward}); F(2x2, 5x5) where the machine has no fused");
                w.Line("/// multiply-add. Prepared once per call, a copy per core; empty where the machine has no SIMD.</summary>");
            }
            else
            {
                w.Line($"/// <summary>{Name}'s kernels in the Winograd domain, F(4x4, 3x3) over the input's four pixel phases: 144 multiply-adds");
                w.Line("/// for each 4x4 block of outputs instead of 400, forward only. Prepared once per call, a copy per core; empty where the machine has no SIMD.</summary>");
            }
            w.Line($"private readonly {Names.Kernels}.WinogradWeights<{p}Shape>[] {p}Winograd = {Names.Runtime}.LayoutCopies.Make(() => new {Names.Kernels}.WinogradWeights<{p}Shape>());");
        }
    }

    /// <summary>Where the runtime's Winograd F(2x2, 5x5) kernel takes this layer: the runtime's own rule, whose source
    /// file this project compiles too.</summary>
    private bool FitsWinograd(ResolvedLayer l)
        => StaticConvNet.Kernels.WinogradFit.TwoByTwoFiveByFive(Stride, Patch, l.Input.Channels, Filters, l.Output.Height, l.Output.Width);

    /// <summary>Where F(4x4, 5x5) takes the place of F(2x2, 5x5) for a stride-1 convolution with this result.</summary>
    private bool FitsFourByFour(int height, int width, int inChannels, int outChannels)
        => StaticConvNet.Kernels.WinogradFit.FourByFourFiveByFive(Stride, Patch, inChannels, outChannels, height, width);

    /// <summary>Where the runtime's strided Winograd F(4x4, 3x3) takes this layer's forward pass (the runtime's rule too).</summary>
    private bool FitsStridedWinograd(ResolvedLayer l)
        => StaticConvNet.Kernels.WinogradFit.StridedFourByFour(Stride, Patch, l.Input.Channels, Filters, l.Output.Height, l.Output.Width);

    /// <summary>Whether the forward pass runs as Winograd (and keeps its kernels transformed).</summary>
    private bool UsesWinograd(ResolvedLayer l) => FitsWinograd(l) || FitsStridedWinograd(l);

    public override bool PreparesForward(ResolvedLayer l) => UsesWinograd(l);

    public override bool CanFoldBatchNorm => true;

    public override void EmitPrepareInference(CodeWriter w, ResolvedLayer l)
    {
        var (p, bn) = (l.Pascal, l.FoldsInto);
        w.Line($"{Names.Kernels}.BatchNorm.Fold({Cpu.Weights(l)}, {Cpu.Bias(l)}, new {Names.Span}(_parameters, {bn}WeightsOffset, {bn}WeightsLength), " +
               $"new {Names.Span}(_parameters, {bn}BiasOffset, {bn}BiasLength), {bn}State, {bn}Epsilon, {p}FoldedWeights, {p}FoldedBias);");
        if (UsesWinograd(l)) w.Line($"{p}FoldedWinograd.PrepareForward({p}FoldedWeights);");
    }

    public override string FoldedForwardCall(ResolvedLayer l) => $"{l.Pascal}ForwardFolded({Cpu.InputOf(l)}, slot);";

    public override void EmitPrepareForward(CodeWriter w, ResolvedLayer l) => w.Line($"{l.Pascal}Winograd[copy].PrepareForward({Cpu.Weights(l)});");

    public override void EmitPrepareBackward(CodeWriter w, ResolvedLayer l)
    {
        if (l.ReadsImage) return;
        w.Line($"{Names.Kernels}.Conv2D.FlipWeights<{l.Pascal}Shape>({Cpu.Weights(l)}, {l.Pascal}FlippedWeights[copy].Span);");
        if (FitsWinograd(l)) w.Line($"{l.Pascal}Winograd[copy].PrepareBackward({l.Pascal}FlippedWeights[copy].Span);");
    }

    public override void EmitInitializer(CodeWriter w, ResolvedLayer l, int stream) => Parameters.EmitInitializer(w, l, WeightStd, BiasInit, stream);

    public override bool CanStoreRelu => true;

    public override bool SlidesWindow => true;

    // Static, not a record member: record equality (the generator's cache) must see only what the user wrote.
    private static readonly string[] OwnSuffixes = [.. Parameters.MemberSuffixes, .. Window.MemberSuffixes("Patch"), "FlippedWeights", "Winograd",
        "FoldedWeights", "FoldedBias", "FoldedWinograd", "ForwardFolded"];

    public override IReadOnlyList<string> MemberSuffixes => OwnSuffixes;

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        var activation = l.StoresRelu ? $", {Names.Kernels}.StoreRelu" : "";
        if (l.StoresRelu) w.Line($"// Stores max(x, 0): the ReLU after {Name} runs here, in this buffer.");
        var winograd = UsesWinograd(l) ? $", {l.Pascal}Winograd[{Cpu.LayoutCopy}]" : "";
        Cpu.ForwardMethod(w, l, $"{Names.Kernels}.Conv2D.Forward<{l.Pascal}Shape{activation}>(input, {Cpu.Weights(l)}, {Cpu.Bias(l)}, {Cpu.Output(l)}{winograd})");
        if (!l.FoldsBatchNorm) return;
        w.Line($"// Inference: {Name} and {l.FoldsInto} as one convolution, straight into {l.FoldsInto}'s output.");
        Cpu.MethodLine(w, $"private void {l.Pascal}ForwardFolded({Names.ReadOnlySpan} input, int slot)");
        w.Line($"    => {Names.Kernels}.Conv2D.Forward<{l.Pascal}Shape>(input, {l.Pascal}FoldedWeights, {l.Pascal}FoldedBias, {l.FoldsInto}Output(slot){(UsesWinograd(l) ? $", {l.Pascal}FoldedWinograd" : "")});");
    }

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        var winograd = FitsWinograd(l) ? $", {l.Pascal}Winograd[{Cpu.LayoutCopy}]" : "";
        Cpu.BackwardMethod(w, l, $"{Names.Kernels}.Conv2D.Backward<{l.Pascal}Shape>(input, {Cpu.Weights(l)}, {(l.ReadsImage ? $"{Names.Span}.Empty" : $"{l.Pascal}FlippedWeights[{Cpu.LayoutCopy}].Span")}, " +
                                 $"{Cpu.OutputGradient(l)}, inputGradient, " +
                                 $"{Cpu.WeightGradients(l)}, {Cpu.BiasGradients(l)}{winograd})");
    }

    // ---- GPU ----

    public override void EmitGpuConstants(CodeWriter w, ResolvedLayer l) => Window.EmitGpuShape(w, l, "Patch");

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l) => Parameters.EmitGpuForward(w, l, "Conv", $"{l.Pascal}Window");

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l) => Parameters.EmitGpuBackward(w, l, "Conv", $"{l.Pascal}Window");

    public override string? GpuPartialFloats(ResolvedLayer l) => $"{Names.Gpu}.GpuKernelSet.PartialFloats({l.Pascal}Window, batchCapacity)";

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.Conv2DLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, " +
           $"ParameterOffset: {Int(l.ParameterOffset)}, Window: {Window.Geometry(l, Patch, Stride, Padding)})";
}
