using Microsoft.CodeAnalysis;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>One test per diagnostic: its id, the line it points at (the offending attribute), and its message.</summary>
public class Test_Diagnostics
{
    private static Diagnostic Single(string source)
    {
        var result = GeneratorHarness.Run(source);
        result.GeneratedSources.Values.ShouldAllBe(source => source.Contains("only its public surface"),
            "a network with an error generates its public surface only (Test_OneMistakeOneError)");
        return result.GeneratorDiagnostics.ShouldHaveSingleItem();
    }

    /// <summary>1-based line of the diagnostic, as the IDE shows it.</summary>
    private static int Line(Diagnostic d) => d.Location.GetLineSpan().StartLinePosition.Line + 1;

    private static void ShouldBe(Diagnostic d, string id, int line, string message)
    {
        d.Id.ShouldBe(id);
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
        Line(d).ShouldBe(line);
        d.GetMessage().ShouldBe(message);
    }

    [Fact]
    public void SCN0001_class_not_partial()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Dense(2)]
            public sealed class Plain;
            """);
        ShouldBe(d, "SCN0001", 4, "Network class 'Plain' must be declared 'partial' so the generated layers can be added to it");
        d.Location.GetLineSpan().StartLinePosition.Character.ShouldBe("public sealed class ".Length, "it underlines the class name");
        d.Location.SourceSpan.Length.ShouldBe("Plain".Length);
    }

    [Fact]
    public void SCN0002_layers_without_network()
    {
        var d = Single("""
            using StaticConvNet;
            [Conv2D(4, Patch = 3)]
            [Dense(2)]
            public sealed partial class Forgotten;
            """);
        ShouldBe(d, "SCN0002", 2, "Class 'Forgotten' has layer attributes but no [Network] attribute giving its input size and classes (or [Block], for a piece of network used by others)");
    }

    [Fact]
    public void SCN0002_covers_the_new_layer_kinds()
    {
        var d = Single("""
            using StaticConvNet;
            [Tanh]
            [AvgPool(2)]
            public sealed partial class Loose;
            """);
        ShouldBe(d, "SCN0002", 2, "Class 'Loose' has layer attributes but no [Network] attribute giving its input size and classes (or [Block], for a piece of network used by others)");
    }

    [Fact]
    public void SCN0003_no_layers()
    {
        var d = Single("""
            using StaticConvNet;

            [Network(Height = 8, Width = 8, Classes = 3)]
            public sealed partial class Empty;
            """);
        ShouldBe(d, "SCN0003", 3, "Network 'Empty' has no layers: add layer attributes such as [Conv2D(16, Patch = 5)] and a final [Dense(3)]");
    }

    [Fact]
    public void SCN0004_non_positive_argument_names_layer_and_argument()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Conv2D(4, Patch = 3)]
            [Conv2D(0, Patch = 3)]
            [Dense(2)]
            public sealed partial class ZeroFilters;
            """);
        ShouldBe(d, "SCN0004", 4, "conv2: filters must be positive, but is 0");
    }

    [Theory]
    [InlineData("[MaxPool(2, Stride = 0)]", "pool1: Stride must be positive, but is 0")]
    [InlineData("[MaxPool(-2)]", "pool1: size must be positive, but is -2")]
    [InlineData("[AvgPool(0)]", "avgpool1: size must be positive, but is 0")]
    [InlineData("[AvgPool(2, Stride = -3)]", "avgpool1: Stride must be positive, but is -3")]
    [InlineData("[Conv2D(4, Patch = 3, Stride = -1)]", "conv1: Stride must be positive, but is -1")]
    [InlineData("[Dense(0, Name = \"bottleneck\")]", "bottleneck: units must be positive, but is 0")]
    public void SCN0004_covers_every_size_argument(string layer, string message)
    {
        var d = Single($$"""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            {{layer}}
            [Dense(2)]
            public sealed partial class Bad;
            """);
        ShouldBe(d, "SCN0004", 3, message);
    }

    [Fact]
    public void SCN0004_network_input_size()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 0, Width = 8, Classes = 2)]
            [Dense(2)]
            public sealed partial class NoHeight;
            """);
        ShouldBe(d, "SCN0004", 2, "[Network] on 'NoHeight': Height must be positive, but is 0");
    }

    [Theory]
    [InlineData("1f", "1")]
    [InlineData("-0.25f", "-0.25")]
    public void SCN0005_dropout_rate_out_of_range(string rate, string shown)
    {
        var d = Single($$"""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Dropout({{rate}})]
            [Dense(2)]
            public sealed partial class Dropper;
            """);
        ShouldBe(d, "SCN0005", 3, $"dropout1: dropout rate must be in [0, 1), but is {shown}");
    }

    [Fact]
    public void SCN0006_valid_window_larger_than_input_names_the_producer_and_shape()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 12, Width = 12, Classes = 10)]
            [Conv2D(16, Patch = 5)]
            [MaxPool(2, Name = "pool1")]
            [MaxPool(2, Name = "pool2")]
            [Conv2D(16, Patch = 5, Padding = Padding.Valid, Name = "conv3")]
            [Dense(10)]
            public sealed partial class TooDeep;
            """);
        ShouldBe(d, "SCN0006", 6, "conv3: 5x5 VALID convolution needs an input of at least 5x5, but pool2 outputs 3x3x16");
    }

    [Fact]
    public void SCN0006_average_pooling_window_larger_than_input()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 5, Width = 4, Channels = 3, Classes = 2)]
            [Tanh]
            [AvgPool(3, Stride = 1, Padding = Padding.Valid)]
            [AvgPool(3, Padding = Padding.Valid, Name = "shrink")]
            [Dense(2)]
            public sealed partial class Shrinking;
            """);
        ShouldBe(d, "SCN0006", 5, "shrink: 3x3 VALID average pooling needs an input of at least 3x3, but avgpool1 outputs 3x2x3");
    }

    [Fact]
    public void SCN0006_first_layer_blames_the_network_input()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 3, Width = 9, Classes = 2)]
            [MaxPool(4, Padding = Padding.Valid)]
            [Dense(2)]
            public sealed partial class Tiny;
            """);
        ShouldBe(d, "SCN0006", 3, "pool1: 4x4 VALID max pooling needs an input of at least 4x4, but the network input outputs 3x9x1");
    }

    [Fact]
    public void SCN0007_last_layer_not_dense_with_classes_units()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 10)]
            [Conv2D(4, Patch = 3)]
            [Dense(64)]
            public sealed partial class NoLogits;
            """);
        ShouldBe(d, "SCN0007", 4, "Network 'NoLogits' must end with [Dense(10)] (one unit per class) to produce logits, but its last layer dense1 outputs 1x1x64");
    }

    [Fact]
    public void SCN0007_when_the_stack_ends_in_a_convolution()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 10)]
            [Conv2D(4, Patch = 3)]
            [ReLU]
            public sealed partial class NoHead;
            """);
        ShouldBe(d, "SCN0007", 4, "Network 'NoHead' must end with [Dense(10)] (one unit per class) to produce logits, but its last layer relu1 outputs 8x8x4");
    }

    [Fact]
    public void SCN0008_expect_shape_mismatch_shows_expected_and_actual()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 28, Width = 28, Classes = 10)]
            [Conv2D(16, Patch = 5, Stride = 2)]
            [ExpectShape(7, 7, 16)]
            [Dense(10)]
            public sealed partial class Wrong;
            """);
        ShouldBe(d, "SCN0008", 4, "expect1: expected shape 7x7x16, but conv1 outputs 14x14x16");
    }

    [Fact]
    public void SCN0009_layers_split_across_partial_declarations()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Conv2D(4, Patch = 3)]
            public sealed partial class Split;
            """, """
            using StaticConvNet;
            [Dense(2)]
            public sealed partial class Split;
            """);
        var d = result.GeneratorDiagnostics.ShouldHaveSingleItem();
        ShouldBe(d, "SCN0009", 2, "Network 'Split' declares layers in 2 partial declarations; put all layer attributes on one declaration so their order is defined");
    }

    /// <summary>The layer stack of <paramref name="layer"/> then [Dense(2)], on an 8x8 input: its one diagnostic.</summary>
    private static Diagnostic SingleForLayer(string layer) => Single($$"""
        using StaticConvNet;
        [Network(Height = 8, Width = 8, Classes = 2)]
        {{layer}}
        [Dense(2)]
        public sealed partial class Odd;
        """);

    [Fact]
    public void SCN0010_padding_that_is_neither_same_nor_valid()
        => ShouldBe(SingleForLayer("[Conv2D(4, Patch = 3, Padding = (Padding)7)]"), "SCN0010", 3,
            "conv1: Padding must be Padding.Same or Padding.Valid, but is 7");

    [Fact]
    public void SCN0019_required_argument_missing()
        => ShouldBe(SingleForLayer("[Conv2D(4)]"), "SCN0019", 3, "conv1: Patch is required, e.g. [Conv2D(16, Patch = 5)]");

    [Theory]
    [InlineData("[LocalResponseNorm(Bias = 0f)]", "lrn1: Bias must be a finite number above 0 (it is raised to -Beta), but is 0")]
    [InlineData("[Dense(3, WeightStd = -0.1f)]", "dense1: WeightStd must be a finite number of 0 or more, but is -0.1")]
    [InlineData("[Conv2D(3, Patch = 2, BiasInit = float.NaN)]", "conv1: BiasInit must be a finite number, but is NaN")]
    [InlineData("[BatchNorm(Epsilon = 0)]", "bn1: Epsilon must be a finite number above 0 (it keeps the square root above zero), but is 0")]
    [InlineData("[BatchNorm(Momentum = 1.5)]", "bn1: Momentum must be a finite number in (0, 1] (the weight of a batch in the running statistics), but is 1.5")]
    public void SCN0020_argument_not_a_finite_number_in_range(string layer, string message)
        => ShouldBe(SingleForLayer(layer), "SCN0020", 3, message);

    [Theory]
    [InlineData("[Dense(32)]\n[Conv2D(16, Patch = 5)]", "conv1: [Conv2D] after dense1 slides over a 1x1x32 input: dense1 flattened the 8x8x1 image into 64 values; put convolutions and pooling before the dense layers")]
    [InlineData("[Dense(5)]\n[ReLU]\n[Dense(7)]\n[MaxPool(2)]", "pool1: [MaxPool] after dense1 slides over a 1x1x7 input: dense1 flattened the 8x8x1 image into 64 values; put convolutions and pooling before the dense layers")]
    public void SCN0025_a_window_layer_after_a_dense_layer_says_the_image_was_flattened(string layers, string message)
    {
        var d = SingleForLayer(layers);
        d.Id.ShouldBe("SCN0025");
        d.GetMessage().ShouldBe(message);
        Line(d).ShouldBe(3 + layers.Count(c => c == '\n'), "on the window layer's attribute");
    }

    /// <summary>A network using blocks, with <paramref name="uses"/> after an 8x8x4 convolution (on line 12),
    /// and the blocks below it: Keep (3x3, 4 channels, keeps the shape), Halve (stride 2, 6 channels), Project
    /// (1x1 stride 2, 6 channels), Wide (1x1, 8 channels).</summary>
    private static string WithBlocks(string uses, string blocks = "") => $$"""
        using StaticConvNet;
        [Block]
        [Conv2D(4, Patch = 3)]
        public sealed class Keep;
        [Block]
        [Conv2D(6, Patch = 3, Stride = 2)]
        public sealed class Halve;
        [Block][Conv2D(6, Patch = 1, Stride = 2)] public sealed class Project;
        [Block][Conv2D(8, Patch = 1)] public sealed class Wide;
        [Network(Height = 8, Width = 8, Classes = 2)]
        [Conv2D(4, Patch = 3)]
        {{uses}}
        [Dense(2)]
        public sealed partial class Blocky;
        {{blocks}}
        """;

    [Fact]
    public void Blocks_that_fit_compile_without_diagnostics()
        => GeneratorHarness.Run(WithBlocks("[Concat(typeof(Keep), typeof(Wide))]\n[Residual(typeof(Halve), Shortcut = typeof(Project))]")).GeneratorDiagnostics.ShouldBeEmpty();

    [Fact]
    public void SCN0026_a_type_that_is_not_a_block()
        => ShouldBe(Single(WithBlocks("[Residual(typeof(Blocky))]")), "SCN0026", 12,
            "residual1: its body names 'Blocky', which is not a [Block] class; mark it [Block] and give it layer attributes");

    [Fact]
    public void SCN0027_a_block_that_uses_itself_through_another_is_one_error()
    {
        var result = GeneratorHarness.Run(WithBlocks("[Residual(typeof(Keep))]", """
            [Block]
            [Residual(typeof(Outer))]
            public sealed class Inner;
            [Block]
            [Concat(typeof(Inner), typeof(Keep))]
            public sealed class Outer;
            """));
        var d = result.GeneratorDiagnostics.ShouldHaveSingleItem();
        ShouldBe(d, "SCN0027", 19, "concat1: using block 'Inner' here makes it contain itself (Inner uses Outer uses Inner); a network must be finite");
    }

    [Fact]
    public void SCN0027_a_network_using_a_block_in_error_adds_no_error_of_its_own()
    {
        var result = GeneratorHarness.Run(WithBlocks("[Residual(typeof(Loop))]", """
            [Block]
            [Residual(typeof(Loop))]
            public sealed class Loop;
            """));
        var d = result.GeneratorDiagnostics.ShouldHaveSingleItem();
        ShouldBe(d, "SCN0027", 16, "residual1: using block 'Loop' here makes it contain itself (Loop uses Loop); a network must be finite");
        result.GeneratedSources.Values.ShouldAllBe(source => source.Contains("only its public surface"));
    }

    [Fact]
    public void SCN0028_a_block_without_layers()
        => ShouldBe(Single(WithBlocks("[Residual(typeof(Nothing))]", "[Block]\npublic sealed class Nothing;")), "SCN0028", 15,
            "Block 'Nothing' has no layers: give it layer attributes such as [Conv2D(16, Patch = 3)]");

    [Fact]
    public void SCN0029_concat_of_one_block()
        => ShouldBe(Single(WithBlocks("[Concat(typeof(Keep))]")), "SCN0029", 12, "concat1: [Concat] joins two or more blocks, but names only 'Keep'");

    [Fact]
    public void SCN0030_concatenated_blocks_of_different_sizes_name_both()
        => ShouldBe(Single(WithBlocks("[Concat(typeof(Keep), typeof(Halve))]")), "SCN0030", 12,
            "concat1: [Concat] joins images by channel, so every block must give the same height and width, but on 8x8x4 Keep gives 8x8x4 and Halve gives 4x4x6");

    [Fact]
    public void A_block_used_twice_beside_a_block_named_as_its_second_use_compiles()
    {
        var result = GeneratorHarness.Run(WithBlocks("[Concat(typeof(Keep), typeof(Keep), typeof(Keep2))]", "[Block][Conv2D(4, Patch = 1)] public sealed class Keep2;"));
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.GeneratedSources.Values.ShouldContain(source => source.Contains("Concat1_Keep3_Conv1Shape"));
    }

    [Theory]
    [InlineData("[Residual(typeof(Halve))]", "residual1: [Residual] adds Halve's output to its input, so their shapes must match, but on 8x8x4 Halve gives 4x4x6 and its input is 8x8x4; give it a Shortcut block that makes the same shape")]
    [InlineData("[Residual(typeof(Halve), Shortcut = typeof(Wide))]", "residual1: [Residual] adds Halve's output to Wide, so their shapes must match, but on 8x8x4 Halve gives 4x4x6 and Wide is 8x8x8")]
    public void SCN0031_a_residual_whose_sides_differ(string use, string message)
        => ShouldBe(Single(WithBlocks(use)), "SCN0031", 12, message);

    [Theory]
    [InlineData("[Concat(null)]", "concat1: block 1 is null; name a [Block] class, as typeof(MyBlock)")]
    [InlineData("[Concat(typeof(Keep), null)]", "concat1: block 2 is null; name a [Block] class, as typeof(MyBlock)")]
    [InlineData("[Residual(null)]", "residual1: its body is null; name a [Block] class, as typeof(MyBlock)")]
    public void SCN0032_a_block_given_as_null(string use, string message)
        => ShouldBe(Single(WithBlocks(use)), "SCN0032", 12, message);

    [Fact]
    public void A_mistake_inside_a_block_is_reported_at_the_use_naming_the_layer_by_its_path()
    {
        var d = Single(WithBlocks("[MaxPool(4, Padding = Padding.Valid)]\n[Residual(typeof(Tiny))]", "[Block]\n[MaxPool(3, Padding = Padding.Valid)]\npublic sealed class Tiny;"));
        d.Id.ShouldBe("SCN0006");
        Line(d).ShouldBe(13);
        d.GetMessage().ShouldStartWith("residual1.Tiny.pool1: 3x3 VALID");
    }

    [Fact]
    public void SCN0021_negative_argument()
        => ShouldBe(SingleForLayer("[LocalResponseNorm(DepthRadius = -1)]"), "SCN0021", 3, "lrn1: DepthRadius must be 0 or more, but is -1");

    [Theory]
    [InlineData("[Dropout(0.5f, Name = \"dropout\")]", "Layer name 'dropout' would name a generated member 'DropoutRate', which is a member every network has: choose another name")]
    [InlineData("[Dropout(0.5f, Name = \"d\")]\n[ReLU(Name = \"dMask\")]", "Layer name 'dMask' would name a generated member 'DMaskImageOffset', which is also a member of layer 'd': choose another name")]
    public void SCN0023_layer_name_that_would_clash_in_generated_code(string layers, string message)
    {
        var d = Single($$"""
            using StaticConvNet;
            [Network(Height = 4, Width = 4, Classes = 2)]
            {{layers}}
            [Dense(2)]
            public sealed partial class Clashing;
            """);
        d.Id.ShouldBe("SCN0023");
        d.GetMessage().ShouldBe(message);
    }

    /// <summary>Roslyn compares generated file names ignoring case: two networks whose names differ only in case once
    /// made the generator throw (CS8785) and emit nothing for any network.</summary>
    [Fact]
    public void Networks_whose_names_differ_only_in_case_both_compile()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            namespace App;
            [Network(Height = 4, Width = 4, Classes = 2)][Dense(2)] public sealed partial class LeNet;
            [Network(Height = 4, Width = 4, Classes = 2)][Dense(2)] public sealed partial class Lenet;
            [Network(Height = 4, Width = 4, Classes = 2)][Dense(2)] public sealed partial class Other;
            """);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.GeneratedSources.Keys.Order(StringComparer.Ordinal).ShouldBe(["App.LeNet.1.g.cs", "App.Lenet.2.g.cs", "App.Other.g.cs"]);
    }

    [Fact]
    public void SCN0024_a_user_member_the_generated_code_also_declares()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 4, Width = 4, Classes = 2)]
            [Dense(2)]
            public sealed partial class Mine { public int InputLength => 3; public int Predict(float[] image) => 0; }
            """);
        ShouldBe(d, "SCN0024", 2, "Network class 'Mine' declares 'InputLength', which the generated code also declares; rename it");
    }

    /// <summary>An overload of a generated method is the user's own (Test above: Predict(float[])); one with the
    /// generated signature gave CS0111 inside the generated file.</summary>
    [Fact]
    public void SCN0024_a_method_with_the_generated_signature()
    {
        ShouldBe(Single(DenseNetwork("public sealed partial class Mine { public int Predict(System.ReadOnlySpan<float> image) => 0; }", weights: false)),
            "SCN0024", 2, "Network class 'Mine' declares 'Predict', which the generated code also declares; rename it");

        // A static Classify(ReadOnlySpan<float>) is the generated one's signature only where Weights makes it generated.
        const string classify = "public sealed partial class Mine { public static int Classify(System.ReadOnlySpan<float> image) => 0; }";
        ShouldBe(Single(DenseNetwork(classify, weights: true)), "SCN0024", 2, "Network class 'Mine' declares 'Classify', which the generated code also declares; rename it");
        GeneratorHarness.Run(DenseNetwork(classify, weights: false)).Errors.ShouldBeEmpty("without Weights no Classify is generated");
    }

    /// <summary>The one diagnostic of a stack whose second layer is <paramref name="layer"/>; it is on line 4.</summary>
    private static Diagnostic SingleForNamedLayer(string layer)
    {
        var result = GeneratorHarness.Run($$"""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Dense(5)]
            {{layer}}
            [Dense(2, Name = "out")]
            public sealed partial class Named;
            """);
        return result.GeneratorDiagnostics.ShouldHaveSingleItem();
    }

    [Fact]
    public void SCN0011_invalid_layer_name()
        => ShouldBe(SingleForNamedLayer("[Conv2D(4, Patch = 3, Name = \"conv 1\")]"), "SCN0011", 4,
            "Layer name 'conv 1' is not a valid name: use a letter followed by letters, digits or '_'");

    [Fact]
    public void SCN0022_layer_name_used_twice()
        => ShouldBe(SingleForNamedLayer("[Conv2D(4, Patch = 3, Name = \"Dense1\")]"), "SCN0022", 4,
            "Layer name 'Dense1' is used by an earlier layer: names must be unique (ignoring case)");

    [Theory]
    [InlineData("public sealed partial class Generic<T>;", "Generic", "is generic; a network's shapes are fixed, so it takes no type parameters")]
    [InlineData("public static partial class Holder;", "Holder", "is static; a network holds its parameters, so it must be instantiable")]
    [InlineData("public sealed partial record Recorded;", "Recorded", "is a record; a network holds its buffers and is compared by identity, so declare it as a partial class")]
    public void SCN0012_unsupported_network_class(string declaration, string name, string reason)
    {
        var d = Single($$"""
            using StaticConvNet;
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Dense(2)]
            {{declaration}}
            """);
        ShouldBe(d, "SCN0012", 2, $"Network class '{name}' {reason}");
    }

    /// <summary>A network with baked weights is instantiated by its generated Classify: an abstract class, or one whose
    /// only constructor is a primary one with parameters, gave compiler errors in the generated file instead.</summary>
    [Theory]
    [InlineData("public abstract partial class Shape;", "Shape", "is abstract, but with Weights its generated Classify makes instances of it: make it concrete")]
    [InlineData("public sealed partial class Labelled(string label) { public string Label => label; }", "Labelled",
        "has a primary constructor and no constructor without parameters, but with Weights its generated Classify makes instances of it: add one (: this(...))")]
    public void SCN0012_a_class_Classify_cannot_instantiate(string declaration, string name, string reason)
    {
        ShouldBe(Single(DenseNetwork(declaration, weights: true)), "SCN0012", 2, $"Network class '{name}' {reason}");
        GeneratorHarness.Run(DenseNetwork(declaration, weights: false)).Errors.ShouldBeEmpty("without Weights nothing makes instances: either is fine");
    }

    /// <summary>A one-layer network (its [Network] attribute on line 2) declared as <paramref name="declaration"/>,
    /// baking a weights file or not: for the diagnostics about the class rather than its layers.</summary>
    private static string DenseNetwork(string declaration, bool weights) => $$"""
        using StaticConvNet;
        [Network(Height = 4, Width = 4, Classes = 2{{(weights ? ", Weights = \"w.scnw\"" : "")}})]
        [Dense(2)]
        {{declaration}}
        """;

    [Fact]
    public void SCN0012_nested_class()
    {
        var d = Single("""
            using StaticConvNet;
            public static partial class Outer
            {
                [Network(Height = 8, Width = 8, Classes = 2)]
                [Dense(2)]
                public sealed partial class Inner;
            }
            """);
        ShouldBe(d, "SCN0012", 4, "Network class 'Inner' is nested in another type; declare it at namespace level");
    }

    [Fact]
    public void SCN0013_network_too_large()
    {
        var d = Single("""
            using StaticConvNet;
            [Network(Height = 8192, Width = 8192, Channels = 3, Classes = 2, BatchCapacity = 1)]
            [Dense(2)]
            public sealed partial class Huge;
            """);
        ShouldBe(d, "SCN0013", 3, "Network 'Huge' needs 402653186 floats of parameters, more than the 268435456 a generated buffer may hold");
    }

    [Theory]
    [InlineData("[Network(Height = 65536, Width = 32768, Channels = 2, Classes = 2)]", "[Dense(2)]", 2,
        "Network 'Huge' needs 68719476736 floats of input images (batch capacity 16), more than the 268435456 a generated buffer may hold")]
    [InlineData("[Network(Height = 8, Width = 8, Classes = 2)]", "[Conv2D(4, Patch = int.MaxValue)]", 3,
        "Network 'Huge' needs more than 9223372036854775806 floats of parameters, more than the 268435456 a generated buffer may hold")]
    [InlineData("[Network(Height = 8, Width = 8, Classes = 2)]", "[Conv2D(int.MaxValue, Patch = int.MaxValue, Stride = int.MaxValue)]", 3,
        "Network 'Huge' needs more than 9223372036854775806 floats of parameters, more than the 268435456 a generated buffer may hold")]
    public void SCN0013_sizes_that_would_overflow_are_refused_not_wrapped(string network, string layer, int line, string message)
    {
        var d = Single($$"""
            using StaticConvNet;
            {{network}}
            {{layer}}
            [Dense(2)]
            public sealed partial class Huge;
            """);
        ShouldBe(d, "SCN0013", line, message);
    }

    [Fact]
    public void SCN0018_a_layer_attribute_the_generator_does_not_know_is_an_error_not_a_missing_layer()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using StaticConvNet;
            [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
            public sealed class LeakyReLUAttribute : LayerAttribute { public float Slope { get; set; } = 0.01f; }
            [Network(Height = 8, Width = 8, Classes = 2)]
            [Conv2D(4, Patch = 3)]
            [LeakyReLU]
            [Dense(2)]
            public sealed partial class Leaky;
            """);
        var d = result.GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0018");
        Line(d).ShouldBe(7);
        d.GetMessage().ShouldBe("[LeakyReLU] derives from LayerAttribute, but the generator has no layer kind for it, so 'Leaky' would be built "
            + "without it; the layer kinds are Conv2D, MaxPool, AvgPool, GlobalAvgPool, BatchNorm, ReLU, Tanh, Dense, Dropout, LocalResponseNorm, Concat, Residual, ExpectShape (a new kind needs a generator unit: docs/architecture.md)");
    }

    [Fact]
    public void SCN0017_a_SAME_window_larger_than_its_input_is_a_warning_with_the_shapes()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 12, Width = 12, Classes = 2)]
            [Conv2D(4, Patch = 3)]
            [MaxPool(4, Name = "pool1")]
            [Conv2D(4, Patch = 5, Name = "conv2")]
            [Dense(2)]
            public sealed partial class Wide;
            """);
        var d = result.GeneratorDiagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("SCN0017");
        d.Severity.ShouldBe(DiagnosticSeverity.Warning);
        Line(d).ShouldBe(5);
        d.GetMessage().ShouldBe("conv2: 5x5 SAME convolution is larger than the 3x3x4 that pool1 outputs, so every window is mostly padding; use a smaller window, or check the layers before it");
        result.Errors.ShouldBeEmpty();
        result.GeneratedSources.Count.ShouldBe(1, "a warning does not stop the code");
    }

    [Fact]
    public void Every_descriptor_is_in_the_release_ledger_once_with_its_severity()
    {
        var generator = Path.Combine(GeneratorHarness.RepositoryRoot(), "src", "Generator");
        var rows = new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" }
            .SelectMany(file => File.ReadLines(Path.Combine(generator, file)))
            .Where(line => line.StartsWith("SCN", StringComparison.Ordinal))
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .ToList();
        rows.Select(r => r[0]).ShouldBeUnique();
        var ledger = rows.ToDictionary(r => r[0], r => r[2]);
        ledger.Keys.Order().ShouldBe(DescriptorIds().Order());
        foreach (var id in DescriptorIds())
            ledger[id].ShouldBe(StaticConvNet.Generator.Diagnostics.ById(id).DefaultSeverity.ToString(), id);
    }

    [Fact]
    public void Every_descriptor_has_a_test_and_a_docs_entry()
    {
        var tested = new[] { typeof(Test_Diagnostics), typeof(Test_BakedWeights) }.SelectMany(t => t.GetMethods())
            .Select(m => m.Name).Where(n => n.StartsWith("SCN")).Select(n => n[..7]).ToHashSet();
        var docs = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "docs", "diagnostics.md"));
        foreach (var id in DescriptorIds())
        {
            tested.ShouldContain(id);
            docs.ShouldContain($"## {id}");
        }
    }

    /// <summary>The README's first example is real: its network builds as shown, and with the first convolution's
    /// stride changed to 1 the build fails with exactly the error the README prints.</summary>
    [Fact]
    public void The_READMEs_example_error_is_what_the_compiler_says()
    {
        var readme = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "README.md"));
        var code = Block(readme, "```csharp\n");
        GeneratorHarness.Run(code).GeneratorDiagnostics.ShouldBeEmpty("the README's network builds as shown");
        readme.ShouldContain("Change `Stride = 2` to `Stride = 1` in the first convolution and the build fails:");
        var first = code.IndexOf("Stride = 2", StringComparison.Ordinal);
        var broken = code[..first] + "Stride = 1" + code[(first + "Stride = 2".Length)..];
        var d = GeneratorHarness.Run(broken).GeneratorDiagnostics.ShouldHaveSingleItem();
        Block(readme, "```\nerror SCN").Trim().ShouldBe($"error {d.Id}: {d.GetMessage()}");

        static string Block(string text, string opening)
        {
            var start = text.IndexOf(opening, StringComparison.Ordinal);
            start.ShouldBeGreaterThanOrEqualTo(0, opening);
            start = text.IndexOf('\n', start) + 1;
            return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
        }
    }

    [Fact]
    public void A_valid_network_reports_nothing()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            namespace Users;
            [Network(Height = 28, Width = 28, Classes = 10)]
            [Conv2D(16, Patch = 5, Stride = 2)]
            [ReLU]
            [Dense(10)]
            public sealed partial class Fine;
            """);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.GeneratedSources.Keys.ShouldBe(["Users.Fine.g.cs"]);
    }

    internal static IEnumerable<string> DescriptorIds()
        => typeof(StaticConvNet.Generator.NetworkGenerator).Assembly.GetType("StaticConvNet.Generator.Diagnostics")!
            .GetFields().Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id);
}
