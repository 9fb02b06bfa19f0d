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

    private const string Blocks = """
        using StaticConvNet;
        [Block]
        [Conv2D(4, Patch = 3)]
        public sealed class Body;
        """;

    private const string Networks = """
        using StaticConvNet;
        [Network(Height = 8, Width = 8, Classes = 3)]
        [Conv2D(4, Patch = 3)]
        [Residual(typeof(Body))]
        [Dense(3)]
        public sealed partial class UsesBody;

        [Network(Height = 8, Width = 8, Classes = 3)]
        [Conv2D(4, Patch = 3)]
        [Dense(3)]
        public sealed partial class Plain;
        """;

    [Fact]
    public void Editing_a_block_regenerates_the_networks_that_use_it_and_only_those()
    {
        var compilation = GeneratorHarness.Compile(Blocks, Networks);
        var driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.First(t => t.ToString().Contains("class Body"));
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Blocks.Replace("Patch = 3", "Patch = 5"))));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var plans = result.TrackedSteps[NetworkGenerator.PlanStep].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        plans.Count(r => r == IncrementalStepRunReason.Modified).ShouldBe(1, "UsesBody's plan changes");
        plans.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged).ShouldBe(1, "Plain's does not");
        result.GeneratedSources.Single(s => s.HintName.Contains("UsesBody")).SourceText.ToString().ShouldContain("Residual1_Body_Conv1Patch = 5");
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
    public void Moving_the_network_reruns_only_its_diagnostics()
    {
        var compilation = GeneratorHarness.Compile(Network);
        var driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);

        // Three lines above the class: every attribute's location changes, nothing about the network does.
        var tree = compilation.SyntaxTrees.Single();
        var moved = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("// moved\n//\n//\n" + Network)));
        var result = driver.RunGenerators(moved).GetRunResult().Results.Single();

        AllReasons(result, NetworkGenerator.ParseStep).ShouldContain(IncrementalStepRunReason.Modified);
        // The diagnostics step re-ran (a valid network's list stays empty, so Unchanged): the source side did not.
        AllReasons(result, NetworkGenerator.DiagnosticsStep).ShouldAllBe(r => r == IncrementalStepRunReason.Unchanged);
        AllReasons(result, NetworkGenerator.SpecStep).ShouldAllBe(r => r == IncrementalStepRunReason.Unchanged);
        AllReasons(result, NetworkGenerator.PlanStep).ShouldAllBe(r => r == IncrementalStepRunReason.Cached);
        AllReasons(result, NetworkGenerator.BakeStep).ShouldAllBe(r => r == IncrementalStepRunReason.Cached);
        result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason)
            .ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void A_diagnostic_moves_with_its_attribute_and_only_the_diagnostics_step_reruns()
    {
        var broken = Network.Replace("[Dense(3)]", "[Dense(4)]");
        var compilation = GeneratorHarness.Compile(broken);
        var driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var moved = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("//\n//\n" + broken)));

        var before = driver.GetRunResult().Diagnostics.ShouldHaveSingleItem();
        driver = driver.RunGenerators(moved);
        var after = driver.GetRunResult().Diagnostics.ShouldHaveSingleItem();
        after.Id.ShouldBe("SCN0007");
        after.Location.GetLineSpan().StartLinePosition.Line.ShouldBe(before.Location.GetLineSpan().StartLinePosition.Line + 2);

        var result = driver.GetRunResult().Results.Single();
        AllReasons(result, NetworkGenerator.DiagnosticsStep).ShouldContain(IncrementalStepRunReason.Modified);
        AllReasons(result, NetworkGenerator.PlanStep).ShouldAllBe(r => r == IncrementalStepRunReason.Cached);
        AllReasons(result, NetworkGenerator.BakeStep).ShouldAllBe(r => r == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Editing_an_additional_file_no_network_names_keeps_baking_and_the_output_cached()
    {
        var compilation = GeneratorHarness.Compile(Network);
        var notes = new GeneratorHarness.InMemoryFile("/src/app/notes.txt", "one");
        var driver = GeneratorHarness.CreateDriver(track: true, additionalFiles: [notes]).RunGenerators(compilation);

        var edited = new GeneratorHarness.InMemoryFile("/src/app/notes.txt", "two");
        driver = driver.ReplaceAdditionalText(notes, edited).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        (notes.Reads + edited.Reads).ShouldBe(0, "no network names the file, so nothing reads it");
        AllReasons(result, NetworkGenerator.BakeStep).ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged);
        result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason)
            .ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_or_locations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(AttributeData) };
        var seen = Reachable("Model.ParsedNetwork", "Model.NetworkPlan", "Weights.BakedPlan");
        foreach (var type in seen) forbidden.ShouldNotContain(f => f.IsAssignableFrom(type), $"{type} in the pipeline model");
        seen.ShouldContain(t => t.Name == "Conv2DLayer");
        seen.ShouldContain(t => t.Name == "ExpectShapeCheck");
    }

    [Fact]
    public void The_source_side_of_the_pipeline_holds_no_locations()
    {
        var seen = Reachable("Model.NetworkPlan", "Weights.BakedPlan");
        seen.ShouldNotContain(t => t.Name == "LocationInfo", "a location in the plan would regenerate the code whenever lines move");
        seen.ShouldContain(t => t.Name == "ResolvedNetwork");
    }

    /// <summary>Every type the named models hold, through fields, generic arguments and, for an abstract record,
    /// every kind that derives from it.</summary>
    private static HashSet<Type> Reachable(params string[] roots)
    {
        var assembly = typeof(NetworkGenerator).Assembly;
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>(roots.Select(n => assembly.GetType("StaticConvNet.Generator." + n, throwOnError: true)!));
        while (pending.Count > 0)
        {
            var type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum) continue;
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push(field.FieldType);
                foreach (var argument in field.FieldType.GetGenericArguments()) pending.Push(argument);
            }
            if (type.IsAbstract) foreach (var derived in assembly.GetTypes().Where(t => t.IsSubclassOf(type))) pending.Push(derived);
        }
        return seen;
    }

    private static IEnumerable<IncrementalStepRunReason> AllReasons(GeneratorRunResult result, string step)
        => result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);
}
