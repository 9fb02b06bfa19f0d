using Microsoft.CodeAnalysis;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>Baking a weights file into a network at compile time, and the compile errors when it cannot be.</summary>
public class Test_BakedWeights
{
    private const string Network = """
        using StaticConvNet;
        namespace Users;
        [Network(Height = 4, Width = 4, Classes = 3, Weights = "models/tiny.scnw")]
        [Conv2D(2, Patch = 3)]
        [ReLU]
        [Dense(3)]
        public sealed partial class Tiny;
        """;

    private const string Fingerprint = "scn2; in 4x4x1; Conv2D filters=2 patch=3 stride=1 padding=same; ReLU; Dense units=3";

    /// <summary>What files written before fingerprint format 2 carry for the same network.</summary>
    private const string LegacyFingerprint = "in 4x4x1; conv1 Conv2D 2 filters, 3x3, stride 1, SAME -> 4x4x2; relu1 ReLU max(x, 0) -> 4x4x2; dense1 Dense 3 units -> 1x1x3";
    private const int Parameters = 3 * 3 * 1 * 2 + 2 + 32 * 3 + 3;

    private static float[] Values => Enumerable.Range(0, Parameters).Select(i => (i - 50) / 64f).ToArray();

    private static GeneratorHarness.Result Bake(string content, string path = "/src/app/models/tiny.scnw")
        => GeneratorHarness.RunWithFiles([new GeneratorHarness.InMemoryFile(path, content)], Network);

    [Theory]
    [InlineData(Fingerprint)]
    [InlineData(LegacyFingerprint)]
    public void A_matching_weights_file_is_baked_as_constant_data(string fingerprint)
    {
        var result = Bake(WeightsFile.Format("Tiny", fingerprint, Values));
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        var source = result.SingleSource;
        source.ShouldContain("public static global::System.ReadOnlySpan<float> BakedParameters =>");
        source.ShouldContain("-0.78125f, -0.765625f,"); // (0 − 50) / 64 and (1 − 50) / 64, exactly
        source.ShouldContain("public static int Classify(global::System.ReadOnlySpan<float> image)");
    }

    [Fact]
    public void A_network_of_blocks_bakes_and_gives_the_logits_of_the_network_the_weights_came_from()
    {
        var trained = new InceptionNet();
        trained.InitializeParameters(5);
        var file = WeightsFile.Format(trained.Description.Name, trained.Description.Fingerprint, trained.Parameters.ToArray(), LabelNames.Letters);
        var source = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "src", "Models", "InceptionNet.cs"))
            .Replace("Classes = 10)]", "Classes = 10, Weights = \"inception.scnw\")]");
        var result = GeneratorHarness.RunWithFiles([new GeneratorHarness.InMemoryFile("/src/app/inception.scnw", file)], source);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();

        var baked = (IConvNet)Activator.CreateInstance(result.Load().GetType("StaticConvNet.Models.InceptionNet")!)!;
        var image = ReferenceNets.Random(28 * 28, 9, 1f);
        var (expected, actual) = (new float[10], new float[10]);
        trained.Forward(image, expected);
        baked.Forward(image, actual);
        actual.ShouldBe(expected); // the same code and the same weights: the same bits
    }

    [Fact]
    public void A_network_with_BatchNorm_bakes_its_running_statistics_too()
    {
        const string source = """
            using StaticConvNet;
            [Network(Height = 3, Width = 4, Channels = 3, Classes = 2, Weights = "bn.scnw")]
            [BatchNorm]
            [Conv2D(4, Patch = 2)]
            [Dense(2)]
            public sealed partial class BatchNormFirstNet;
            """;
        var (trained, images, labels) = ReferenceNets.Setup(ReferenceNets.All["BatchNormFirst"], batch: 4);
        trained.ComputeGradients(images, labels, 4); // moves the running statistics
        var file = WeightsFile.Format(trained.Description.Name, trained.Description.Fingerprint, trained.Parameters.ToArray(), state: trained.State.ToArray());
        var result = GeneratorHarness.RunWithFiles([new GeneratorHarness.InMemoryFile("/app/bn.scnw", file)], source);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        var baked = (IConvNet)Activator.CreateInstance(result.Load().GetType("BatchNormFirstNet")!)!;
        baked.State.ToArray().ShouldBe(trained.State.ToArray());
        var (expected, actual) = (new float[2], new float[2]);
        trained.Forward(images.AsSpan(0, 36), expected);
        baked.Forward(images.AsSpan(0, 36), actual);
        actual.ShouldBe(expected);

        var stateless = WeightsFile.Format(trained.Description.Name, trained.Description.Fingerprint, trained.Parameters.ToArray());
        var d = GeneratorHarness.RunWithFiles([new GeneratorHarness.InMemoryFile("/app/bn.scnw", stateless)], source).GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0015");
        d.GetMessage().ShouldEndWith("it holds 0 floats of running statistics, but the network's BatchNorm layers keep 6");
    }

    [Fact]
    public void The_files_class_names_are_baked_as_ClassNames_and_without_them_the_label_numbers()
    {
        var named = Bake(WeightsFile.Format("Tiny", Fingerprint, Values, ["cat", "dog \"Rex\"", "fox"]));
        named.Errors.ShouldBeEmpty();
        var type = named.Load().GetType("Users.Tiny")!;
        type.GetProperty("ClassNames")!.GetValue(null).ShouldBe(new[] { "cat", "dog \"Rex\"", "fox" });
        var unnamed = Bake(WeightsFile.Format("Tiny", Fingerprint, Values)).Load().GetType("Users.Tiny")!;
        unnamed.GetProperty("ClassNames")!.GetValue(null).ShouldBe(new[] { "0", "1", "2" });
    }

    [Theory]
    [InlineData("classes: 3\n", "classes: 4\n", "it names 4 classes, but the network has 3")]
    [InlineData("class 1: dog\n", "", "it names 3 classes but has no 'class 1:' line")]
    [InlineData("class 2: fox", "class 2: cat", "it names two classes 'cat'")]
    public void SCN0015_class_names_that_do_not_fit(string replace, string with, string message)
    {
        var content = WeightsFile.Format("Tiny", Fingerprint, Values, ["cat", "dog", "fox"]).Replace(replace, with);
        var d = Bake(content).GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0015");
        d.GetMessage().ShouldBe($"Weights file 'models/tiny.scnw' cannot be baked into 'Tiny': {message}");
    }

    [Theory]
    [InlineData("public Tiny(string label) { Label = label; }", new object[] { "mine" })]
    [InlineData("public Tiny() { Label = \"mine\"; }", new object[0])]
    public void A_network_with_its_own_constructor_still_starts_from_the_baked_weights(string constructor, object[] arguments)
    {
        var source = Network.Replace("public sealed partial class Tiny;",
            $"public sealed partial class Tiny {{ {constructor} public string Label {{ get; }} public static int ClassifyArray(float[] image) => Classify(image); }}");
        var result = GeneratorHarness.RunWithFiles([new GeneratorHarness.InMemoryFile("/src/app/models/tiny.scnw", WeightsFile.Format("Tiny", Fingerprint, Values))], source);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();

        var type = result.Load().GetType("Users.Tiny")!;
        var network = (IConvNet)Activator.CreateInstance(type, arguments)!;
        type.GetProperty("Label")!.GetValue(network).ShouldBe("mine");
        network.Parameters.ToArray().ShouldBe(Values);
        // Classify makes its own instances, with or without a parameterless constructor of the user's.
        var image = Enumerable.Range(0, 16).Select(i => i / 16f - 0.5f).ToArray();
        type.GetMethod("ClassifyArray")!.Invoke(null, [image]).ShouldBe(network.Predict(image));
    }

    [Fact]
    public void SCN0014_a_weights_file_that_is_not_an_additional_file()
    {
        var d = GeneratorHarness.Run(Network).GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0014");
        d.Location.GetLineSpan().StartLinePosition.Line.ShouldBe(2);
        d.GetMessage().ShouldBe("Weights file 'models/tiny.scnw' named on 'Tiny' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"models/tiny.scnw\" /> to the project file");
    }

    [Theory]
    [InlineData("damaged", "its data has SHA-256")]
    [InlineData("truncated", "the file is truncated or damaged")]
    [InlineData("binary", "it does not start with '# StaticConvNet weights, format 1' (is it a binary checkpoint?")]
    public void SCN0015_a_damaged_weights_file(string damage, string fragment)
    {
        var good = WeightsFile.Format("Tiny", Fingerprint, Values);
        var lines = good.Split('\n');
        var content = damage switch
        {
            "damaged" => good.Replace(lines[7], lines[7][..10] + (lines[7][10] == 'A' ? 'B' : 'A') + lines[7][11..]), // lines[7]: first data line
            "truncated" => string.Join('\n', lines[..^3]),
            _ => "SCNCKPT\0\u0001\u0000binary",
        };
        var d = Bake(content).GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0015");
        d.GetMessage().ShouldStartWith("Weights file 'models/tiny.scnw' cannot be baked into 'Tiny': ");
        d.GetMessage().ShouldContain(fragment);
    }

    /// <summary>SCN0016 names where the file's layer stack first differs and what each side has there, not both
    /// fingerprints whole; the first case is the example in docs/diagnostics.md.</summary>
    [Theory]
    [InlineData("filters=2", "filters=4", "layer 1 ('conv1')", "'Conv2D filters=4 patch=3 stride=1 padding=same'", "'Conv2D filters=2 patch=3 stride=1 padding=same'")]
    [InlineData("in 4x4x1", "in 5x4x1", "the input", "'in 5x4x1'", "'in 4x4x1'")]
    [InlineData("; ReLU;", ";", "layer 2 ('relu1')", "'Dense units=3'", "'ReLU'")]
    [InlineData("units=3", "units=3; Dense units=3", "layer 4", "'Dense units=3'", "no layer 4")]
    [InlineData("; Dense units=3", "", "layer 3 ('dense1')", "no layer 3", "'Dense units=3'")]
    public void SCN0016_names_the_first_difference(string replace, string with, string where, string fileHas, string networkHas)
    {
        var d = Bake(WeightsFile.Format("Tiny", Fingerprint.Replace(replace, with), Values)).GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0016");
        d.GetMessage().ShouldBe($"Weights file 'models/tiny.scnw' (written for 'Tiny') differs from 'Tiny' at {where}: the file has {fileHas} where 'Tiny' has {networkHas}; retrain, or bake a file written for this network");
        if (where.StartsWith("layer 1", StringComparison.Ordinal))
            File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "docs", "diagnostics.md")).ShouldContain($"`{d.GetMessage()}`");
    }

    [Fact]
    public void SCN0016_compares_a_format_1_file_with_the_format_1_text()
    {
        var other = LegacyFingerprint.Replace("relu1 ReLU", "act ReLU");
        var d = Bake(WeightsFile.Format("Tiny", other, Values)).GeneratorDiagnostics.ShouldHaveSingleItem();
        d.GetMessage().ShouldContain("at layer 2 ('relu1'): the file has 'act ReLU max(x, 0) -> 4x4x2' where 'Tiny' has 'relu1 ReLU max(x, 0) -> 4x4x2'");
    }

    [Fact]
    public void The_fingerprint_the_generator_checks_is_the_one_checkpoints_carry()
    {
        // WeightsFile writes Description.Fingerprint; the generator recomputes it from the attributes.
        var result = GeneratorHarness.Run(File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "src", "Models", "Arch2ConvPool.cs")));
        result.SingleSource.ShouldContain($"public const string LayerFingerprint = \"{Arch2ConvPool.LayerFingerprint}\";");
    }
}
