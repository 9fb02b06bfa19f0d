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
        => "scn2; in " + spec.Input + "; " + string.Join("; ", layers.Select(l => l.Spec is BranchingLayer b ? b.IdentityWith(l.Branches) : l.Spec.Identity));

    /// <summary>Format 1 (files written before format 2): the layer list as text, "name Kind detail -> output",
    /// frozen in each kind's <see cref="LayerSpec.LegacyIdentity"/>. Null when a kind did not exist then.</summary>
    public static string? LegacyOf(NetworkSpec spec, EquatableArray<ResolvedLayer> layers)
        => layers.Any(l => l.Spec.LegacyIdentity is null)
            ? null
            : "in " + spec.Input + "; " + string.Join("; ", layers.Select(l => $"{l.Spec.Name} {l.Spec.LegacyIdentity} -> {l.Output}"));

    /// <summary>Where a weights file's fingerprint first differs from <paramref name="network"/>'s, in words, and what
    /// each side has there: what SCN0016 says instead of printing both fingerprints whole. A format-1 fingerprint is
    /// compared with the network's format-1 text.</summary>
    public static (string Where, string FileHas, string NetworkHas) FirstDifference(string file, ResolvedNetwork network)
    {
        var legacy = !file.StartsWith("scn2;", System.StringComparison.Ordinal) && network.LegacyFingerprint is not null;
        var theirs = file.Split(new[] { "; " }, System.StringSplitOptions.None);
        var ours = (legacy ? network.LegacyFingerprint! : network.Fingerprint).Split(new[] { "; " }, System.StringSplitOptions.None);
        var firstLayer = legacy ? 1 : 2; // format 2 starts "scn2; in HxWxC; ", format 1 "in HxWxC; "
        var i = 0;
        while (i < theirs.Length && i < ours.Length && theirs[i] == ours[i]) i++;
        string Quote(string[] parts) => i < parts.Length ? $"'{parts[i]}'" : $"no layer {i - firstLayer + 1}";
        if (i < firstLayer) return (i == firstLayer - 1 ? "the input" : "the fingerprint format", Quote(theirs), Quote(ours));
        var layer = i - firstLayer;
        var name = layer < network.Layers.Length ? $" ('{network.Layers[layer].Spec.Name}')" : "";
        return ($"layer {layer + 1}{name}", Quote(theirs), Quote(ours));
    }

    /// <summary>Padding as format 1 wrote it (frozen, unlike the display text it once shared).</summary>
    public static string LegacyPadding(PaddingKind padding) => padding == PaddingKind.Same ? "SAME" : "VALID";
}
