using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit;

/// <summary>How a layer's GPU launches name their buffers: whole-batch views on the device.</summary>
internal static class Gpu
{
    public static string InputOf(ResolvedLayer l) => l.ReadsImage ? "Images" : $"{l.InputSource}Output";

    public static string InputGradientOf(ResolvedLayer l) => l.InputGradientOffset >= 0 ? $"{l.Pascal}InputGradient0" : $"{l.InputSource}OutputGradient";

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
