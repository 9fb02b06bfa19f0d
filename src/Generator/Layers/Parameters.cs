using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary>What the kinds with weights and biases (Conv2D, Dense) share: their initialiser's arguments and how
/// InitializeParameters fills them.</summary>
internal static class Parameters
{
    public static void CheckInitializer(AttributeReader a, float weightStd, float biasInit)
    {
        a.RequireFinite("WeightStd", weightStd, allowNegative: false);
        a.RequireFinite("BiasInit", biasInit);
    }

    /// <summary>Truncated-normal weights (TensorFlow's initialiser), constant biases.</summary>
    public static void EmitInitializer(CodeWriter w, ResolvedLayer l, float weightStd, float biasInit, int stream)
    {
        var p = l.Pascal;
        w.Line($"{Names.Training}.ParameterInit.TruncatedNormal(new {Names.Span}(_parameters, {p}WeightsOffset, {p}WeightsLength), std: {Float(weightStd)}, seed, stream: {Int(stream)});");
        w.Line($"new {Names.Span}(_parameters, {p}BiasOffset, {p}BiasLength).Fill({Float(biasInit)});");
    }

    /// <summary>The backward launches of a layer with weights and biases: its weight gradient, its bias gradient (each
    /// channel's output gradient summed over <paramref name="biasRows"/> rows) and, unless it reads the image, its
    /// input gradient. <paramref name="weightGradient"/> and <paramref name="inputGradient"/> are kernel calls.</summary>
    public static void EmitGpuBackward(CodeWriter w, ResolvedLayer l, string weightGradient, string biasRows, string inputGradient)
    {
        var p = l.Pascal;
        w.Open($"private void {p}Backward(int count)");
        w.Line($"Kernels.{weightGradient};");
        w.Line($"Kernels.Bias({p}BiasLength, {p}OutputGradient, {Gpu.BiasGradients(l)}, {biasRows}, {p}OutputChannels);");
        if (!l.ReadsImage) w.Line($"Kernels.{inputGradient};");
        w.Close();
    }
}
