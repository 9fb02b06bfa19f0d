using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StaticConvNet.Generator;

namespace StaticConvNet.Bench;

/// <summary>The source generator on one network, from a fresh driver: parse attributes, infer shapes, emit.</summary>
[MemoryDiagnoser]
public class GeneratorRun
{
    private CSharpCompilation _compilation = null!;

    [Params("Arch2ConvPool", "Arch4LeNet")]
    public string Model { get; set; } = "Arch2ConvPool";

    [GlobalSetup]
    public void Setup()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "StaticConvNet.sln"))) root = Path.GetDirectoryName(root)!;
        var source = File.ReadAllText(Path.Combine(root, "src", "Models", Model + ".cs"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(NetworkAttribute).Assembly.Location).Append(typeof(TensorPrimitives).Assembly.Location)
            .Distinct().Select(p => MetadataReference.CreateFromFile(p));
        _compilation = CSharpCompilation.Create("Bench", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _ = _compilation.GetDiagnostics(); // bind once, so the benchmark measures the generator, not the compiler's first bind
    }

    [Benchmark]
    public int Generate()
    {
        var driver = CSharpGeneratorDriver.Create(new NetworkGenerator()).RunGenerators(_compilation);
        return driver.GetRunResult().GeneratedTrees.Length;
    }
}
