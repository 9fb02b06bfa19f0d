using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StaticConvNet.Generator;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>The incremental pipeline reuses its output when an edit does not touch a network, and its models
/// hold plain data only (a symbol or syntax node in them would pin compilations and never compare equal).</summary>
public class Test_Incrementality
{
    private const string Network = """
        using StaticConvNet;
        [Network(Height = 8, Width = 8, Classes = 3)]
        [Conv2D(4, Patch = 3)]
        [ReLU]
        [Dense(3)]
        public sealed partial class Cached;
        """;

    [Fact]
    public void An_unrelated_edit_reuses_the_cached_output()
    {
        var compilation = GeneratorHarness.Compile(Network);
        var driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public class Unrelated { public int X; }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AllReasons(result, NetworkGenerator.PlanStep).ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged);
        result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason)
            .ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Editing_the_network_regenerates_it()
    {
        var compilation = GeneratorHarness.Compile(Network);
        var driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Network.Replace("Conv2D(4", "Conv2D(5"))));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AllReasons(result, NetworkGenerator.PlanStep).ShouldContain(IncrementalStepRunReason.Modified);
        result.GeneratedSources.Single().SourceText.ToString().ShouldContain("Conv1OutputChannels = 5");
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_or_locations()
    {
        var assembly = typeof(NetworkGenerator).Assembly;
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(AttributeData) };
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>(new[] { "ParsedNetwork", "NetworkPlan" }.Select(n => assembly.GetType("StaticConvNet.Generator.Model." + n, throwOnError: true)!));
        while (pending.Count > 0)
        {
            var type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum) continue;
            forbidden.ShouldNotContain(f => f.IsAssignableFrom(type), $"{type} in the pipeline model");
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push(field.FieldType);
                foreach (var argument in field.FieldType.GetGenericArguments()) pending.Push(argument);
            }
        }
        seen.ShouldContain(t => t.Name == "LayerSpec");
    }

    private static IEnumerable<IncrementalStepRunReason> AllReasons(GeneratorRunResult result, string step)
        => result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);
}
