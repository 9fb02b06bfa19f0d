using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary>What the kinds with weights and biases (Conv2D, Dense) share: their initialiser's arguments and how
/// InitializeParameters fills them.</summary>
internal static class Parameters
{
    /// <summary>The members a layer with weights and biases has, named after it.</summary>
    public static readonly string[] MemberSuffixes = ["WeightsOffset", "WeightsLength", "BiasOffset", "BiasLength"];

    public static void CheckInitializer(AttributeReader a, float weightStd, float biasInit)
    {
        a.RequireFinite("WeightStd", weightStd, allowNegative: false);
        a.RequireFinite("BiasInit", biasInit);
    }

    /// <summary>Truncated-normal weights (TensorFlow's initialiser), constant biases.</summary>
    public static void EmitInitializer(CodeWriter w, ResolvedLayer l, float weightStd, float biasInit, int stream)
    {
        var p = l.Pascal;
        w.Line($"{Names.Runtime}.ParameterInit.TruncatedNormal(new {Names.Span}(_parameters, {p}WeightsOffset, {p}WeightsLength), std: {Float(weightStd)}, seed, stream: {Int(stream)});");
        w.Line($"new {Names.Span}(_parameters, {p}BiasOffset, {p}BiasLength).Fill({Float(biasInit)});");
    }

    /// <summary>The backward launches of a layer with weights and biases: its weight and bias gradients (one split
    /// reduction over the batch; the bias follows the weights in the parameters, so one view holds both) and, unless it
    /// reads the image, its input gradient, all through the layer's shape <c>{shapeName}</c>. <paramref name="kind"/> is
    /// the kernels' stem ("Conv", "Dense").</summary>
    public static void EmitGpuBackward(CodeWriter w, ResolvedLayer l, string kind, string shapeName)
    {
        var p = l.Pascal;
        w.Open($"private void {p}Backward(int count)");
        w.Line($"Kernels.{kind}WeightGradient(count, {Gpu.InputOf(l)}, {p}OutputGradient, Gradients({p}WeightsOffset, {p}WeightsLength + {p}BiasLength), {shapeName});");
        if (!l.ReadsImage) w.Line($"Kernels.{kind}InputGradient(count, {Gpu.Weights(l)}, {p}OutputGradient, {Gpu.InputGradientOf(l)}, {shapeName});");
        w.Close();
    }

    /// <summary>The forward launch of a layer with weights and biases: one tiled product, bias (and a ReLU the plan
    /// runs in its store) applied as it stores.</summary>
    public static void EmitGpuForward(CodeWriter w, ResolvedLayer l, string kind, string shapeName)
    {
        if (l.StoresRelu) w.Line($"// Stores max(x, 0): the ReLU after {l.Spec.Name} runs here, in this buffer.");
        Gpu.ForwardMethod(w, l, $"Kernels.{kind}Forward(count, {Gpu.InputOf(l)}, {Gpu.Weights(l)}, {Gpu.Bias(l)}, {l.Pascal}Output, {shapeName}, relu: {(l.StoresRelu ? "true" : "false")})");
    }
}
