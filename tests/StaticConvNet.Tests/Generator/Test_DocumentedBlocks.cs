using System.Text.RegularExpressions;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>The blocks example in docs/getting-started.md compiles as written, with the shapes its comments give.</summary>
public class Test_DocumentedBlocks
{
    [Fact]
    public void The_getting_started_blocks_example_compiles_with_the_shapes_it_states()
    {
        var doc = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "docs", "getting-started.md"));
        var section = doc[doc.IndexOf("### Blocks", StringComparison.Ordinal)..];
        var code = Regex.Match(section, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        code.ShouldContain("class SmallInception");

        var result = GeneratorHarness.Run("using StaticConvNet;\n" + code);

        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        var network = (IConvNet)Activator.CreateInstance(result.Load().GetType("SmallInception")!)!;
        var layers = network.Description.Layers;
        layers.Single(l => l.Kind == "Concat").Output.ToString().ShouldBe("14x14x32");
        layers.Single(l => l.Kind == "Residual").Output.ToString().ShouldBe("7x7x32");
    }
}
