using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>Reads a class's layer attributes into its stack (a network's or a block's): each kind reads its own
/// attribute; this class numbers default names, checks names are valid and unique within the stack, and parses the
/// blocks a layer names, once each per network.</summary>
/// <remarks>A block is parsed where it is used, so editing it changes the spec of every network that uses it (and of
/// no other). Its own mistakes are reported once, at its own attributes, by <see cref="BlockParser"/>; a network that
/// uses a block in error generates no code (<see cref="BlockFailed"/>) and says nothing more.</remarks>
internal sealed class StackParser(INamedTypeSymbol root, List<DiagnosticInfo> rootDiagnostics, bool reportsCycles, CancellationToken cancellationToken) : IBlockReader
{
    public const string BlockAttribute = "StaticConvNet.BlockAttribute";

    private readonly Dictionary<ISymbol, BlockSpec?> _parsed = new(SymbolEqualityComparer.Default);

    // The root, then the blocks being parsed inside it: a block met again on this path contains itself.
    private readonly List<INamedTypeSymbol> _open = [root];

    /// <summary>True when a block used has errors of its own, which its declaration reports: nothing is generated.</summary>
    public bool BlockFailed { get; private set; }

    /// <summary>True when the compiler could not bind an attribute (it reports that itself).</summary>
    public bool CompilerErrors { get; private set; }

    public static bool IsBlock(INamedTypeSymbol type) => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BlockAttribute);

    /// <summary>The stack of <paramref name="type"/>, with each entry's location; problems go to <paramref name="diagnostics"/>.</summary>
    public (List<StackEntry> Entries, List<LocationInfo> Locations) Parse(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
    {
        var entries = new List<StackEntry>();
        var locations = new List<LocationInfo>();
        var counters = new Dictionary<LayerKind, int>();
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (attribute, kind) in NetworkParser.LayerAttributesInSourceOrder(type, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            counters[kind] = counters.TryGetValue(kind, out var n) ? n + 1 : 1;
            var location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
            var name = AttributeReader.NamedString(attribute, "Name") ?? kind.DefaultPrefix + counters[kind].ToString(CultureInfo.InvariantCulture);
            var reader = new AttributeReader(attribute, name, location, diagnostics);
            CompilerErrors |= reader.HasCompilerErrors;
            var entry = kind.Parse(reader, name, this);
            if (!NetworkParser.IsValidName(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidLayerName, location, name));
            }
            else if (!usedNames.Add(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateLayerName, location, name));
            }
            entries.Add(entry);
            locations.Add(location);
        }
        return (entries, locations);
    }

    public BlockSpec? Read(ITypeSymbol? type, AttributeReader attribute, string argument)
    {
        if (type is null)
        {
            // A typeof the compiler cannot bind is its error (Report skips an attribute with one); a null is ours.
            attribute.Report(Diagnostics.BlockIsNull, attribute.Owner, argument);
            return null;
        }
        if (type is not INamedTypeSymbol named || !IsBlock(named))
        {
            attribute.Report(Diagnostics.NotABlock, attribute.Owner, argument, type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
            return null;
        }
        var openAt = _open.FindIndex(t => SymbolEqualityComparer.Default.Equals(t, named));
        if (openAt >= 0)
        {
            ReportCycle(_open.Skip(openAt).Append(named).ToList(), attribute);
            return null;
        }
        if (_parsed.TryGetValue(named, out var parsed)) return parsed;

        _open.Add(named);
        var own = new List<DiagnosticInfo>(); // the block's own mistakes: its BlockParser reports them
        var (entries, _) = Parse(named, own);
        _open.RemoveAt(_open.Count - 1);
        var block = own.Count == 0 && entries.OfType<LayerSpec>().Any() ? new BlockSpec(named.Name, entries.ToEquatableArray()) : null;
        if (block is null) BlockFailed = true;
        _parsed[named] = block;
        return block;
    }

    /// <summary>A cycle is one mistake, so one error: the parse of its ordinally first block reports it, at the
    /// attribute that closes it. Any other parse (a network's, another block's) only fails.</summary>
    private void ReportCycle(List<INamedTypeSymbol> cycle, AttributeReader attribute)
    {
        BlockFailed = true;
        var names = cycle.Select(t => t.ToDisplayString()).ToList();
        var first = names.Take(names.Count - 1).OrderBy(n => n, StringComparer.Ordinal).First();
        if (!reportsCycles || !SymbolEqualityComparer.Default.Equals(cycle[0], root) || names[0] != first) return;
        rootDiagnostics.Add(DiagnosticInfo.Create(Diagnostics.BlockUsesItself, attribute.Location, attribute.Owner, cycle[0].Name,
            string.Join(" uses ", cycle.Select(t => t.Name))));
    }
}
