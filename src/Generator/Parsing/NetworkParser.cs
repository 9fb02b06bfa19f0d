using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>Turns a class carrying [Network] into a <see cref="NetworkSpec"/>: plain data, no symbols.
/// Checks what can be checked per attribute (argument ranges, names); shapes are checked later.</summary>
internal static class NetworkParser
{
    public static ParsedNetwork Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (ClassDeclarationSyntax)context.TargetNode;
        var networkAttribute = context.Attributes[0];
        var networkLocation = LocationInfo.From(networkAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        var className = type.Name;

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NetworkClassNotPartial,
                LocationInfo.From(declaration) is { } whole ? new LocationInfo(whole.FilePath, declaration.Identifier.Span, declaration.Identifier.GetLocation().GetLineSpan().Span) : null,
                className));
        }

        if (UnsupportedClassReason(type) is { } reason)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedNetworkClass, networkLocation, className, reason));
        }

        var input = new Shape(
            NamedInt(networkAttribute, "Height", 0),
            NamedInt(networkAttribute, "Width", 0),
            NamedInt(networkAttribute, "Channels", 1));
        var classes = NamedInt(networkAttribute, "Classes", 0);
        var batchCapacity = NamedInt(networkAttribute, "BatchCapacity", 16);
        var owner = $"[Network] on '{className}'";
        RequirePositive(diagnostics, networkLocation, owner, "Height", input.Height);
        RequirePositive(diagnostics, networkLocation, owner, "Width", input.Width);
        RequirePositive(diagnostics, networkLocation, owner, "Channels", input.Channels);
        RequirePositive(diagnostics, networkLocation, owner, "Classes", classes);
        RequirePositive(diagnostics, networkLocation, owner, "BatchCapacity", batchCapacity);

        var layerAttributes = LayerAttributesInSourceOrder(type, cancellationToken);
        var declarationsWithLayers = layerAttributes
            .Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent)
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

        var layers = new List<LayerSpec>();
        var counters = new Dictionary<LayerKind, int>();
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var attribute in layerAttributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = ParseLayer(attribute, counters, diagnostics, cancellationToken);
            if (!IsValidName(layer.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidLayerName, layer.Location, layer.Name,
                    "is not a valid name: use a letter followed by letters, digits or '_'"));
            }
            else if (!usedNames.Add(layer.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidLayerName, layer.Location, layer.Name,
                    "is used by an earlier layer: names must be unique (ignoring case)"));
            }
            layers.Add(layer);
        }

        var spec = new NetworkSpec(
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            ClassName: className,
            FileHint: type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", ""),
            Location: networkLocation,
            Input: input,
            Classes: classes,
            BatchCapacity: batchCapacity,
            Layers: layers.ToEquatableArray(),
            WeightsFile: NamedString(networkAttribute, "Weights") is { Length: > 0 } weights ? weights : null,
            DeclaresOnlyConstructorsWithParameters: type.InstanceConstructors.Length > 0 && type.InstanceConstructors.All(c => !c.IsImplicitlyDeclared && c.Parameters.Length > 0));
        return new ParsedNetwork(spec, diagnostics.ToEquatableArray());
    }

    /// <summary>Layer attributes of every declaration of the type, ordered by file and position:
    /// the order the user reads them in.</summary>
    internal static List<AttributeData> LayerAttributesInSourceOrder(INamedTypeSymbol type, CancellationToken cancellationToken)
        => type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && AttributeNames.Layers.Contains(c.ToDisplayString()))
            .Select(a => (Attribute: a, Syntax: a.ApplicationSyntaxReference?.GetSyntax(cancellationToken)))
            .OrderBy(x => x.Syntax?.SyntaxTree.FilePath, StringComparer.Ordinal)
            .ThenBy(x => x.Syntax?.SpanStart ?? 0)
            .Select(x => x.Attribute)
            .ToList();

    private static string? UnsupportedClassReason(INamedTypeSymbol type)
    {
        if (type.ContainingType is not null) return "is nested in another type; declare it at namespace level";
        if (type.IsGenericType) return "is generic; a network's shapes are fixed, so it takes no type parameters";
        if (type.IsStatic) return "is static; a network holds its parameters, so it must be instantiable";
        return null;
    }

    private static LayerSpec ParseLayer(AttributeData attribute, Dictionary<LayerKind, int> counters,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var kind = KindOf(attribute.AttributeClass!.ToDisplayString());
        counters[kind] = counters.TryGetValue(kind, out var n) ? n + 1 : 1;
        var name = NamedString(attribute, "Name") ?? DefaultPrefix(kind) + counters[kind].ToString(CultureInfo.InvariantCulture);
        var location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        var layer = new LayerSpec(kind, name, location);

        void Positive(string argument, int value) => RequirePositive(diagnostics, location, name, argument, value);
        void Unsupported(string message) => diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedArgument, location, name, message));

        switch (kind)
        {
            case LayerKind.Conv2D:
            {
                layer = layer with
                {
                    Size = CtorInt(attribute, 0),
                    Patch = NamedInt(attribute, "Patch", 0),
                    Stride = NamedInt(attribute, "Stride", 1),
                    Padding = ParsePadding(attribute, Unsupported),
                    WeightStd = NamedFloat(attribute, "WeightStd", 0.1f),
                    BiasInit = NamedFloat(attribute, "BiasInit", 0f),
                };
                Positive("filters", layer.Size);
                if (!IsNamed(attribute, "Patch")) Unsupported("Patch is required, e.g. [Conv2D(16, Patch = 5)]");
                else Positive("Patch", layer.Patch);
                Positive("Stride", layer.Stride);
                CheckInitialiser(layer, Unsupported);
                break;
            }
            case LayerKind.Dense:
                layer = layer with
                {
                    Size = CtorInt(attribute, 0),
                    WeightStd = NamedFloat(attribute, "WeightStd", 0.1f),
                    BiasInit = NamedFloat(attribute, "BiasInit", 0f),
                };
                Positive("units", layer.Size);
                CheckInitialiser(layer, Unsupported);
                break;
            case LayerKind.MaxPool:
            {
                var size = CtorInt(attribute, 0);
                layer = layer with
                {
                    Size = size,
                    // An unset Stride means "as wide as the window", TensorFlow's usual ksize == strides.
                    Stride = IsNamed(attribute, "Stride") ? NamedInt(attribute, "Stride", 0) : size,
                    Padding = ParsePadding(attribute, Unsupported),
                };
                Positive("size", layer.Size);
                if (IsNamed(attribute, "Stride")) Positive("Stride", layer.Stride);
                break;
            }
            case LayerKind.Dropout:
            {
                var rate = CtorFloat(attribute, 0);
                layer = layer with { Rate = rate };
                if (!(rate >= 0f && rate < 1f))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DropoutRateOutOfRange, location, name, Format(rate)));
                }
                break;
            }
            case LayerKind.LocalResponseNorm:
                layer = layer with
                {
                    DepthRadius = NamedInt(attribute, "DepthRadius", 5),
                    LrnBias = NamedFloat(attribute, "Bias", 1f),
                    LrnAlpha = NamedFloat(attribute, "Alpha", 1f),
                    LrnBeta = NamedFloat(attribute, "Beta", 0.5f),
                };
                if (layer.DepthRadius < 0) Unsupported($"DepthRadius must be 0 or more, but is {layer.DepthRadius}");
                if (!IsFinite(layer.LrnBias) || layer.LrnBias <= 0f) Unsupported($"Bias must be a finite number above 0 (it is raised to -Beta), but is {Format(layer.LrnBias)}");
                if (!IsFinite(layer.LrnAlpha) || layer.LrnAlpha < 0f) Unsupported($"Alpha must be a finite number of 0 or more, but is {Format(layer.LrnAlpha)}");
                if (!IsFinite(layer.LrnBeta)) Unsupported($"Beta must be a finite number, but is {Format(layer.LrnBeta)}");
                break;
            case LayerKind.ExpectShape:
                layer = layer with { Expected = new Shape(CtorInt(attribute, 0), CtorInt(attribute, 1), CtorInt(attribute, 2)) };
                Positive("height", layer.Expected.Height);
                Positive("width", layer.Expected.Width);
                Positive("channels", layer.Expected.Channels);
                break;
        }
        return layer;
    }

    private static void CheckInitialiser(LayerSpec layer, Action<string> unsupported)
    {
        if (!IsFinite(layer.WeightStd) || layer.WeightStd < 0f) unsupported($"WeightStd must be a finite number of 0 or more, but is {Format(layer.WeightStd)}");
        if (!IsFinite(layer.BiasInit)) unsupported($"BiasInit must be a finite number, but is {Format(layer.BiasInit)}");
    }

    private static PaddingKind ParsePadding(AttributeData attribute, Action<string> unsupported)
    {
        var value = NamedInt(attribute, "Padding", 0);
        if (value is 0 or 1) return (PaddingKind)value;
        unsupported($"Padding must be Padding.Same or Padding.Valid, but is {value}");
        return PaddingKind.Same;
    }

    private static void RequirePositive(List<DiagnosticInfo> diagnostics, LocationInfo? location, string owner, string argument, int value)
    {
        if (value <= 0) diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveArgument, location, owner, argument, value));
    }

    private static LayerKind KindOf(string attributeName) => attributeName switch
    {
        AttributeNames.Conv2D => LayerKind.Conv2D,
        AttributeNames.MaxPool => LayerKind.MaxPool,
        AttributeNames.ReLU => LayerKind.ReLU,
        AttributeNames.Dense => LayerKind.Dense,
        AttributeNames.Dropout => LayerKind.Dropout,
        AttributeNames.LocalResponseNorm => LayerKind.LocalResponseNorm,
        _ => LayerKind.ExpectShape,
    };

    private static string DefaultPrefix(LayerKind kind) => kind switch
    {
        LayerKind.Conv2D => "conv",
        LayerKind.MaxPool => "pool",
        LayerKind.ReLU => "relu",
        LayerKind.Dense => "dense",
        LayerKind.Dropout => "dropout",
        LayerKind.LocalResponseNorm => "lrn",
        _ => "expect",
    };

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !char.IsLetter(name[0]) || name[0] > 127) return false;
        foreach (var c in name)
        {
            if (c > 127 || !(char.IsLetterOrDigit(c) || c == '_')) return false;
        }
        return true;
    }

    private static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

    internal static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static bool IsNamed(AttributeData attribute, string name) => attribute.NamedArguments.Any(a => a.Key == name);

    private static TypedConstant? Named(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name) return argument.Value;
        }
        return null;
    }

    private static int NamedInt(AttributeData attribute, string name, int fallback)
        => Named(attribute, name) is { Value: int value } ? value : fallback;

    private static float NamedFloat(AttributeData attribute, string name, float fallback)
        => Named(attribute, name) is { Value: float value } ? value : fallback;

    private static string? NamedString(AttributeData attribute, string name)
        => Named(attribute, name) is { Value: string value } ? value : null;

    private static int CtorInt(AttributeData attribute, int index)
        => attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is int value ? value : 0;

    private static float CtorFloat(AttributeData attribute, int index)
        => attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is float value ? value : 0f;
}
