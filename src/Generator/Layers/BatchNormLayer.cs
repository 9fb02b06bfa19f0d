using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[BatchNorm(Epsilon = ε, Momentum = m)]</c>: per channel, y = γ · (x − mean) / √(variance + ε) + β, γ and
/// β learned (its weights and biases), as PyTorch's <c>batch_norm</c>. Training normalises with the statistics of the
/// whole batch, which the per-image passes cannot see: a training pass runs in stages that start at each such layer
/// (BatchRunner), its statistics taken over the batch between them (<c>{Name}Statistics</c>), and, backward, its batch
/// sums (<c>{Name}GradientSums</c>) before its own backward pass. Inference uses the running statistics, the network's
/// <c>State</c>.</summary>
internal sealed record BatchNormLayer(string Name, float Epsilon, float Momentum) : LayerSpec(Name)
{
    public static readonly LayerKind Definition = new("BatchNorm", "bn", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var layer = new BatchNormLayer(name, a.Float("Epsilon"), a.Float("Momentum"));
        a.RequireFinite("Epsilon", layer.Epsilon, allowNegative: false, allowZero: false, why: " (it keeps the square root above zero)");
        if (!(layer.Momentum > 0f && layer.Momentum <= 1f))
            a.Report(Diagnostics.ArgumentNotFinite, name, "Momentum", " in (0, 1]", " (the weight of a batch in the running statistics)", AttributeReader.Format(layer.Momentum));
        return layer;
    }

    public override string Kind => Definition.Name;

    public override string Detail => $"epsilon {AttributeReader.Format(Epsilon)}, momentum {AttributeReader.Format(Momentum)}";

    public override string Identity => $"{Kind} epsilon={AttributeReader.Identity(Epsilon)} momentum={AttributeReader.Identity(Momentum)}";

    // Static, not a record member: record equality (the generator's cache) must see only what the user wrote.
    private static readonly string[] OwnSuffixes = [.. Parameters.MemberSuffixes, "Epsilon", "Momentum", "StateOffset", "StateLength", "State",
        "Batch", "Sums", "BatchValues", "ForwardTraining", "Statistics", "GradientSums", "Pixels"];

    public override IReadOnlyList<string> MemberSuffixes => OwnSuffixes;

    public override LayerShapes? Resolve(Shape input, ShapeContext context)
        => new LayerShapes(input, Weights: input.Channels, Biases: input.Channels, State: 2L * input.Channels);

    public override bool UsesBatch => true;

    public override bool FoldsIntoProducer => true;

    // ---- CPU ----

    public override void EmitConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"public const float {p}Epsilon = {Float(Epsilon)};");
        w.Line($"public const float {p}Momentum = {Float(Momentum)};");
        w.Line($"private const int {p}Pixels = {p}InputHeight * {p}InputWidth;");
        w.Line($"public const int {p}StateOffset = {Int(l.StateOffset)};");
        w.Line($"public const int {p}StateLength = 2 * {p}InputChannels;");
        w.Line($"private {Names.Span} {p}State => new {Names.Span}(_state, {p}StateOffset, {p}StateLength); // running [mean][variance]");
        w.Line($"private readonly float[] {Lower(p)}Batch = new float[2 * {p}InputChannels]; // the training batch's [mean][1 / deviation]");
        w.Line($"private readonly float[] {Lower(p)}Sums = new float[2 * {p}InputChannels]; // over the batch: [Σ dy][Σ dy · x̂]");
        w.Line($"private int {Lower(p)}BatchValues; // values per channel in the batch: images × pixels");
    }

    private static string Lower(string pascal) => "_" + char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);

    public override void EmitInitializer(CodeWriter w, ResolvedLayer l, int stream)
    {
        var p = l.Pascal;
        w.Line($"new {Names.Span}(_parameters, {p}WeightsOffset, {p}WeightsLength).Fill(1f); // γ");
        w.Line($"new {Names.Span}(_parameters, {p}BiasOffset, {p}BiasLength).Clear(); // β");
        w.Line($"{Names.Kernels}.BatchNorm.ResetState({p}State);");
    }

    private static string Gamma(ResolvedLayer l) => Cpu.Weights(l);

    private static string Beta(ResolvedLayer l) => Cpu.Bias(l);

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        Cpu.MethodLine(w, $"private void {p}Forward({Names.ReadOnlySpan} input, int slot)");
        w.Line($"    => {Names.Kernels}.BatchNorm.ForwardInference(input, {Cpu.Output(l)}, {p}State, {Gamma(l)}, {Beta(l)}, {p}InputChannels, {p}Epsilon);");
        Cpu.MethodLine(w, $"private void {p}ForwardTraining({Names.ReadOnlySpan} input, int slot)");
        w.Line($"    => {Names.Kernels}.BatchNorm.ForwardTraining(input, {Cpu.Output(l)}, {Lower(p)}Batch, {Gamma(l)}, {Beta(l)}, {p}InputChannels);");
        Cpu.OpenMethod(w, $"private void {p}Statistics({Names.ReadOnlySpan} inputs, int count, bool update)");
        w.Line($"{Lower(p)}BatchValues = count * {p}Pixels;");
        w.Line($"{Names.Kernels}.BatchNorm.Statistics(inputs, count, {p}Pixels, {p}InputChannels, {p}Epsilon, {p}Momentum, {Lower(p)}Batch, update ? {p}State : {Names.Span}.Empty);");
        w.Close();
        Cpu.MethodLine(w, $"private void {p}GradientSums({Names.ReadOnlySpan} inputs, int count, {Names.Span} gradients)");
        w.Line($"    => {Names.Kernels}.BatchNorm.GradientSums(inputs, _activationGradients.Slice({p}ImageOffset * BatchCapacity, count * {p}OutputLength), " +
               $"{p}InputChannels, {Lower(p)}Batch, {Lower(p)}Sums, gradients.Slice({p}WeightsOffset, {p}WeightsLength), gradients.Slice({p}BiasOffset, {p}BiasLength));");
    }

    public override string TrainingForwardCall(ResolvedLayer l) => $"{l.Pascal}ForwardTraining({Cpu.InputOf(l)}, slot);";

    public override string BatchStatisticsCall(ResolvedLayer l) => $"{l.Pascal}Statistics({Cpu.BatchInputsOf(l)}, count, update);";

    public override string BatchGradientsCall(ResolvedLayer l) => $"{l.Pascal}GradientSums({Cpu.BatchInputsOf(l)}, count, gradients);";

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line("// γ's and β's gradients are batch sums, taken in GradientSums; per image only the input's gradient is left.");
        Cpu.MethodLine(w, $"private void {p}Backward({Names.ReadOnlySpan} input, int slot, {Names.Span} inputGradient)");
        w.Line($"    => {Names.Kernels}.BatchNorm.Backward(input, {Cpu.OutputGradient(l)}, inputGradient, {Lower(p)}Batch, {Lower(p)}Sums, {Gamma(l)}, {p}InputChannels, {Lower(p)}BatchValues);");
    }

    public override string BackwardCall(ResolvedLayer l) => $"{l.Pascal}Backward({Cpu.InputOf(l)}, slot, {Cpu.InputGradientOf(l)});";

    // ---- GPU ----

    public override void EmitGpuConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Line($"private {Names.ArrayView} {p}State => State({p}StateOffset, {p}StateLength);");
        w.Line($"private {Names.ArrayView} {p}Batch => Statistics(2 * {p}StateOffset, {p}StateLength);");
        w.Line($"private {Names.ArrayView} {p}Sums => Statistics(2 * {p}StateOffset + {p}StateLength, {p}StateLength);");
    }

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Open($"private void {p}Forward(int count, bool training)");
        w.Line($"if (training) Kernels.BatchNormStatistics({p}InputChannels, {Gpu.InputOf(l)}, {p}Batch, {p}State, count * {p}Pixels, {p}InputChannels, {p}Epsilon, {p}Momentum);");
        w.Line($"if (training) Kernels.BatchNormForward(count * {p}OutputLength, {Gpu.InputOf(l)}, {p}Output, {p}Batch, {Gpu.Weights(l)}, {Gpu.Bias(l)}, {p}InputChannels);");
        w.Line($"else Kernels.BatchNormInference(count * {p}OutputLength, {Gpu.InputOf(l)}, {p}Output, {p}State, {Gpu.Weights(l)}, {Gpu.Bias(l)}, {p}InputChannels, {p}Epsilon);");
        w.Close();
    }

    public override string GpuForwardCall(ResolvedLayer l) => $"{l.Pascal}Forward(count, training);";

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        w.Open($"private void {p}Backward(int count)");
        w.Line($"Kernels.BatchNormGradientSums({p}InputChannels, {Gpu.InputOf(l)}, {p}OutputGradient, {p}Batch, {p}Sums, Gradients({p}WeightsOffset, {p}WeightsLength + {p}BiasLength), count * {p}Pixels, {p}InputChannels);");
        if (!l.ReadsImage)
            w.Line($"Kernels.BatchNormBackward(count * {p}OutputLength, {Gpu.InputOf(l)}, {p}OutputGradient, {Gpu.InputGradientOf(l)}, {p}Batch, {p}Sums, {Gpu.Weights(l)}, {p}InputChannels, count * {p}Pixels);");
        w.Close();
    }

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.BatchNormLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, " +
           $"ParameterOffset: {Int(l.ParameterOffset)}, StateOffset: {Int(l.StateOffset)}, Epsilon: {Float(Epsilon)}, Momentum: {Float(Momentum)})";
}
