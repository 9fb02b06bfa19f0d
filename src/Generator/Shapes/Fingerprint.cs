using System.Linq;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Shapes;

/// <summary>A network's identity, as checkpoints and weights files carry it.</summary>
internal static class Fingerprint
{
    /// <summary>Format 2: the input shape, then each layer's <see cref="LayerSpec.Identity"/> (kind and every field
    /// that decides the computation or the parameter layout). Names, initialisers, display text and checks are not
    /// part of it: renaming a layer or rewording a message keeps every file loadable.</summary>
    public static string Of(NetworkSpec spec, EquatableArray<ResolvedLayer> layers)
        => "scn2; in " + spec.Input + "; " + string.Join("; ", layers.Select(l => l.Spec.Identity));

    /// <summary>Format 1 (files written before format 2): the layer list as text, "name Kind detail -> output",
    /// frozen in each kind's <see cref="LayerSpec.LegacyIdentity"/>. Null when a kind did not exist then.</summary>
    public static string? LegacyOf(NetworkSpec spec, EquatableArray<ResolvedLayer> layers)
        => layers.Any(l => l.Spec.LegacyIdentity is null)
            ? null
            : "in " + spec.Input + "; " + string.Join("; ", layers.Select(l => $"{l.Spec.Name} {l.Spec.LegacyIdentity} -> {l.Output}"));

    /// <summary>Padding as format 1 wrote it (frozen, unlike the display text it once shared).</summary>
    public static string LegacyPadding(PaddingKind padding) => padding == PaddingKind.Same ? "SAME" : "VALID";
}
