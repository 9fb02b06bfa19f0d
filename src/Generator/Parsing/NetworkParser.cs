using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>Turns a class carrying [Network] into a <see cref="NetworkSpec"/>: plain data, no symbols, no locations
/// (those travel beside it, for diagnostics only). Each layer kind reads its own attribute; this class reads the
/// network's and walks the stack. Shapes are checked later.</summary>
internal static class NetworkParser
{
    public const string NetworkAttribute = "StaticConvNet.NetworkAttribute";

    public static ParsedNetwork Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var networkAttribute = context.Attributes[0];
        var networkLocation = LocationInfo.From(networkAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        var className = type.Name;

        var partial = declaration.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!partial)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NetworkClassNotPartial, LocationInfo.From(declaration.Identifier), className));
        }

        var bakesWeights = AttributeReader.NamedString(networkAttribute, "Weights") is { Length: > 0 };
        if (UnsupportedClassReason(type, bakesWeights, cancellationToken) is { } reason)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedNetworkClass, networkLocation, className, reason));
        }

        var network = new AttributeReader(networkAttribute, $"[Network] on '{className}'", networkLocation, diagnostics);
        var input = new Shape(network.Int("Height"), network.Int("Width"), network.Int("Channels"));
        var classes = network.Int("Classes");
        var batchCapacity = network.Int("BatchCapacity");
        network.RequirePositive("Height", input.Height);
        network.RequirePositive("Width", input.Width);
        network.RequirePositive("Channels", input.Channels);
        network.RequirePositive("Classes", classes);
        network.RequirePositive("BatchCapacity", batchCapacity);

        var layerAttributes = LayerAttributesInSourceOrder(type, cancellationToken);
        ReportUnknownLayerAttributes(type, diagnostics, cancellationToken);
        var declarationsWithLayers = layerAttributes
            .Select(a => a.Attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent)
            .Where(node => node is not null)
            .Distinct()
            .Count();
        if (declarationsWithLayers > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.LayersSplitAcrossDeclarations, networkLocation, className, declarationsWithLayers));
        }

        if (layerAttributes.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NoLayers, networkLocation, className, classes));
        }

        var stack = new StackParser(type, diagnostics, reportsCycles: false, cancellationToken);
        var (entries, locations) = stack.Parse(type, diagnostics);
        var compilerErrors = network.HasCompilerErrors || stack.CompilerErrors;

        // Only names that are valid and unique can be checked against each other's generated members; the user's own
        // members are always checked (a network in error still gets its public surface, which must not clash).
        CheckGeneratedNames(type, context.SemanticModel.Compilation.GetTypeByMetadataName(ConvNetInterface), bakesWeights, entries, locations, networkLocation, diagnostics,
            checkLayers: !diagnostics.Any(d => d.Id == Diagnostics.InvalidLayerName.Id || d.Id == Diagnostics.DuplicateLayerName.Id));

        var namespaceName = type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "";
        var fileHint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        var weightsFile = network.String("Weights") is { Length: > 0 } weights ? weights : null;
        // Not for a class that cannot take generated members (SCN0012), or that declares one of them itself (SCN0024).
        var surface = partial && !diagnostics.Any(d => d.Id == Diagnostics.UnsupportedNetworkClass.Id || d.Id == Diagnostics.MemberClashesWithGenerated.Id)
            ? new NetworkSurface(namespaceName, className, fileHint, input.Height, input.Width, input.Channels, classes, batchCapacity, weightsFile is not null)
            : null;
        var spec = diagnostics.Count > 0 || compilerErrors || stack.BlockFailed ? null : new NetworkSpec(
            Namespace: namespaceName,
            ClassName: className,
            FileHint: fileHint,
            Input: input,
            Classes: classes,
            BatchCapacity: batchCapacity,
            Layers: entries.ToEquatableArray(),
            WeightsFile: weightsFile,
            DeclaresOnlyConstructorsWithParameters: type.InstanceConstructors.Length > 0 && type.InstanceConstructors.All(c => !c.IsImplicitlyDeclared && c.Parameters.Length > 0),
            DeclaresToString: type.GetMembers("ToString").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && !m.IsImplicitlyDeclared));
        return new ParsedNetwork(spec, surface, networkLocation, locations.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    /// <summary>Layer attributes of every declaration of the type with their kinds, ordered by file and position:
    /// the order the user reads them in.</summary>
    internal static List<(AttributeData Attribute, LayerKind Kind)> LayerAttributesInSourceOrder(INamedTypeSymbol type, CancellationToken cancellationToken)
        => type.GetAttributes()
            .Select(a => (Attribute: a, Kind: a.AttributeClass is { } c ? LayerKinds.ForAttribute(c.ToDisplayString()) : null))
            .Where(x => x.Kind is not null)
            .Select(x => (x.Attribute, Kind: x.Kind!, Syntax: x.Attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)))
            .OrderBy(x => x.Syntax?.SyntaxTree.FilePath, StringComparer.Ordinal)
            .ThenBy(x => x.Syntax?.SpanStart ?? 0)
            .Select(x => (x.Attribute, x.Kind))
            .ToList();

    /// <summary>SCN0018 for each attribute of <paramref name="type"/> that derives from LayerAttribute but is no kind.</summary>
    internal static void ReportUnknownLayerAttributes(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        foreach (var unknown in UnknownLayerAttributes(type))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnknownLayerAttribute,
                LocationInfo.From(unknown.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
                ShortName(unknown.AttributeClass!), type.Name, string.Join(", ", LayerKinds.All.Select(k => k.Name))));
        }
    }

    /// <summary>Attributes deriving from StaticConvNet.LayerAttribute that are no layer kind the generator knows (a user's
    /// own [LeakyReLU], say): without an error the layer would silently be missing from the network.</summary>
    private static IEnumerable<AttributeData> UnknownLayerAttributes(INamedTypeSymbol type)
        => type.GetAttributes().Where(a => a.AttributeClass is { } c && LayerKinds.ForAttribute(c.ToDisplayString()) is null && DerivesFromLayerAttribute(c));

    private static bool DerivesFromLayerAttribute(INamedTypeSymbol attribute)
    {
        for (var t = attribute.BaseType; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() == "StaticConvNet.LayerAttribute") return true;
        }
        return false;
    }

    /// <summary>How the user writes the attribute: its class name without "Attribute".</summary>
    private static string ShortName(INamedTypeSymbol attribute)
        => attribute.Name.EndsWith("Attribute", StringComparison.Ordinal) ? attribute.Name.Substring(0, attribute.Name.Length - "Attribute".Length) : attribute.Name;

    /// <summary>Refuses names that would make the generated file declare a member twice: a layer whose members
    /// (<c>{Name}OutputLength</c>, …) are a network member, another layer's member or the class's own name, and a
    /// member the user declared that the generated code also declares.</summary>
    private static void CheckGeneratedNames(INamedTypeSymbol type, INamedTypeSymbol? convNet, bool bakesWeights, List<StackEntry> entries, List<LocationInfo> locations,
        LocationInfo networkLocation, List<DiagnosticInfo> diagnostics, bool checkLayers)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in Emit.GeneratedMembers.Network) owners[member] = "";
        owners[type.Name] = "";
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (layer, name, site) in checkLayers ? LayerPaths.Flatten(entries) : [])
        {
            if (!IsValidName(layer.Name)) continue;
            var pascal = Naming.ToPascal(name);
            foreach (var suffix in Emit.GeneratedMembers.SuffixesOf(layer))
            {
                var member = pascal + suffix;
                if (!owners.TryGetValue(member, out var owner)) { owners[member] = name; continue; }
                if (owner == name || !reported.Add(name)) continue;
                var clash = owner.Length == 0
                    ? member == type.Name ? "the network class's own name" : "a member every network has"
                    : $"also a member of layer '{owner}'";
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.LayerNameClashesWithMember, locations[site], name, member, clash));
            }
        }
        foreach (var member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }) continue;
            var overload = member is IMethodSymbol method && Emit.GeneratedMembers.NetworkMethods.Contains(member.Name) && !SameParameters(method, convNet, bakesWeights);
            if (owners.ContainsKey(member.Name) && member.Name != type.Name && !overload)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MemberClashesWithGenerated, networkLocation, type.Name, member.Name));
            }
        }
    }

    /// <summary>The interface every generated network implements: its methods are the generated ones of those names.</summary>
    private const string ConvNetInterface = "StaticConvNet.IConvNet";

    /// <summary>Whether <paramref name="method"/> takes the parameters of the generated method of its name, as the
    /// interface declares it (an overload of another signature is no clash; the same signature would be CS0111 in the
    /// generated file).</summary>
    private static bool SameParameters(IMethodSymbol method, INamedTypeSymbol? convNet, bool bakesWeights)
        => convNet is not null && convNet.GetMembers(method.Name switch
        {
            // With Weights, the static Classify and ClassifyLogits take what Predict and Forward take.
            "Classify" when bakesWeights => "Predict",
            "ClassifyLogits" when bakesWeights => "Forward",
            var name => name,
        }).OfType<IMethodSymbol>().Any(generated =>
            generated.Parameters.Length == method.Parameters.Length
            && generated.Parameters.Zip(method.Parameters, (g, m) => g.RefKind == m.RefKind && SymbolEqualityComparer.Default.Equals(g.Type, m.Type)).All(same => same));

    private static string? UnsupportedClassReason(INamedTypeSymbol type, bool bakesWeights, CancellationToken cancellationToken)
    {
        if (type.IsRecord) return "is a record; a network holds its buffers and is compared by identity, so declare it as a partial class";
        if (type.ContainingType is not null) return "is nested in another type; declare it at namespace level";
        if (type.IsGenericType) return "is generic; a network's shapes are fixed, so it takes no type parameters";
        if (type.IsStatic) return "is static; a network holds its parameters, so it must be instantiable";
        if (!bakesWeights) return null;
        // Classify and ClassifyLogits make the instances they run: new X(), or a private X() the generated code adds
        // beside constructors that all take parameters, which a primary constructor's class cannot have.
        if (type.IsAbstract) return "is abstract, but with Weights its generated Classify makes instances of it: make it concrete";
        var primary = type.InstanceConstructors.Any(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax));
        if (primary && !type.InstanceConstructors.Any(c => c.Parameters.Length == 0))
            return "has a primary constructor and no constructor without parameters, but with Weights its generated Classify makes instances of it: add one (: this(...))";
        return null;
    }

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !char.IsLetter(name[0]) || name[0] > 127) return false;
        foreach (var c in name)
        {
            if (c > 127 || !(char.IsLetterOrDigit(c) || c == '_')) return false;
        }
        return true;
    }
}
