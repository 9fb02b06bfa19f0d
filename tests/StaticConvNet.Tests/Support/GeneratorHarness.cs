using System.Collections.Immutable;
using System.Numerics.Tensors;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StaticConvNet.Generator;

namespace StaticConvNet.Tests.Support;

/// <summary>Compiles source text against the runtime and runs the generator on it, as the compiler would.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>What a CPU-only project references: the runtime and the framework, not StaticConvNet.Gpu or ILGPU
    /// (the test process has them all loaded, so they are filtered out).</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() => ReferencesOf(gpu: false));

    /// <summary>What a project that references StaticConvNet.Gpu has: the generator adds its GPU launches.</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> GpuReferences = new(() => ReferencesOf(gpu: true));

    private static ImmutableArray<MetadataReference> ReferencesOf(bool gpu)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(NetworkAttribute).Assembly.Location);
        paths.Add(typeof(TensorPrimitives).Assembly.Location);
        if (gpu) paths.Add(typeof(StaticConvNet.Gpu.GpuNetwork).Assembly.Location);
        // The built models and these tests declare the same classes the compiled sources do (a model's blocks): a user's
        // project references neither.
        return paths.Distinct()
            .Where(p => !Path.GetFileName(p).StartsWith("StaticConvNet.Models", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("StaticConvNet.Tests", StringComparison.Ordinal))
            .Where(p => gpu || !(Path.GetFileName(p).StartsWith("StaticConvNet.Gpu", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith("ILGPU", StringComparison.Ordinal)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    public sealed record Result(
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        ImmutableArray<Diagnostic> CompilationDiagnostics,
        ImmutableDictionary<string, string> GeneratedSources,
        GeneratorDriver Driver,
        Compilation Output)
    {
        public IEnumerable<Diagnostic> Errors => CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

        /// <summary>Emits the user's assembly with the generated code and loads it into a collectible context
        /// (the runtime it references resolves to the one the tests run).</summary>
        public System.Reflection.Assembly Load()
        {
            using var image = new MemoryStream();
            var emitted = Output.Emit(image);
            if (!emitted.Success) throw new InvalidOperationException("Emit failed: " + string.Join("; ", emitted.Diagnostics));
            image.Position = 0;
            return new System.Runtime.Loader.AssemblyLoadContext("generated", isCollectible: true).LoadFromStream(image);
        }

        public string SingleSource => GeneratedSources.Values.Single();
    }

    public static CSharpCompilation Compile(params string[] sources) => Compile(gpu: false, sources);

    public static CSharpCompilation Compile(bool gpu, params string[] sources)
        => CSharpCompilation.Create("UserAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Network{i}.cs")),
            gpu ? GpuReferences.Value : References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool track = false, IEnumerable<AdditionalText>? additionalFiles = null)
        => CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], additionalFiles, ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>An AdditionalFiles item held in memory.</summary>
    public sealed class InMemoryFile(string path, string content) : AdditionalText
    {
        public override string Path { get; } = path;

        /// <summary>How often the generator read the text.</summary>
        public int Reads { get; private set; }

        public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default)
        {
            Reads++;
            return Microsoft.CodeAnalysis.Text.SourceText.From(content);
        }
    }

    public static Result Run(params string[] sources) => RunWithFiles([], sources);

    /// <summary>As a project that references StaticConvNet.Gpu: each network gets its GPU file too.</summary>
    public static Result RunWithGpu(params string[] sources) => RunWithFiles([], sources, gpu: true);

    public static Result RunWithFiles(IEnumerable<AdditionalText> additionalFiles, params string[] sources) => RunWithFiles(additionalFiles, sources, gpu: false);

    private static Result RunWithFiles(IEnumerable<AdditionalText> additionalFiles, string[] sources, bool gpu)
    {
        var compilation = Compile(gpu, sources);
        var driver = CreateDriver(additionalFiles: additionalFiles).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        var generated = run.Results.SelectMany(r => r.GeneratedSources)
            .ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString());
        foreach (var result in run.Results)
        {
            if (result.Exception is not null) throw new InvalidOperationException("The generator threw.", result.Exception);
        }
        return new Result(generatorDiagnostics, output.GetDiagnostics(), generated, driver, output);
    }

    /// <summary>The repository root (the folder holding StaticConvNet.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StaticConvNet.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("StaticConvNet.sln not found above " + AppContext.BaseDirectory);
    }
}
