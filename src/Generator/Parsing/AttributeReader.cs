using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>Reads one attribute's arguments for the layer kind that owns it, reporting bad values on the attribute.
/// A property the user did not set takes the attribute's own <c>Default{Property}</c> constant, so defaults live in
/// one place (the runtime's attribute class) and the generator never restates them.</summary>
internal sealed class AttributeReader(AttributeData attribute, string owner, LocationInfo location, List<DiagnosticInfo> diagnostics)
{
    /// <summary>What messages call the attribute's owner: the layer's name, or "[Network] on 'X'".</summary>
    public string Owner { get; } = owner;

    /// <summary>True when the C# compiler could not bind the attribute or one of its arguments (a non-constant value,
    /// a wrong type): it reports that itself, and anything said about the missing values here would be false (the
    /// value reads as 0), so nothing is reported and no code is generated.</summary>
    public bool HasCompilerErrors { get; } = HasErrors(attribute);

    private static bool HasErrors(AttributeData attribute)
        => attribute.AttributeConstructor is null
           || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
           || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    public bool IsSet(string property) => attribute.NamedArguments.Any(a => a.Key == property);

    public int Int(string property) => Named(property) is { Value: int value } ? value : Default(property) is int fallback ? fallback : 0;

    /// <summary>A real-valued argument, rounded to the float the network computes with. Attributes declare them double
    /// so that every literal kind compiles; float ones (an older runtime's) are read too.</summary>
    public float Float(string property) => ToFloat(Named(property)?.Value) ?? ToFloat(Default(property)) ?? 0f;

    public string? String(string property) => NamedString(attribute, property);

    public static string? NamedString(AttributeData attribute, string property)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == property).Value.Value as string;

    /// <summary>Where the attribute is, for what a kind reports through others (its blocks).</summary>
    public LocationInfo Location => location;

    /// <summary>The classes a <c>params Type[]</c> argument names, in order (null for a <c>null</c>, or one the compiler
    /// could not bind). A <c>null</c> given for the whole array (<c>[Concat(null)]</c>) is one null.</summary>
    public IReadOnlyList<ITypeSymbol?> TypesArgument(int index)
        => attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index] is { Kind: TypedConstantKind.Array } array
            ? array.IsNull ? [null] : array.Values.Select(v => v.Value as ITypeSymbol).ToList()
            : [];

    public ITypeSymbol? TypeArgument(int index)
        => attribute.ConstructorArguments.Length > index ? attribute.ConstructorArguments[index].Value as ITypeSymbol : null;

    public ITypeSymbol? NamedType(string property) => Named(property)?.Value as ITypeSymbol;

    public int IntArgument(int index)
        => attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is int value ? value : 0;

    public float FloatArgument(int index)
        => attribute.ConstructorArguments.Length > index ? ToFloat(attribute.ConstructorArguments[index].Value) ?? 0f : 0f;

    private static float? ToFloat(object? value) => value switch
    {
        double d => (float)d,
        float f => f,
        int i => i,
        _ => null,
    };

    public PaddingKind Padding()
    {
        var value = Int("Padding");
        if (value is 0 or 1) return (PaddingKind)value;
        Report(Diagnostics.UnsupportedArgument, Owner, "Padding", "Padding.Same or Padding.Valid", value);
        return PaddingKind.Same;
    }

    public void RequirePositive(string argument, int value)
    {
        if (value <= 0) Report(Diagnostics.NonPositiveArgument, Owner, argument, value);
    }

    /// <param name="why">Said after the range, e.g. " (it is raised to -Beta)".</param>
    public void RequireFinite(string argument, float value, bool allowNegative = true, bool allowZero = true, string why = "")
    {
        var finite = !float.IsNaN(value) && !float.IsInfinity(value);
        if (finite && (allowNegative || value >= 0f) && (allowZero || value != 0f)) return;
        var range = !allowNegative && !allowZero ? " above 0" : !allowNegative ? " of 0 or more" : "";
        Report(Diagnostics.ArgumentNotFinite, Owner, argument, range, why, Format(value));
    }

    /// <summary>Whether <paramref name="argument"/> is set; reports it missing when it is not.</summary>
    /// <param name="example">How the attribute is written with it, e.g. "[Conv2D(16, Patch = 5)]".</param>
    public bool RequireSet(string argument, string example)
    {
        if (IsSet(argument)) return true;
        Report(Diagnostics.RequiredArgumentMissing, Owner, argument, example);
        return false;
    }

    public void RequireNotNegative(string argument, int value)
    {
        if (value < 0) Report(Diagnostics.NegativeArgument, Owner, argument, value);
    }

    public void Report(DiagnosticDescriptor descriptor, params object[] arguments)
    {
        if (!HasCompilerErrors) diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }

    /// <summary>A float as the user would write it, round-tripping (shortest form; for messages and text).</summary>
    internal static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float in identities (fingerprints): nine significant digits, which round-trip and which every host
    /// of the generator writes alike ("R" is the shortest form on .NET but up to seven digits first on .NET Framework).</summary>
    internal static string Identity(float value) => value.ToString("G9", CultureInfo.InvariantCulture);

    private TypedConstant? Named(string property)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == property) return argument.Value;
        }
        return null;
    }

    private object? Default(string property)
        => attribute.AttributeClass?.GetMembers("Default" + property).OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue)?.ConstantValue;
}
