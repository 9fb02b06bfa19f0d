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

    /// <summary>A layer's inputs for the shard's images <c>first</c> … <c>first + count − 1</c>, image after image.</summary>
    public static string ShardInputsOf(ResolvedLayer l)
        => l.ReadsImage ? "images" : $"new {Names.ReadOnlySpan}(_activations, {l.InputSource}ImageOffset * BatchCapacity + first * {l.InputSource}OutputLength, count * {l.InputSource}OutputLength)";

    /// <summary>A layer's output gradients for the shard's images, image after image.</summary>
    public static string ShardOutputGradients(ResolvedLayer l)
        => $"new {Names.ReadOnlySpan}(_activationGradients, {l.Pascal}ImageOffset * BatchCapacity + first * {l.Pascal}OutputLength, count * {l.Pascal}OutputLength)";

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

    /// <summary>The backward method: it takes the layer's input only when the kind reads it, and the shard's
    /// gradient buffer only when the layer has parameters; <see cref="BackwardCall"/> matches it.</summary>
    public static void BackwardMethod(CodeWriter w, ResolvedLayer l, string kernelCall)
    {
        var input = l.Spec.BackwardReadsInput ? $"{Names.ReadOnlySpan} input, " : "";
        var gradients = l.HasParameters ? $", {Names.Span} gradients" : "";
        w.Line($"private void {l.Pascal}Backward({input}int slot, {Names.Span} inputGradient{gradients})");
        w.Line($"    => {kernelCall};");
    }

    /// <summary>The statement in BackwardSample that runs a layer's backward method.</summary>
    public static string BackwardCall(ResolvedLayer l)
        => $"{l.Pascal}Backward({(l.Spec.BackwardReadsInput ? InputOf(l) + ", " : "")}slot, {InputGradientOf(l)}{(l.HasParameters ? ", gradients" : "")});";
}

/// <summary>How a layer's GPU launches name their buffers: whole-batch views on the device.</summary>
internal static class Gpu
{
    public static string InputOf(ResolvedLayer l) => l.ReadsImage ? "Images" : $"{l.InputSource}Output";

    public static string InputGradientOf(ResolvedLayer l) => $"{l.InputSource}OutputGradient";

    public static string Weights(ResolvedLayer l) => $"Parameters({l.Pascal}WeightsOffset, {l.Pascal}WeightsLength)";

    public static string Bias(ResolvedLayer l) => $"Parameters({l.Pascal}BiasOffset, {l.Pascal}BiasLength)";

    /// <summary>A forward method of one launch over every output value of <c>count</c> images.</summary>
    public static void ForwardMethod(CodeWriter w, ResolvedLayer l, string launch)
    {
        w.Line($"private void {l.Pascal}Forward(int count)");
        w.Line($"    => {launch};");
    }

    /// <summary>A backward method of one launch (writing the input gradient of <c>count</c> images).</summary>
    public static void BackwardMethod(CodeWriter w, ResolvedLayer l, string launch)
    {
        w.Line($"private void {l.Pascal}Backward(int count)");
        w.Line($"    => {launch};");
    }
}

/// <summary>The member names generated code declares in the network class, so the parser can refuse a layer name or
/// a user member that would clash with them (a clash would otherwise be a C# error inside the generated file).
/// A test compiles a network of every kind and checks these lists cover every member it declares.</summary>
internal static class GeneratedMembers
{
    /// <summary>Members every network has.</summary>
    public static readonly string[] Network =
    [
        "InputHeight", "InputWidth", "InputChannels", "InputLength", "OutputLength", "ParameterCount", "BatchCapacity",
        "LayerFingerprint", "ActivationsPerImage", "MasksPerImage", "Runner", "Parameters", "Gradients", "DropoutSeed",
        "DropoutRate", "DropoutStep", "Description", "InitializeParameters", "Forward", "Predict", "PredictBatch",
        "ComputeGradients", "TrainingLogits", "ComputeLoss", "LayerDescription", "Classify", "ClassifyLogits",
        "BakedParameters", "CreateGpuNetwork", "GpuLaunches", "InError",
    ];

    /// <summary>Those of <see cref="Network"/> that are methods: a user's overload of one is no clash.</summary>
    public static readonly string[] NetworkMethods =
    [
        "Forward", "Predict", "PredictBatch", "ComputeGradients", "TrainingLogits", "ComputeLoss", "InitializeParameters",
        "Classify", "ClassifyLogits", "CreateGpuNetwork",
    ];

    /// <summary>What a layer's members are named after its PascalCase name: <c>Conv1</c> + one of these.</summary>
    public static readonly string[] LayerSuffixes =
    [
        "InputHeight", "InputWidth", "InputChannels", "InputLength", "OutputHeight", "OutputWidth", "OutputChannels",
        "OutputLength", "WeightsOffset", "WeightsLength", "BiasOffset", "BiasLength", "Patch", "Size", "Stride",
        "PadTop", "PadLeft", "Shape", "Window", "ImageOffset", "Output", "OutputGradient", "Forward", "Backward",
        "Rate", "Index", "MaskImageOffset", "Mask", "DepthRadius", "Bias", "Alpha", "Beta", "FlippedWeights",
    ];
}
