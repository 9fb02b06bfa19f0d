using StaticConvNet.Generator.Model;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Emit;

/// <summary>The file of a network in error: the members every network has (its constants, <c>IConvNet</c>, and
/// <c>Classify</c> when it bakes weights), each throwing. The build fails on the SCN error anyway; these members only
/// keep the user's code that uses the network compiling, so that the SCN error is the only error they see, not a dozen
/// CS0117/CS1061 errors burying it.</summary>
internal static class SurfaceEmitter
{
    public static string Emit(NetworkSurface surface)
    {
        var w = new CodeWriter();
        NetworkEmitter.FileHeader(w, surface.Namespace, surface.ClassName, " (only its public surface: its layer stack is in error)");
        w.Line($"// {surface.ClassName} has an error in its attributes, its layer stack or its weights file: see the SCN error.");
        w.Line("// Until it is fixed the class has only the members every network has, and none of them runs.");
        w.Open($"partial class {surface.ClassName} : {Names.Runtime}.IConvNet");
        // The attribute values where they make sense, 0 where they do not: nothing runs, but an IDE shows them.
        var (height, width, channels) = (Positive(surface.InputHeight), Positive(surface.InputWidth), Positive(surface.InputChannels));
        var inputLength = (long)height * width * channels <= int.MaxValue ? height * width * channels : 0;
        w.Line($"public const int InputHeight = {Int(height)};");
        w.Line($"public const int InputWidth = {Int(width)};");
        w.Line($"public const int InputChannels = {Int(channels)};");
        w.Line($"public const int InputLength = {Int(inputLength)};");
        w.Line($"public const int OutputLength = {Int(Positive(surface.Classes))};");
        w.Line("public const int ParameterCount = 0;");
        w.Line($"public const int BatchCapacity = {Int(Positive(surface.BatchCapacity))};");
        w.Line("public const string LayerFingerprint = \"\";");
        w.Line();
        w.Line($"private static global::System.InvalidOperationException InError() => new({String(surface.ClassName + " has an error in its layer attributes (see the SCN error); it was not generated.")});");
        w.Line();
        w.Line($"public static {Names.Runtime}.NetworkDescription LayerDescription => throw InError();");
        w.Line($"public {Names.Runtime}.NetworkDescription Description => throw InError();");
        NetworkEmitter.EmitInterfaceSizes(w);
        w.Line($"public {Names.Span} Parameters => throw InError();");
        w.Line($"public {Names.Span} State => throw InError();");
        w.Line($"public {Names.Span} Gradients => throw InError();");
        w.Line($"public global::System.ReadOnlySpan<{Names.Runtime}.ParameterRange> GradientHalf(int half) => throw InError();");
        w.Line("public ulong DropoutSeed { get => throw InError(); set => throw InError(); }");
        w.Line("public float? DropoutRate { get => throw InError(); set => throw InError(); }");
        w.Line("public ulong DropoutStep { get => throw InError(); set => throw InError(); }");
        w.Line("public void InitializeParameters(int seed) => throw InError();");
        w.Line($"public void Forward({Names.ReadOnlySpan} image, {Names.Span} logits) => throw InError();");
        w.Line($"public int Predict({Names.ReadOnlySpan} image) => throw InError();");
        w.Line($"public void PredictBatch({Names.ReadOnlySpan} images, global::System.Span<int> predictions) => throw InError();");
        w.Line($"public float ComputeGradients({Names.ReadOnlySpan} images, global::System.ReadOnlySpan<int> labels, int count) => throw InError();");
        w.Line($"public {Names.ReadOnlySpan} TrainingLogits(int index) => throw InError();");
        w.Line($"public float ComputeLoss({Names.ReadOnlySpan} images, global::System.ReadOnlySpan<int> labels, int count, bool training = false) => throw InError();");
        if (surface.BakesWeights)
        {
            w.Line($"public static int Classify({Names.ReadOnlySpan} image) => throw InError();");
            w.Line($"public static void ClassifyLogits({Names.ReadOnlySpan} image, {Names.Span} logits) => throw InError();");
            w.Line("public static global::System.Collections.Generic.IReadOnlyList<string> ClassNames => throw InError();");
            w.Line($"public static {Names.ReadOnlySpan} BakedParameters => throw InError();");
        }
        w.Close();
        return w.ToString();
    }

    private static int Positive(int value) => value > 0 ? value : 0;
}
