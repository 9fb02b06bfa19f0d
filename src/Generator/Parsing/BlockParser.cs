using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>Checks a <c>[Block]</c> class on its own, once, whatever uses it: its layers' arguments and names, the
/// blocks it names (each a block, none containing itself), and that it has layers. Its shapes are checked where it
/// is used, since its input shape comes from there.</summary>
internal static class BlockParser
{
    public static EquatableArray<DiagnosticInfo> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        // A class that is a network too is checked as a network.
        if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkParser.NetworkAttribute)) return EquatableArray<DiagnosticInfo>.Empty;
        var diagnostics = new List<DiagnosticInfo>();
        NetworkParser.ReportUnknownLayerAttributes(type, diagnostics, cancellationToken);
        var stack = new StackParser(type, diagnostics, reportsCycles: true, cancellationToken);
        var (entries, _) = stack.Parse(type, diagnostics);
        if (!entries.OfType<LayerSpec>().Any() && !stack.CompilerErrors)
        {
            var location = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken));
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.EmptyBlock, location, type.Name));
        }
        return diagnostics.ToEquatableArray();
    }
}
