using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit;

/// <summary>How a layer's CPU code names its buffers: per batch slot, in the network's activation buffers.</summary>
internal static class Cpu
{
    public static string InputOf(ResolvedLayer l) => l.ReadsImage ? "image" : $"{l.InputSource}Output(slot)";

    /// <summary>Where the layer writes its input's gradient: the producer's output gradient, or, when another layer
    /// reads the same input and writes that, a buffer of its own (added into the producer's before it runs backward).</summary>
    public static string InputGradientOf(ResolvedLayer l)
        => l.ReadsImage ? $"{Names.Span}.Empty" : l.InputGradientOffset >= 0 ? $"{l.Pascal}InputGradient0(slot)" : $"{l.InputSource}OutputGradient(slot)";

    public static string Output(ResolvedLayer l) => $"{l.Pascal}Output(slot)";

    /// <summary>A layer's inputs for the shard's images <c>first</c> … <c>first + count − 1</c>, image after image.</summary>
    public static string ShardInputsOf(ResolvedLayer l)
        => l.ReadsImage ? "images" : $"_activations.Slice({l.InputSource}ImageOffset * BatchCapacity + first * {l.InputSource}OutputLength, count * {l.InputSource}OutputLength)";

    /// <summary>A layer's inputs for the batch's images in slots 0 … <c>count</c> − 1, image after image.</summary>
    public static string BatchInputsOf(ResolvedLayer l)
        => l.ReadsImage ? "images" : $"_activations.Slice({l.InputSource}ImageOffset * BatchCapacity, count * {l.InputSource}OutputLength)";

    /// <summary>A layer's output gradients for the shard's images, image after image.</summary>
    public static string ShardOutputGradients(ResolvedLayer l)
        => $"_activationGradients.Slice({l.Pascal}ImageOffset * BatchCapacity + first * {l.Pascal}OutputLength, count * {l.Pascal}OutputLength)";

    /// <summary>A layer's output gradients for the batch's images in slots 0 … <c>count</c> − 1, image after image.</summary>
    public static string BatchOutputGradients(ResolvedLayer l)
        => $"_activationGradients.Slice({l.Pascal}ImageOffset * BatchCapacity, count * {l.Pascal}OutputLength)";

    public static string OutputGradient(ResolvedLayer l) => $"{l.Pascal}OutputGradient(slot)";

    /// <summary>Which copy of the per-call layouts (a convolution's Winograd kernels, its flipped weights) the slot's
    /// passes read: the one its core laid out (BatchRunner.LayoutCopy).</summary>
    public const string LayoutCopy = "Runner.LayoutCopy(slot)";

    public static string Weights(ResolvedLayer l) => $"new {Names.Span}(_parameters, {l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string Bias(ResolvedLayer l) => $"new {Names.Span}(_parameters, {l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    public static string WeightGradients(ResolvedLayer l) => $"gradients.Slice({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string BiasGradients(ResolvedLayer l) => $"gradients.Slice({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    /// <summary>Writes the first line of a layer's private CPU method (the rest follows), compiled optimised at its
    /// first call: these run for every image a step trains (see <see cref="Names.Optimised"/>).</summary>
    public static void MethodLine(CodeWriter w, string signature)
    {
        w.Line(Names.Optimised);
        w.Line(signature);
    }

    /// <summary><see cref="MethodLine"/> for a method with a body in braces: the signature, then the opening brace.</summary>
    public static void OpenMethod(CodeWriter w, string signature)
    {
        w.Line(Names.Optimised);
        w.Open(signature);
    }

    /// <summary>The usual forward method, the one <c>LayerSpec.ForwardCall</c> calls: one kernel call writing the
    /// layer's output for a batch slot.</summary>
    public static void ForwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        MethodLine(w, $"private void {l.Pascal}Forward({Names.ReadOnlySpan} input, int slot)");
        w.Line($"    => {kernelCall};");
    }

    /// <summary>The backward method: it takes the layer's input only when the kind reads it, and the shard's
    /// gradient buffer only when the layer has parameters; <see cref="BackwardCall"/> matches it.</summary>
    public static void BackwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        var input = l.Spec.BackwardReadsInput ? $"{Names.ReadOnlySpan} input, " : "";
        var gradients = l.HasParameters ? $", {Names.Span} gradients" : "";
        MethodLine(w, $"private void {l.Pascal}Backward({input}int slot, {Names.Span} inputGradient{gradients})");
        w.Line($"    => {kernelCall};");
    }

    /// <summary>The statement in BackwardSample that runs a layer's backward method.</summary>
    public static string BackwardCall(ResolvedLayer l)
        => $"{l.Pascal}Backward({(l.Spec.BackwardReadsInput ? InputOf(l) + ", " : "")}slot, {InputGradientOf(l)}{(l.HasParameters ? ", gradients" : "")});";
}
