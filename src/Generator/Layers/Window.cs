using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary>The geometry every windowed kind (convolution, pooling) shares: TensorFlow's output size and padding,
/// and the constants and shape values the CPU kernels, GPU kernels and layer list take.</summary>
internal static class Window
{
    /// <summary>Output height and width and leading padding of a <paramref name="size"/> window over
    /// <paramref name="input"/>, or null after reporting that a VALID window does not fit.</summary>
    public static (int Height, int Width, int PadTop, int PadLeft)? Resolve(Shape input, int size, int stride, PaddingKind padding,
        string what, ShapeContext context)
    {
        var height = Axis(input.Height, size, stride, padding, out var padTop);
        var width = Axis(input.Width, size, stride, padding, out var padLeft);
        if (padding == PaddingKind.Same && (size > input.Height || size > input.Width))
            context.Report(Diagnostics.SameWindowLargerThanInput, context.LayerName, size, what, input, context.Producer);
        if (height > 0 && width > 0) return (height, width, padTop, padLeft);
        context.Report(Diagnostics.InputSmallerThanWindow, context.LayerName, size, what, context.Producer, input);
        return null;
    }

    /// <summary>TensorFlow's output size and leading padding along one axis.</summary>
    internal static int Axis(int input, int window, int stride, PaddingKind padding, out int padBefore)
    {
        if (padding == PaddingKind.Same)
        {
            var output = ((long)input + stride - 1) / stride;
            var total = System.Math.Max((output - 1) * stride + window - input, 0);
            padBefore = (int)System.Math.Min(total / 2, int.MaxValue); // the odd extra row/column goes after (bottom/right)
            return (int)output;
        }
        padBefore = 0;
        return input < window ? input - window + 1 : (input - window) / stride + 1;
    }

    public static string Text(int size, int stride, PaddingKind padding)
        => $"{Int(size)}x{Int(size)}, stride {Int(stride)}, {PaddingText(padding)}";

    public static string PaddingText(PaddingKind padding) => padding == PaddingKind.Same ? "SAME" : "VALID";

    public static string Identity(PaddingKind padding) => padding == PaddingKind.Same ? "same" : "valid";

    /// <summary>The members <see cref="EmitConstants"/>, <see cref="EmitShapeStruct"/> and <see cref="EmitGpuShape"/>
    /// name after a layer, for a window whose size constant is <paramref name="sizeName"/>.</summary>
    public static string[] MemberSuffixes(string sizeName) => [sizeName, "Stride", "PadTop", "PadLeft", "Shape", "Window"];

    /// <summary>The window's constants, named after the layer: <c>{Layer}{sizeName}</c>, stride and padding.</summary>
    public static void EmitConstants(CodeWriter w, ResolvedLayer l, string sizeName, int size, int stride)
    {
        var p = l.Pascal;
        w.Line($"public const int {p}{sizeName} = {Int(size)};");
        w.Line($"public const int {p}Stride = {Int(stride)};");
        w.Line($"public const int {p}PadTop = {Int(l.PadTop)};");
        w.Line($"public const int {p}PadLeft = {Int(l.PadLeft)};");
    }

    /// <summary>The struct the layer's CPU kernels are compiled for: its static members are the layer's constants.
    /// <paramref name="members"/> pairs each member of <paramref name="shapeInterface"/> with the constant it reads
    /// (the part after the layer's name, e.g. ("InHeight", "InputHeight")).</summary>
    public static void EmitShapeStruct(CodeWriter w, ResolvedLayer l, string kernel, string shapeInterface, params (string Member, string Constant)[] members)
    {
        var p = l.Pascal;
        w.Line($"/// <summary>{l.Spec.Name}'s shape as constants: the JIT compiles {kernel}'s kernels for this layer alone.</summary>");
        w.Open($"private readonly struct {p}Shape : {Names.Kernels}.{shapeInterface}");
        foreach (var (member, constant) in members) w.Line($"public static int {member} => {p}{constant};");
        w.Close();
    }

    /// <summary>The GPU kernels' view of the window, from the layer's constants.</summary>
    public static void EmitGpuShape(CodeWriter w, ResolvedLayer l, string sizeName)
    {
        var p = l.Pascal;
        w.Line($"private static readonly {Names.Gpu}.WindowShape {p}Window = new()");
        w.Line("{");
        w.Line($"    InHeight = {p}InputHeight, InWidth = {p}InputWidth, InChannels = {p}InputChannels,");
        w.Line($"    OutHeight = {p}OutputHeight, OutWidth = {p}OutputWidth, OutChannels = {p}OutputChannels,");
        w.Line($"    Window = {p}{sizeName}, Stride = {p}Stride, PadTop = {p}PadTop, PadLeft = {p}PadLeft,");
        w.Line("};");
    }

    /// <summary>The layer list's <c>WindowGeometry</c> value.</summary>
    public static string Geometry(ResolvedLayer l, int size, int stride, PaddingKind padding)
        => $"new {Names.Runtime}.WindowGeometry({Int(size)}, {Int(stride)}, {Names.Runtime}.Padding.{padding}, {Int(l.PadTop)}, {Int(l.PadLeft)})";
}
