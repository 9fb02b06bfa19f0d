using System.Collections.Generic;
using StaticConvNet.Generator.Layers;

namespace StaticConvNet.Generator.Model;

/// <summary>Every layer of a stack with the name it has in the network: its own at the top, and inside a block the
/// path of the layers and blocks that hold it, "concat1.Tower3x3.conv2" (code names it Concat1_Tower3x3_Conv2).</summary>
internal static class LayerPaths
{
    /// <summary>Each layer, a layer of blocks before its blocks' layers, with its full name and the index of the
    /// network-level entry that holds it (where problems inside it are reported).</summary>
    public static IEnumerable<(LayerSpec Layer, string Name, int Site)> Flatten(IReadOnlyList<StackEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not LayerSpec layer) continue;
            foreach (var found in Within(layer, layer.Name, i)) yield return found;
        }
    }

    private static IEnumerable<(LayerSpec Layer, string Name, int Site)> Within(LayerSpec layer, string name, int site)
    {
        yield return (layer, name, site);
        if (layer is not BranchingLayer branching) yield break;
        foreach (var use in branching.Uses)
        {
            foreach (var entry in use.Block.Layers)
            {
                if (entry is not LayerSpec inner) continue;
                foreach (var found in Within(inner, $"{name}.{use.Segment}.{inner.Name}", site)) yield return found;
            }
        }
    }
}
