using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary>What the element-wise activations share: the output has the input's shape, nothing is owned, and the
/// backward pass multiplies by the derivative, computed from the input (ReLU) or, cheaper, from the output (tanh).</summary>
internal abstract record ActivationLayer(string Name) : LayerSpec(Name)
{
    /// <summary>The runtime kernel class and the stem of the GPU kernels, e.g. "Relu".</summary>
    protected abstract string KernelName { get; }

    protected abstract bool DerivativeFromOutput { get; }

    public override string Identity => Kind;

    public override LayerShapes? Resolve(Shape input, ShapeContext context) => new LayerShapes(input);

    // ---- CPU ----

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
    {
        if (l.IsFused) w.Line(FusedComment(l));
        else Cpu.ForwardMethod(w, l, $"{Names.Kernels}.{KernelName}.Forward(input, {Cpu.Output(l)})");
    }

    public override string ForwardCall(ResolvedLayer l) => l.IsFused ? FusedComment(l) : base.ForwardCall(l);

    // The backward pass stays (unless a max pool right after applies the mask, ResolvedLayer.GradientMaskedBy):
    // max(x, 0) > 0 exactly where x > 0, so the mask read from the shared buffer is the same, and the gradient is
    // masked in place (this layer's output gradient is its producer's).
    private string FusedComment(ResolvedLayer l)
        => $"// {Name}: {Detail} runs inside {l.FusedInto}'s store, in {l.FusedInto}'s output buffer.";

    public override bool BackwardReadsInput => !DerivativeFromOutput;

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
        => Cpu.BackwardMethod(w, l, $"{Names.Kernels}.{KernelName}.Backward({(DerivativeFromOutput ? Cpu.Output(l) : "input")}, {Cpu.OutputGradient(l)}, inputGradient)");

    // ---- GPU ----

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
    {
        if (l.IsFused) w.Line(FusedComment(l));
        else Gpu.ForwardMethod(w, l, $"Kernels.{KernelName}Forward(count * {l.Pascal}OutputLength, {Gpu.InputOf(l)}, {l.Pascal}Output)");
    }

    public override string GpuForwardCall(ResolvedLayer l) => l.IsFused ? FusedComment(l) : base.GpuForwardCall(l);

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
        => Gpu.BackwardMethod(w, l, $"Kernels.{KernelName}Backward(count * {l.Pascal}OutputLength, " +
                                         $"{(DerivativeFromOutput ? l.Pascal + "Output" : Gpu.InputOf(l))}, {l.Pascal}OutputGradient, {Gpu.InputGradientOf(l)})");

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.{KernelName}Layer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)})";
}
