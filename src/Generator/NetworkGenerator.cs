using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Shapes;
using StaticConvNet.Generator.Weights;

namespace StaticConvNet.Generator;

/// <summary>Expands each [Network] class into its forward and backward code.
/// Pipeline: attribute → <see cref="NetworkParser"/> (spec) → <see cref="ShapeInference"/> (plan) → <see cref="NetworkEmitter"/> (text).
/// Each stage's output is plain equatable data, so an edit that does not touch a network reuses its output.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public const string ParseStep = "Parse", PlanStep = "Plan", BakeStep = "Bake";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var plans = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeNames.Network,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(ParseStep)
            .Select(static (parsed, ct) => ShapeInference.Resolve(parsed, ct))
            .WithTrackingName(PlanStep);

        // Weights files to bake arrive as AdditionalFiles; only their text is available to a generator.
        var additionalFiles = context.AdditionalTextsProvider
            .Select(static (text, ct) => new AdditionalFile(text.Path, text.GetText(ct)?.ToString() ?? ""))
            .Collect()
            .Select(static (files, _) => files.ToEquatableArray());

        var baked = plans.Combine(additionalFiles)
            .Select(static (pair, ct) => BakedWeights.Resolve(pair.Left, pair.Right, ct))
            .WithTrackingName(BakeStep);

        context.RegisterSourceOutput(baked, static (spc, baked) =>
        {
            foreach (var diagnostic in baked.Plan.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (baked.Plan.Network is { } network)
            {
                spc.AddSource(network.Spec.FileHint + ".g.cs", NetworkEmitter.Emit(network, baked.Parameters, spc.CancellationToken));
            }
        });

        foreach (var layerAttribute in AttributeNames.Layers)
        {
            var orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(layerAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => OrphanLayerParser.Parse(ctx, ct))
                .Where(static d => d is not null);
            context.RegisterSourceOutput(orphans, static (spc, d) => spc.ReportDiagnostic(d!.ToDiagnostic()));
        }
    }
}
