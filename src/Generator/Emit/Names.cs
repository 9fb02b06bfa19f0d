using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit;

/// <summary>Fully qualified names generated code uses, so a user type named <c>Dense</c> or <c>Span</c> next to
/// the network cannot change what the code means.</summary>
internal static class Names
{
    public const string Span = "global::System.Span<float>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
    public const string Runtime = "global::StaticConvNet";
    public const string Kernels = "global::StaticConvNet.Kernels";
    public const string Training = "global::StaticConvNet.Training";
    public const string Gpu = "global::StaticConvNet.Gpu";
    public const string ArrayView = "global::ILGPU.ArrayView<float>";

    public static string LayerShape(Shape shape)
        => $"new {Runtime}.LayerShape({CodeWriter.Int(shape.Height)}, {CodeWriter.Int(shape.Width)}, {CodeWriter.Int(shape.Channels)})";
}

/// <summary>How a layer's CPU code names its buffers: per batch slot, in the network's activation buffers.</summary>
internal static class Cpu
{
    public static string InputOf(ResolvedLayer l) => l.ReadsImage ? "image" : $"{l.InputSource}Output(slot)";

    public static string InputGradientOf(ResolvedLayer l) => l.ReadsImage ? $"{Names.Span}.Empty" : $"{l.InputSource}OutputGradient(slot)";

    public static string Output(ResolvedLayer l) => $"{l.Pascal}Output(slot)";

    public static string OutputGradient(ResolvedLayer l) => $"{l.Pascal}OutputGradient(slot)";

    public static string Weights(ResolvedLayer l) => $"new {Names.Span}(_parameters, {l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string Bias(ResolvedLayer l) => $"new {Names.Span}(_parameters, {l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    public static string WeightGradients(ResolvedLayer l) => $"gradients.Slice({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string BiasGradients(ResolvedLayer l) => $"gradients.Slice({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    /// <summary>The usual forward method, the one <c>LayerSpec.ForwardCall</c> calls: one kernel call writing the
    /// layer's output for a batch slot.</summary>
    public static void ForwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        w.Line($"private void {l.Pascal}Forward({Names.ReadOnlySpan} input, int slot)");
        w.Line($"    => {kernelCall};");
    }

    /// <summary>The usual backward method, the one <c>LayerSpec.BackwardCall</c> calls.</summary>
    public static void BackwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        var gradients = l.HasParameters ? $", {Names.Span} gradients" : "";
        w.Line($"private void {l.Pascal}Backward({Names.ReadOnlySpan} input, int slot, {Names.Span} inputGradient{gradients})");
        w.Line($"    => {kernelCall};");
    }
}

/// <summary>How a layer's GPU launches name their buffers: whole-batch views on the device.</summary>
internal static class Gpu
{
    public static string InputOf(ResolvedLayer l) => l.ReadsImage ? "Images" : $"{l.InputSource}Output";

    public static string InputGradientOf(ResolvedLayer l) => $"{l.InputSource}OutputGradient";

    public static string Weights(ResolvedLayer l) => $"Parameters({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string Bias(ResolvedLayer l) => $"Parameters({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    public static string WeightGradients(ResolvedLayer l) => $"Gradients({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string BiasGradients(ResolvedLayer l) => $"Gradients({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    /// <summary>A forward method of one launch over every output value of <c>count</c> images.</summary>
    public static void ForwardMethod(CodeWriter w, ResolvedLayer l, string launch)
    {
        w.Line($"private void {l.Pascal}Forward(int count)");
        w.Line($"    => {launch};");
    }

    /// <summary>A backward method of one launch over every input value of <c>count</c> images, or a comment when the
    /// layer reads the image (nothing needs that gradient).</summary>
    public static void InputGradientMethod(CodeWriter w, ResolvedLayer l, string launch)
    {
        if (l.ReadsImage)
        {
            w.Line($"// {l.Spec.Name} reads the image and has no parameters: its backward pass has nothing to do.");
            return;
        }
        w.Line($"private void {l.Pascal}Backward(int count)");
        w.Line($"    => {launch};");
    }
}
