using System.Reflection;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>A network's identity comes from its structure: what decides the computation and the parameter layout,
/// not names, initialisers, checks or display text.</summary>
public class Test_Fingerprint
{
    private const string Stack = """
        using StaticConvNet;
        [Network(Height = 9, Width = 7, Channels = 2, Classes = 3)]
        [Conv2D(4, Patch = 3, Stride = 2, Name = "conv1")]
        [Tanh]
        [AvgPool(2, Padding = Padding.Valid)]
        [Dropout(0.25f)]
        [Dense(3)]
        public sealed partial class Net;
        """;

    private static string FingerprintOf(string source)
    {
        var result = GeneratorHarness.Run(source);
        result.Errors.ShouldBeEmpty();
        var type = result.Load().GetType("Net")!;
        return (string)type.GetField("LayerFingerprint", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }

    [Fact]
    public void It_lists_the_input_and_every_layer_kind_with_its_structural_arguments()
        => FingerprintOf(Stack).ShouldBe("scn2; in 9x7x2; Conv2D filters=4 patch=3 stride=2 padding=same; Tanh; AvgPool size=2 stride=2 padding=valid; Dropout rate=0.25; Dense units=3");

    [Theory]
    [InlineData("Name = \"conv1\"", "Name = \"features\"")]
    [InlineData("Patch = 3, Stride = 2,", "Patch = 3, Stride = 2, WeightStd = 0.5f, BiasInit = 0.1f,")]
    [InlineData("[Dense(3)]", "[ExpectShape(2, 2, 4)]\n[Dense(3)]")]
    public void Names_initialisers_and_checks_do_not_change_it(string from, string to)
        => FingerprintOf(Stack.Replace(from, to)).ShouldBe(FingerprintOf(Stack));

    [Theory]
    [InlineData("Stride = 2,", "Stride = 1,")]
    [InlineData("[Conv2D(4,", "[Conv2D(5,")]
    [InlineData("[AvgPool(2, Padding = Padding.Valid)]", "[MaxPool(2, Padding = Padding.Valid)]")]
    [InlineData("[AvgPool(2, Padding = Padding.Valid)]", "[AvgPool(2)]")]
    [InlineData("[Tanh]", "[ReLU]")]
    [InlineData("0.25f", "0.5f")]
    [InlineData("Channels = 2", "Channels = 1")]
    public void Anything_that_changes_the_computation_changes_it(string from, string to)
        => FingerprintOf(Stack.Replace(from, to)).ShouldNotBe(FingerprintOf(Stack));

    /// <summary>What every checkpoint and .scnw written before fingerprint format 2 carries, copied from the
    /// generated code of that time: these must never change, or those files stop loading.</summary>
    public static TheoryData<string, string> FormatOneFingerprints => new()
    {
        { "Arch1StridedConv", "in 28x28x1; conv1 Conv2D 16 filters, 5x5, stride 2, SAME -> 14x14x16; relu1 ReLU max(x, 0) -> 14x14x16; conv2 Conv2D 16 filters, 5x5, stride 2, SAME -> 7x7x16; relu2 ReLU max(x, 0) -> 7x7x16; hidden Dense 64 units -> 1x1x64; relu3 ReLU max(x, 0) -> 1x1x64; logits Dense 10 units -> 1x1x10" },
        { "Arch2ConvPool", "in 28x28x1; conv1 Conv2D 16 filters, 5x5, stride 1, SAME -> 28x28x16; relu1 ReLU max(x, 0) -> 28x28x16; pool1 MaxPool 2x2, stride 2, SAME -> 14x14x16; conv2 Conv2D 16 filters, 5x5, stride 1, SAME -> 14x14x16; relu2 ReLU max(x, 0) -> 14x14x16; pool2 MaxPool 2x2, stride 2, SAME -> 7x7x16; hidden Dense 64 units -> 1x1x64; relu3 ReLU max(x, 0) -> 1x1x64; logits Dense 10 units -> 1x1x10" },
        { "Arch3ThreeBlocks", "in 28x28x1; conv1 Conv2D 16 filters, 5x5, stride 1, SAME -> 28x28x16; relu1 ReLU max(x, 0) -> 28x28x16; pool1 MaxPool 2x2, stride 2, SAME -> 14x14x16; conv2 Conv2D 16 filters, 5x5, stride 1, SAME -> 14x14x16; relu2 ReLU max(x, 0) -> 14x14x16; pool2 MaxPool 2x2, stride 2, SAME -> 7x7x16; conv3 Conv2D 16 filters, 5x5, stride 1, SAME -> 7x7x16; relu3 ReLU max(x, 0) -> 7x7x16; pool3 MaxPool 2x2, stride 2, SAME -> 4x4x16; hidden Dense 64 units -> 1x1x64; relu4 ReLU max(x, 0) -> 1x1x64; logits Dense 10 units -> 1x1x10" },
        { "Arch4LeNet", "in 28x28x1; conv1 Conv2D 16 filters, 5x5, stride 1, SAME -> 28x28x16; relu1 ReLU max(x, 0) -> 28x28x16; dropout1 Dropout rate 0.5 -> 28x28x16; pool1 MaxPool 2x2, stride 2, SAME -> 14x14x16; norm1 LocalResponseNorm depth radius 4, bias 1, alpha 0.00011111112, beta 0.75 -> 14x14x16; conv2 Conv2D 16 filters, 5x5, stride 1, SAME -> 14x14x16; relu2 ReLU max(x, 0) -> 14x14x16; pool2 MaxPool 2x2, stride 2, SAME -> 7x7x16; conv3 Conv2D 16 filters, 5x5, stride 1, SAME -> 7x7x16; relu3 ReLU max(x, 0) -> 7x7x16; hidden Dense 64 units -> 1x1x64; relu4 ReLU max(x, 0) -> 1x1x64; logits Dense 10 units -> 1x1x10" },
    };

    [Theory]
    [MemberData(nameof(FormatOneFingerprints))]
    public void Each_model_still_knows_the_fingerprint_files_of_format_1_carry(string model, string fingerprint)
        => ModelCatalog.Find(model)!.Create().Description.LegacyFingerprint.ShouldBe(fingerprint);

    [Fact]
    public void Kinds_added_since_format_1_have_no_legacy_fingerprint()
        => LeNet5.LayerDescription.LegacyFingerprint.ShouldBeNull();
}
