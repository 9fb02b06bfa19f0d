using Microsoft.CodeAnalysis;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>A network in error still declares what every network has (constants, <c>IConvNet</c>, <c>Classify</c>
/// when it bakes weights), so the user's code that uses it compiles and the one mistake is the one error, instead of
/// a dozen CS0117/CS1061 errors around it.</summary>
public class Test_OneMistakeOneError
{
    /// <summary>What a user's program does with a network: every member all networks share.</summary>
    private const string Usage = """
        static class Usage
        {
            static float Use()
            {
                var network = new Broken();
                network.InitializeParameters(seed: 1);
                System.Span<float> image = stackalloc float[Broken.InputLength];
                System.Span<float> logits = stackalloc float[Broken.OutputLength];
                network.Forward(image, logits);
                network.PredictBatch(image, new int[1]);
                network.DropoutSeed = 2; network.DropoutStep = 3; network.DropoutRate = 0.5f;
                StaticConvNet.IConvNet asInterface = network;
                var text = network.Summary() + asInterface.Description + Broken.LayerDescription + Broken.LayerFingerprint;
                return network.Predict(image) + Broken.ParameterCount + Broken.BatchCapacity + Broken.InputHeight * Broken.InputWidth * Broken.InputChannels
                    + network.Parameters[0] + network.Gradients[0] + network.ComputeGradients(image, new int[1], 1)
                    + network.ComputeLoss(image, new int[1], 1, training: true) + network.TrainingLogits(0)[0] + text.Length;
            }
        }
        """;

    [Theory]
    [InlineData("[Conv2D(16, Patch = 5, Stride = 2)] [ExpectShape(7, 7, 16)] [Dense(10)]", "SCN0008")]
    [InlineData("[Conv2D(16, Patch = 5)] [Dense(0)]", "SCN0004")]
    [InlineData("[Conv2D(16, Patch = 40, Padding = Padding.Valid)] [Dense(10)]", "SCN0006")]
    [InlineData("[Conv2D(16, Patch = 5)] [Dense(7)]", "SCN0007")]
    [InlineData("[Conv2D(16, Patch = 5)] [Dropout(1.5)] [Dense(10)]", "SCN0005")]
    [InlineData("[Conv2D(16, Patch = 5, Name = \"1st\")] [Dense(10)]", "SCN0011")]
    [InlineData("[Conv2D(16, Patch = Sizes.Patch)] [Dense(10)]", "CS0182")]
    public void A_network_in_error_gives_its_one_error_and_the_code_using_it_compiles(string layers, string error)
    {
        var result = GeneratorHarness.Run($$"""
            using StaticConvNet;
            public static class Sizes { public static int Patch = 5; }
            [Network(Height = 28, Width = 28, Classes = 10)]
            {{layers}}
            public sealed partial class Broken;
            {{Usage}}
            """);
        Errors(result).ShouldBe([error]);
        result.GeneratedSources.Keys.ShouldBe(["Broken.g.cs"]);
        result.GeneratedSources["Broken.g.cs"].ShouldContain("only its public surface");
    }

    [Fact]
    public void A_network_whose_weights_file_is_missing_still_has_Classify()
    {
        var result = GeneratorHarness.Run($$"""
            using StaticConvNet;
            [Network(Height = 28, Width = 28, Classes = 10, Weights = "missing.scnw")]
            [Conv2D(16, Patch = 5)]
            [Dense(10)]
            public sealed partial class Broken;
            {{Usage}}
            static class BakedUsage
            {
                static int Use(float[] image) { Broken.ClassifyLogits(image, new float[10]); return Broken.Classify(image) + Broken.BakedParameters.Length; }
            }
            """);
        Errors(result).ShouldBe(["SCN0014"]);
    }

    [Fact]
    public void The_surface_takes_attribute_values_that_make_sense_and_zero_for_the_rest()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 65536, Width = 65536, Channels = 2, Classes = -3)]
            [Dense(10)]
            public sealed partial class Broken;
            """);
        var surface = result.GeneratedSources["Broken.g.cs"];
        surface.ShouldContain("public const int InputHeight = 65536;");
        surface.ShouldContain("public const int InputLength = 0;", customMessage: "65536 x 65536 x 2 does not fit an int: no CS0220 here");
        surface.ShouldContain("public const int OutputLength = 0;");
        result.Errors.Where(e => e.Id.StartsWith("CS")).ShouldBeEmpty();
    }

    [Fact]
    public void A_class_that_cannot_take_generated_members_gets_no_surface()
    {
        var record = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 28, Width = 28, Classes = 10)]
            [Dense(10)]
            public sealed partial record Broken;
            """);
        record.GeneratedSources.ShouldBeEmpty();
        var clash = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 28, Width = 28, Classes = 10)]
            [Dense(10)]
            public sealed partial class Broken { public int InputLength => 3; }
            """);
        clash.GeneratedSources.ShouldBeEmpty();
        Errors(clash).ShouldBe(["SCN0024"]);
        // The clash is found even when a layer name is invalid too: no surface, so no CS0102 beside the SCN errors.
        var both = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 28, Width = 28, Classes = 10)]
            [Dense(10, Name = "1st")]
            public sealed partial class Broken { public int InputLength => 3; }
            """);
        both.GeneratedSources.ShouldBeEmpty();
        Errors(both).Order().ShouldBe(["SCN0011", "SCN0024"]);
    }

    private static List<string> Errors(GeneratorHarness.Result result)
        => result.GeneratorDiagnostics.Concat(result.Errors).Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.Id).Distinct().ToList();
}
