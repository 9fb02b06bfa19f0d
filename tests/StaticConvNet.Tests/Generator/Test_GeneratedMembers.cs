using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>The parser refuses names that would clash with generated members, from lists of what the emitters
/// declare. These tests keep the lists true: a network with every layer kind, generated with its GPU half and baked
/// weights' members aside, declares nothing the lists do not name.</summary>
public class Test_GeneratedMembers
{
    private const string EveryKind = """
        using StaticConvNet;
        [Network(Height = 8, Width = 8, Channels = 2, Classes = 3)]
        [Conv2D(16, Patch = 3, Name = "f")]
        [Conv2D(16, Patch = 5, Name = "w")]
        [Conv2D(4, Patch = 3, Name = "c")]
        [ReLU(Name = "r")]
        [MaxPool(2, Name = "m")]
        [AvgPool(2, Padding = Padding.Valid, Name = "a")]
        [Tanh(Name = "t")]
        [Dropout(0.5f, Name = "d")]
        [LocalResponseNorm(DepthRadius = 1, Name = "l")]
        [ExpectShape(2, 2, 4)]
        [Dense(3, Name = "e")]
        public sealed partial class EveryKind;
        """;

    [Fact]
    public void Every_member_the_generated_code_declares_is_in_the_lists()
    {
        var result = GeneratorHarness.RunWithGpu(EveryKind);
        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.GeneratedSources.Keys.Order().ShouldBe(["EveryKind.Gpu.g.cs", "EveryKind.g.cs"]);
        // The same stack in error (one shape check off) gets only its public surface: its members count too.
        var inError = GeneratorHarness.RunWithGpu(EveryKind.Replace("ExpectShape(2, 2, 4)", "ExpectShape(1, 1, 4)"));
        inError.GeneratedSources.Keys.ShouldBe(["EveryKind.g.cs"]);
        result = result with { GeneratedSources = result.GeneratedSources.Add("EveryKind.Surface", inError.GeneratedSources["EveryKind.g.cs"]) };
        var layers = EveryKindLayers;
        var winograd = false;
        foreach (var (hint, source) in result.GeneratedSources)
        {
            var network = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source).GetRoot()
                .DescendantNodes().OfType<ClassDeclarationSyntax>().First(c => c.Identifier.Text == "EveryKind");
            foreach (var member in network.Members.Select(NameOf).Where(n => n is not null))
            {
                var layer = layers.FirstOrDefault(l => member!.StartsWith(l.Key, StringComparison.Ordinal)
                    && GeneratedMembers.SuffixesOf(l.Value).Contains(member[l.Key.Length..])).Key;
                (GeneratedMembers.Network.Contains(member) || layer is not null)
                    .ShouldBeTrue($"{hint} declares '{member}', which GeneratedMembers does not list");
                winograd |= member == "WWinograd";
            }
        }
        winograd.ShouldBeTrue("layer w is a Winograd convolution, whose members the lists must cover too");
    }

    /// <summary>EveryKind's layers by PascalCase name, as the parser reads them ("w" is a Winograd convolution).</summary>
    private static readonly KeyValuePair<string, StaticConvNet.Generator.Layers.LayerSpec>[] EveryKindLayers =
    [
        new("F", new StaticConvNet.Generator.Layers.Conv2DLayer("f", 16, 3, 1, default, 0.1f, 0f)),
        new("W", new StaticConvNet.Generator.Layers.Conv2DLayer("w", 16, 5, 1, default, 0.1f, 0f)),
        new("C", new StaticConvNet.Generator.Layers.Conv2DLayer("c", 4, 3, 1, default, 0.1f, 0f)),
        new("R", new StaticConvNet.Generator.Layers.ReluLayer("r")),
        new("M", new StaticConvNet.Generator.Layers.MaxPoolLayer("m", 2, 2, default)),
        new("A", new StaticConvNet.Generator.Layers.AvgPoolLayer("a", 2, 2, default)),
        new("T", new StaticConvNet.Generator.Layers.TanhLayer("t")),
        new("D", new StaticConvNet.Generator.Layers.DropoutLayer("d", 0.5f)),
        new("L", new StaticConvNet.Generator.Layers.LocalResponseNormLayer("l", 1, 1f, 1f, 0.5f)),
        new("E", new StaticConvNet.Generator.Layers.DenseLayer("e", 3, 0.1f, 0f)),
    ];

    private static string? NameOf(MemberDeclarationSyntax member) => member switch
    {
        // An override (ToString) is generated only when the class does not declare it: no clash to refuse.
        MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } m when !m.Modifiers.Any(t => t.Text == "override") => m.Identifier.Text,
        PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } p => p.Identifier.Text,
        FieldDeclarationSyntax f when !f.Declaration.Variables[0].Identifier.Text.StartsWith('_') && !f.Declaration.Variables[0].Identifier.Text.StartsWith("t_")
            => f.Declaration.Variables[0].Identifier.Text,
        BaseTypeDeclarationSyntax t => t.Identifier.Text,
        _ => null,
    };
}
