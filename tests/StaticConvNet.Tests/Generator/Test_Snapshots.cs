using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>The generated source of each notebook model, compared with the approved file beside this test
/// (Approved/*.approved.txt). On a mismatch Shouldly prints a diff and writes *.received.txt next to it;
/// review it and copy it over the approved file when the change is intended.</summary>
public class Test_Snapshots
{
    [Theory]
    [InlineData("Arch1StridedConv")]
    [InlineData("Arch2ConvPool")]
    [InlineData("Arch3ThreeBlocks")]
    [InlineData("Arch4LeNet")]
    public void Model_source_matches_approved(string model)
    {
        var source = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "src", "Models", model + ".cs"));
        var result = GeneratorHarness.Run(source);

        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.SingleSource.ShouldMatchApproved(c => c.WithDiscriminator(model).SubFolder("Approved").NoDiff()
            .WithFileExtension("cs.txt"));
    }

    [Fact]
    public void Generated_model_sources_compile_without_warnings()
    {
        var root = Path.Combine(GeneratorHarness.RepositoryRoot(), "src", "Models");
        var sources = Directory.GetFiles(root, "Arch*.cs").Select(File.ReadAllText).ToArray();
        var result = GeneratorHarness.Run(sources);

        result.GeneratedSources.Count.ShouldBe(4);
        result.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ShouldBeEmpty();
    }
}
