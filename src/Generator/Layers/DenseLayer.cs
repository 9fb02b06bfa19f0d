using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[Dense(units)]</c>: fully connected over the HWC-flattened input, weights [in, out].</summary>
internal sealed record DenseLayer(string Name, int Units, float WeightStd, float BiasInit) : LayerSpec(Name)
{
    public static readonly LayerKind Definition = new("Dense", "dense", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var layer = new DenseLayer(name, a.IntArgument(0), a.Float("WeightStd"), a.Float("BiasInit"));
        a.RequirePositive("units", layer.Units);
        Parameters.CheckInitializer(a, layer.WeightStd, layer.BiasInit);
        return layer;
    }

    public override string Kind => Definition.Name;

    public override string Detail => $"{Int(Units)} units";

    public override string Identity => $"{Kind} units={Int(Units)}";

    public override string? LegacyIdentity => $"Dense {Int(Units)} units";

    public override int? LogitUnits => Units;

    public override bool Flattens => true;

    public override IReadOnlyList<string> MemberSuffixes => Parameters.MemberSuffixes;

    public override LayerShapes? Resolve(Shape input, ShapeContext context)
        => new LayerShapes(new Shape(1, 1, Units), Weights: Sizes.Times(input.Length, Units), Biases: Units);

    // ---- CPU ----

    public override void EmitInitializer(CodeWriter w, ResolvedLayer l, int stream) => Parameters.EmitInitializer(w, l, WeightStd, BiasInit, stream);

    public override bool CanStoreRelu => true;

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        var activation = l.StoresRelu ? $"<{Names.Kernels}.StoreRelu>" : "";
        if (l.StoresRelu) w.Line($"// Stores max(x, 0): the ReLU after {Name} runs here, in this buffer.");
        Cpu.ForwardMethod(w, l, $"{Names.Kernels}.Dense.Forward{activation}(input, {Cpu.Weights(l)}, {Cpu.Bias(l)}, {Cpu.Output(l)})");
    }

    // Per image only the bias and input gradients: the weight gradient is summed over a shard's images at once.
    public override bool BackwardReadsInput => false;

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => Cpu.BackwardMethod(w, l, $"{Names.Kernels}.Dense.Backward({Cpu.Weights(l)}, " +
                                    $"{Cpu.OutputGradient(l)}, inputGradient, {Cpu.BiasGradients(l)})");

    public override void EmitShardGradients(CodeWriter w, ResolvedLayer l)
        => w.Line($"{Names.Kernels}.Dense.WeightGradient({Cpu.ShardInputsOf(l)}, {Cpu.ShardOutputGradients(l)}, count, {Cpu.WeightGradients(l)});");

    public override (int Rows, int RowLength)? WholeBatchWeightRows(ResolvedLayer l) => ((int)l.Input.Length, Units);

    public override void EmitWholeBatchGradients(CodeWriter w, ResolvedLayer l)
        => w.Line($"{Names.Kernels}.Dense.WeightGradientOfShards({Cpu.BatchInputsOf(l)}, {Cpu.BatchOutputGradients(l)}, split, count, half, {Cpu.WeightGradients(l)});");

    // ---- GPU ----

    public override void EmitGpuConstants(CodeWriter w, ResolvedLayer l)
        => w.Line($"private static readonly {Names.Gpu}.WindowShape {l.Pascal}Sizes = {Names.Gpu}.WindowShape.Dense({l.Pascal}InputLength, {l.Pascal}OutputLength);");

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l) => Parameters.EmitGpuForward(w, l, "Dense", $"{l.Pascal}Sizes");

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l) => Parameters.EmitGpuBackward(w, l, "Dense", $"{l.Pascal}Sizes");

    public override string? GpuPartialFloats(ResolvedLayer l) => $"{Names.Gpu}.GpuKernelSet.PartialFloats({l.Pascal}Sizes, batchCapacity)";

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.DenseLayer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, ParameterOffset: {Int(l.ParameterOffset)})";
}
