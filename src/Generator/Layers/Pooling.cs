using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary>What the pooling kinds share: <c>(size, Stride = s, Padding = ...)</c> read the same way, the same
/// window geometry, and the same constants. Each kind says which kernels it calls and whether its backward pass
/// needs the input (max pooling finds the maximum again; averaging does not).</summary>
internal abstract record PoolLayer(string Name, int Size, int Stride, PaddingKind Padding) : LayerSpec(Name)
{
    /// <summary>The runtime kernel class, the stem of the GPU kernels and of the layer-list record: the kind's name.</summary>
    private string KernelName => Kind;

    /// <summary>What the SCN0006 message calls the operation, e.g. "max pooling".</summary>
    protected abstract string Operation { get; }

    /// <summary>Size, stride (unset: the attribute's default, where 0 means "as wide as the window", TensorFlow's usual
    /// ksize == strides) and padding.</summary>
    protected static (int Size, int Stride, PaddingKind Padding) ReadWindow(AttributeReader a)
    {
        var size = a.IntArgument(0);
        var stride = a.Int("Stride");
        var padding = a.Padding();
        a.RequirePositive("size", size);
        if (a.IsSet("Stride")) a.RequirePositive("Stride", stride);
        else if (stride == 0) stride = size;
        return (size, stride, padding);
    }

    public override string Detail => Window.Text(Size, Stride, Padding);

    public override string Identity => $"{Kind} size={Int(Size)} stride={Int(Stride)} padding={Window.Identity(Padding)}";

    public override LayerShapes? Resolve(Shape input, ShapeContext context)
        => Window.Resolve(input, Size, Stride, Padding, Operation, context) is { } window
            ? new LayerShapes(new Shape(window.Height, window.Width, input.Channels), PadTop: window.PadTop, PadLeft: window.PadLeft)
            : null;

    // ---- CPU ----

    // Static, not a record member: record equality (the generator's cache) must see only what the user wrote.
    public override bool SlidesWindow => true;

    private static readonly string[] OwnSuffixes = Window.MemberSuffixes("Size");

    public override IReadOnlyList<string> MemberSuffixes => OwnSuffixes;

    public override void EmitConstants(CodeWriter w, ResolvedLayer l)
    {
        var p = l.Pascal;
        Window.EmitConstants(w, l, "Size", Size, Stride);
        Window.EmitShapeStruct(w, l, KernelName, "IPoolShape",
            ("InHeight", "InputHeight"), ("InWidth", "InputWidth"), ("Channels", "InputChannels"),
            ("OutHeight", "OutputHeight"), ("OutWidth", "OutputWidth"),
            ("Size", "Size"), ("Stride", "Stride"), ("PadTop", "PadTop"), ("PadLeft", "PadLeft"));
    }

    public override void EmitForward(CodeWriter w, ResolvedLayer l)
        => Cpu.ForwardMethod(w, l, $"{Names.Kernels}.{KernelName}.Forward<{l.Pascal}Shape>(input, {Cpu.Output(l)})");

    public override void EmitBackward(CodeWriter w, ResolvedLayer l)
    {
        // The input was stored through a ReLU whose gradient mask runs here (a max pool's CanMaskReluGradient).
        var storedThrough = l.MasksReluGradient ? $", {Names.Kernels}.StoreRelu" : "";
        if (l.MasksReluGradient) w.Line("// Passes each window's gradient only where the fused ReLU's output is > 0: that ReLU's backward pass runs here.");
        Cpu.BackwardMethod(w, l, $"{Names.Kernels}.{KernelName}.Backward<{l.Pascal}Shape{storedThrough}>({(BackwardReadsInput ? "input, " : "")}{Cpu.OutputGradient(l)}, inputGradient)");
    }

    // ---- GPU ----

    public override void EmitGpuConstants(CodeWriter w, ResolvedLayer l) => Window.EmitGpuShape(w, l, "Size");

    public override void EmitGpuForward(CodeWriter w, ResolvedLayer l)
        => Gpu.ForwardMethod(w, l, $"Kernels.{KernelName}Forward(count * {l.Pascal}OutputLength, {Gpu.InputOf(l)}, {l.Pascal}Output, {l.Pascal}Window)");

    public override void EmitGpuBackward(CodeWriter w, ResolvedLayer l)
        => Gpu.BackwardMethod(w, l, $"Kernels.{KernelName}Backward(count * {l.Pascal}InputLength, " +
                                         $"{(BackwardReadsInput ? Gpu.InputOf(l) + ", " : "")}{l.Pascal}OutputGradient, {Gpu.InputGradientOf(l)}, {l.Pascal}Window)");

    // ---- Layer list ----

    public override string Description(ResolvedLayer l)
        => $"new {Names.Runtime}.{KernelName}Layer({String(Name)}, {Int(l.Index)}, {Names.LayerShape(l.Input)}, {Names.LayerShape(l.Output)}, " +
           $"Window: {Window.Geometry(l, Size, Stride, Padding)})";
}
