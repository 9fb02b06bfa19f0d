using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>Finds classes with layer attributes but neither [Network] nor [Block]. Runs once per layer attribute kind; only the
/// pass for the class's first layer attribute reports, so each such class gets exactly one diagnostic.</summary>
internal static class OrphanLayerParser
{
    public static DiagnosticInfo? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is NetworkParser.NetworkAttribute or StackParser.BlockAttribute)) return null;

        var first = NetworkParser.LayerAttributesInSourceOrder(type, cancellationToken).FirstOrDefault().Attribute;
        if (first?.ApplicationSyntaxReference is not { } firstReference) return null;
        var isThisPass = context.Attributes.Any(a => a.ApplicationSyntaxReference is { } r
            && r.SyntaxTree == firstReference.SyntaxTree && r.Span == firstReference.Span);
        if (!isThisPass) return null;

        return DiagnosticInfo.Create(Diagnostics.LayersWithoutNetwork,
            LocationInfo.From(firstReference.GetSyntax(cancellationToken)), type.Name);
    }
}
