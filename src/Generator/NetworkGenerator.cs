using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;

namespace StaticConvNet.Generator;

/// <summary>Expands each [Network] class into its forward and backward code.
/// Pipeline: attribute → <see cref="NetworkParser"/> (spec) → <see cref="ShapeInference"/> (plan) → <see cref="NetworkEmitter"/> (text).
/// Each stage's output is plain equatable data, so an edit that does not touch a network reuses its output.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public const string ParseStep = "Parse", PlanStep = "Plan";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var plans = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeNames.Network,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(ParseStep)
            .Select(static (parsed, ct) => ShapeInference.Resolve(parsed, ct))
            .WithTrackingName(PlanStep);

        context.RegisterSourceOutput(plans, static (spc, plan) =>
        {
            foreach (var diagnostic in plan.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (plan.Network is { } network)
            {
                spc.AddSource(network.Spec.FileHint + ".g.cs", NetworkEmitter.Emit(network, spc.CancellationToken));
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
