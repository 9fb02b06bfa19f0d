namespace StaticConvNet.Generator.Model;

/// <summary>A layer with every shape, padding and buffer offset resolved: all the emitter needs.</summary>
internal sealed record ResolvedLayer(
    LayerSpec Spec,
    Shape Input,
    Shape Output,
    string InputSource,
    int PadTop,
    int PadLeft,
    int WeightCount,
    int BiasCount,
    int ParameterOffset,
    int ActivationOffset,
    int MaskOffset)
{
    /// <summary>The layer's name in PascalCase, the prefix of its constants and methods.</summary>
    public string Pascal => Naming.ToPascal(Spec.Name);

    public bool HasParameters => WeightCount > 0;
}

/// <summary>The resolved network: input, layers, and the sizes of its buffers.</summary>
internal sealed record ResolvedNetwork(
    NetworkSpec Spec,
    EquatableArray<ResolvedLayer> Layers,
    int ParameterCount,
    int ActivationLength,
    int MaskLength);

/// <summary>What shape inference produced: a plan when the stack is valid, and its diagnostics.</summary>
internal sealed record NetworkPlan(ResolvedNetwork? Network, EquatableArray<DiagnosticInfo> Diagnostics);

internal static class Naming
{
    public static string ToPascal(string name)
        => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    public static string ToCamel(string name)
        => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
