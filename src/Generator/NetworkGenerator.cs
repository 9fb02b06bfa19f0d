using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using StaticConvNet.Generator.Weights;

namespace StaticConvNet.Generator;

/// <summary>Expands each [Network] class into its forward and backward code.
/// Pipeline: attribute → <see cref="NetworkParser"/> (spec, and locations beside it) → <see cref="ShapeInference"/>
/// (plan) → <see cref="BakedWeights"/> → <see cref="NetworkEmitter"/> and, where the project references
/// StaticConvNet.Gpu, <see cref="GpuEmitter"/> (text). Diagnostics travel on their own pipeline: the source side
/// holds no locations, so moving a network's lines re-runs only the diagnostics, and an unrelated edit re-runs
/// nothing. Each stage's output is plain equatable data.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public const string ParseStep = "Parse", SpecStep = "Spec", PlanStep = "Plan", BakeStep = "Bake", DiagnosticsStep = "Diagnostics";

    /// <summary>A type only StaticConvNet.Gpu defines: a project that references it gets GPU code.</summary>
    private const string GpuMarkerType = "StaticConvNet.Gpu.GpuNetwork";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(NetworkParser.NetworkAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(ParseStep);

        // ---- Source: location-free from here on. The surface rides along: a network that ends up in error (its
        // attributes, its shapes or its weights file) still declares it, so the SCN error is the only error.
        var plans = parsed
            .Select(static (p, _) => (p.Spec, p.Surface))
            .WithTrackingName(SpecStep)
            .Select(static (source, ct) => (Plan: ShapeInference.Resolve(source.Spec, ct), source.Surface))
            .WithTrackingName(PlanStep);

        // Weights files to bake arrive as AdditionalFiles. Only the one a network names is read: an edit to any other
        // additional file re-runs this lookup, which finds the same text, and baking stays cached.
        var additionalFiles = context.AdditionalTextsProvider.Collect();
        var baked = plans.Combine(additionalFiles)
            .Select(static (pair, ct) => (pair.Left.Plan, pair.Left.Surface, File: BakedWeights.Find(pair.Right, pair.Left.Plan.Network?.Spec.WeightsFile, ct)))
            .Select(static (source, ct) => (Baked: BakedWeights.Resolve(source.Plan, source.File, ct), source.Surface))
            .WithTrackingName(BakeStep);

        var hasGpu = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(GpuMarkerType) is not null);

        // Every network's file name, to tell apart two whose names differ only in case (below). The list changes only
        // when a network is added, removed or renamed, so an edit to one network still regenerates that one alone.
        var fileHints = parsed
            .Select(static (p, _) => p.Spec?.FileHint ?? p.Surface?.FileHint ?? "")
            .Collect()
            .Select(static (all, _) => all.ToEquatableArray());

        context.RegisterSourceOutput(baked.Combine(hasGpu).Combine(fileHints), static (spc, pair) =>
        {
            var (((baked, surface), gpu), hints) = pair;
            if (baked.Network is not { } network)
            {
                if (surface is not null) spc.AddSource(UniqueHint(surface.FileHint, hints) + ".g.cs", SurfaceEmitter.Emit(surface));
                return;
            }
            var hint = UniqueHint(network.Spec.FileHint, hints);
            spc.AddSource(hint + ".g.cs", NetworkEmitter.Emit(network, baked.Parameters, baked.ClassNames, baked.State, spc.CancellationToken));
            if (gpu) spc.AddSource(hint + ".Gpu.g.cs", GpuEmitter.Emit(network, spc.CancellationToken));
        });

        // ---- Diagnostics: parse and shape problems, placed at the attributes they are about.
        var diagnostics = parsed
            .Select(static (p, ct) => Locate(p, ct))
            .WithTrackingName(DiagnosticsStep);
        context.RegisterSourceOutput(diagnostics, static (spc, found) =>
        {
            foreach (var diagnostic in found) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // Weights-file problems are about the [Network] attribute: its location comes from the parse results.
        var networkLocations = parsed
            .Select(static (p, _) => new NetworkSite(p.Spec?.FileHint ?? "", p.NetworkLocation))
            .Collect();
        context.RegisterSourceOutput(baked.Select(static (b, _) => b.Baked).Where(static b => b.Problems.Length > 0).Combine(networkLocations), static (spc, pair) =>
        {
            var (baked, sites) = pair;
            var location = sites.FirstOrDefault(s => s.FileHint == baked.FileHint)?.Location ?? LocationInfo.Unknown;
            foreach (var problem in baked.Problems) spc.ReportDiagnostic(new DiagnosticInfo(problem.Id, location, problem.Arguments).ToDiagnostic());
        });

        // A block's own mistakes, once whatever uses it (its shapes are checked where it is used).
        var blockDiagnostics = context.SyntaxProvider
            .ForAttributeWithMetadataName(StackParser.BlockAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, ct) => BlockParser.Parse(ctx, ct));
        context.RegisterSourceOutput(blockDiagnostics, static (spc, found) =>
        {
            foreach (var diagnostic in found) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        foreach (var kind in LayerKinds.All)
        {
            var orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(kind.AttributeMetadataName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (ctx, ct) => OrphanLayerParser.Parse(ctx, ct))
                .Where(static d => d is not null);
            context.RegisterSourceOutput(orphans, static (spc, d) => spc.ReportDiagnostic(d!.ToDiagnostic()));
        }
    }

    /// <summary>Every diagnostic of one network with its location: the parser's, or, for a valid spec, shape
    /// inference's problems placed at their layers. Shape inference runs again here, on the same spec: it is cheap,
    /// and it keeps locations out of the plan.</summary>
    private static EquatableArray<DiagnosticInfo> Locate(ParsedNetwork parsed, CancellationToken cancellationToken)
    {
        if (parsed.Spec is null) return parsed.Diagnostics;
        var plan = ShapeInference.Resolve(parsed.Spec, cancellationToken);
        return plan.Problems.Select(p => p.Locate(parsed)).ToEquatableArray();
    }

    private sealed record NetworkSite(string FileHint, LocationInfo Location);

    /// <summary>The file name of the network whose full name is <paramref name="fileHint"/>. Roslyn compares file
    /// names ignoring case, and a second "App.Lenet.g.cs" beside "App.LeNet.g.cs" would throw in AddSource: the
    /// generator would then emit nothing for any network. Names that differ only in case are numbered, in ordinal
    /// order ("App.LeNet.1", "App.Lenet.2"); every other name is its own.</summary>
    private static string UniqueHint(string fileHint, EquatableArray<string> all)
    {
        var alike = all.Where(h => string.Equals(h, fileHint, System.StringComparison.OrdinalIgnoreCase))
            .Distinct(System.StringComparer.Ordinal).OrderBy(h => h, System.StringComparer.Ordinal).ToList();
        return alike.Count < 2 ? fileHint : $"{fileHint}.{CodeWriter.Int(alike.IndexOf(fileHint) + 1)}";
    }
}
