using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace StaticConvNet.Generator.Model;

/// <summary>Where something is in source, as plain data (a <see cref="Location"/> would pin the compilation
/// and defeat the incremental cache).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static readonly LocationInfo Unknown = new("", default, default);

    public Location ToLocation() => FilePath.Length == 0 && Span.IsEmpty ? Location.None : Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo From(SyntaxNode? node) => node is null ? Unknown : From(node.GetLocation());

    public static LocationInfo From(SyntaxToken token) => From(token.GetLocation());

    private static LocationInfo From(Location location)
        => new(location.SourceTree?.FilePath ?? "", location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report, as plain data: descriptor id, location, message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, params object[] arguments)
        => new(descriptor.Id, location, Problem.Format(arguments));

    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(Diagnostics.ById(Id), Location.ToLocation(), Arguments.Items.Cast<object>().ToArray());
}

/// <summary>A diagnostic found after parsing, pointing at a layer by its index in the spec (or at the [Network]
/// attribute, index -1) instead of a location: the plan stays location-free, and the diagnostics step, which has
/// the locations, places it.</summary>
internal sealed record Problem(string Id, int LayerIndex, EquatableArray<string> Arguments)
{
    public const int OnNetwork = -1;

    public static Problem Create(DiagnosticDescriptor descriptor, int layerIndex, params object[] arguments)
        => new(descriptor.Id, layerIndex, Format(arguments));

    public DiagnosticInfo Locate(ParsedNetwork parsed)
        => new(Id, LayerIndex >= 0 && LayerIndex < parsed.LayerLocations.Length ? parsed.LayerLocations[LayerIndex] : parsed.NetworkLocation, Arguments);

    internal static EquatableArray<string> Format(object[] arguments)
        => arguments.Select(a => a is float f ? Parsing.AttributeReader.Format(f) : a?.ToString() ?? "").ToEquatableArray();
}
