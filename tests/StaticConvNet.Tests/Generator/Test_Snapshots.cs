using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>The generated source of each model, compared with the approved file beside this test
/// (Approved/*.approved.cs.txt). On a mismatch Shouldly prints a diff and writes *.received.cs.txt next to it;
/// review it and copy it over the approved file when the change is intended.</summary>
public class Test_Snapshots
{
    private static readonly string ModelsFolder = Path.Combine(GeneratorHarness.RepositoryRoot(), "src", "Models");

    private static string ModelSource(string model) => File.ReadAllText(Path.Combine(ModelsFolder, model + ".cs"));

    private static string[] AllModelSources()
        => Directory.GetFiles(ModelsFolder, "*.cs").Where(f => Path.GetFileName(f) != "ModelCatalog.cs").Select(File.ReadAllText).ToArray();

    [Theory]
    [InlineData("Arch1StridedConv")]
    [InlineData("Arch2ConvPool")]
    [InlineData("Arch3ThreeBlocks")]
    [InlineData("Arch4LeNet")]
    [InlineData("LeNet5")]
    [InlineData("InceptionNet")]
    [InlineData("SmallResNet")]
    public void Model_source_matches_approved(string model)
    {
        var result = GeneratorHarness.Run(ModelSource(model));

        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.SingleSource.ShouldMatchApproved(c => c.WithDiscriminator(model).SubFolder("Approved").NoDiff()
            .WithFileExtension("cs.txt"));
    }

    /// <summary>The GPU half: each layer's kernel launches, from the same plan as the CPU code.</summary>
    [Theory]
    [InlineData("Arch4LeNet")]
    [InlineData("LeNet5")]
    public void Model_gpu_source_matches_approved(string model)
    {
        var result = GeneratorHarness.RunWithGpu(ModelSource(model));

        result.GeneratorDiagnostics.ShouldBeEmpty();
        result.Errors.ShouldBeEmpty();
        result.GeneratedSources.Single(s => s.Key.EndsWith(".Gpu.g.cs")).Value.ShouldMatchApproved(c => c.WithDiscriminator(model + ".Gpu")
            .SubFolder("Approved").NoDiff().WithFileExtension("cs.txt"));
    }

    [Fact]
    public void Generated_model_sources_compile_without_warnings()
    {
        var sources = AllModelSources();
        var result = GeneratorHarness.Run(sources);

        result.GeneratedSources.Count.ShouldBe(sources.Length);
        result.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ShouldBeEmpty();
    }

    [Fact]
    public void A_project_that_references_the_GPU_library_gets_each_network_GPU_launches_and_they_compile_without_warnings()
    {
        var sources = AllModelSources();
        var result = GeneratorHarness.RunWithGpu(sources);

        result.GeneratedSources.Count.ShouldBe(2 * sources.Length);
        result.GeneratedSources.Keys.Count(k => k.EndsWith(".Gpu.g.cs")).ShouldBe(sources.Length);
        result.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ShouldBeEmpty();
    }

    [Fact]
    public void A_CPU_only_project_gets_no_GPU_code()
    {
        var result = GeneratorHarness.Run(ModelSource("Arch2ConvPool"));

        result.GeneratedSources.Keys.ShouldBe(["StaticConvNet.Models.Arch2ConvPool.g.cs"]);
        result.SingleSource.ShouldNotContain("ILGPU");
        result.SingleSource.ShouldNotContain("StaticConvNet.Gpu");
    }
}
