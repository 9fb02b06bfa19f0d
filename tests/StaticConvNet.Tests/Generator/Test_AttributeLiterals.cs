using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>Real-valued attribute arguments take the numbers people write: double, float and int literals and
/// constant expressions, each rounded once to the float the network computes with.</summary>
public class Test_AttributeLiterals
{
    [Theory]
    [InlineData("[Dropout(0.5)]", "Dropout1Rate = 0.5f")]
    [InlineData("[Dropout(0.5f)]", "Dropout1Rate = 0.5f")]
    [InlineData("[Dropout(1 / 4.0)]", "Dropout1Rate = 0.25f")]
    [InlineData("[Dropout(0)]", "Dropout1Rate = 0f")]
    [InlineData("[LocalResponseNorm(DepthRadius = 2, Bias = 1, Alpha = 0.001 / 9, Beta = 0.75)]", "Lrn1Alpha = 0.00011111111f")]
    [InlineData("[LocalResponseNorm(Bias = 2.0, Alpha = 1e-4f, Beta = 3)]", "Lrn1Bias = 2f")]
    [InlineData("[LocalResponseNorm(Bias = 2.0, Alpha = 1e-4f, Beta = 3)]", "Lrn1Beta = 3f")]
    [InlineData("[Conv2D(4, Patch = 3, WeightStd = 0.05, BiasInit = 1)]", "std: 0.05f")]
    [InlineData("[Conv2D(4, Patch = 3, WeightStd = 0.05f, BiasInit = 0.1)]", ".Fill(0.1f)")]
    [InlineData("[Conv2D(4, Patch = 3, BiasInit = -1)]", ".Fill(-1f)")]
    public void Every_literal_kind_compiles_and_means_its_value(string layer, string generated)
    {
        var result = GeneratorHarness.Run($$"""
            using StaticConvNet;
            [Network(Height = 6, Width = 6, Channels = 1, Classes = 3)]
            [Conv2D(4, Patch = 3, Name = "first")]
            {{layer}}
            [Dense(3, WeightStd = 0.2, BiasInit = 0)]
            public sealed partial class Literal;
            """);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.SingleSource.ShouldContain(generated);
    }

    /// <summary>A value C# cannot use as an attribute argument is the compiler's error (CS0182) alone: before, the
    /// generator also said the argument "must be positive, but is 0", which was false.</summary>
    [Theory]
    [InlineData("[Dense(Units)]", "CS0182")]
    [InlineData("[Conv2D(4, Patch = Sizes.Patch)]", "CS0182")]
    [InlineData("[Dropout(\"half\")]", "CS1503")]
    public void A_non_constant_argument_is_the_compilers_error_alone(string layer, string error)
    {
        var result = GeneratorHarness.Run($$"""
            using StaticConvNet;
            public static class Sizes { public static int Patch = 3; }
            [Network(Height = 6, Width = 6, Classes = 3)]
            {{layer}}
            [Dense(3)]
            public sealed partial class NotConstant
            {
                public static int Units = 4;
            }
            """);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.Select(e => e.Id).Distinct().ShouldBe([error]);
    }

    [Fact]
    public void A_value_out_of_range_after_rounding_is_still_an_SCN_error_on_the_attribute()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 6, Width = 6, Classes = 3)]
            [Dropout(0.9999999999)]
            [Dense(3)]
            public sealed partial class Rounded;
            """);
        result.Errors.ShouldBeEmpty();
        var d = result.GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0005");
        d.GetMessage().ShouldBe("dropout1: dropout rate must be in [0, 1), but is 1");
    }
}
