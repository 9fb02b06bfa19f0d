using System.Globalization;
using System.Text;

namespace StaticConvNet;

/// <summary>A generated network's layer stack, generated alongside it.</summary>
/// <param name="Fingerprint">The network's identity, computed by the generator from the structure that decides the
/// parameter layout and the computation (input, kinds, sizes, strides, padding, rates) and never from display text.
/// Checkpoints and weights files carry it, so weights only ever load into the network they fit.</param>
/// <param name="StateCount">Floats of <c>IConvNet.State</c>: BatchNorm's running statistics.</param>
/// <param name="LegacyFingerprint">The identity files written before fingerprint format 2 carry (the layer list as
/// text), or null for a network that could not have been written then; such files still load.</param>
public sealed record NetworkDescription(
    string Name, int InputHeight, int InputWidth, int InputChannels, int Classes, int BatchCapacity,
    int ParameterCount, string Fingerprint, string? LegacyFingerprint, IReadOnlyList<LayerDescription> Layers, int StateCount = 0)
{
    public LayerShape Input => new(InputHeight, InputWidth, InputChannels);

    /// <summary>Whether a file carrying <paramref name="fingerprint"/> holds weights for this network.</summary>
    public bool IsFingerprintOf(string fingerprint)
        => fingerprint == Fingerprint || (LegacyFingerprint is not null && fingerprint == LegacyFingerprint);

    /// <summary>Every layer, blocks' layers included, in source order (depth first): a <c>[Concat]</c> or
    /// <c>[Residual]</c>, then its blocks' layers. Parameterised layers come in the order of <c>Parameters</c>.</summary>
    public IEnumerable<LayerDescription> AllLayers => DepthFirst(Layers);

    private static IEnumerable<LayerDescription> DepthFirst(IEnumerable<LayerDescription> layers)
    {
        foreach (var layer in layers)
        {
            yield return layer;
            foreach (var inner in layer.InnerBlocks.SelectMany(b => DepthFirst(b.Layers))) yield return inner;
        }
    }

    /// <summary>The layer list on one line, e.g. "Arch2ConvPool: 28x28x1 -> conv1 Conv2D 28x28x16 -> … -> logits Dense 1x1x10".</summary>
    public override string ToString()
        => $"{Name}: {Input} -> " + string.Join(" -> ", Layers.Select(l => $"{l.Name} {l.Kind} {l.Output}"));

    /// <summary>A table of the layers as Keras's <c>model.summary()</c> prints it: each layer's name and kind, its
    /// arguments, output shape and parameter count, then the totals.</summary>
    public string Summary()
    {
        var header = new SummaryRow("Layer (kind)", "Arguments", "Output shape", "Parameters");
        var rows = new List<SummaryRow> { new("input", "", Input.ToString(), "") };
        AddRows(rows, Layers, "");
        var all = rows.Append(header).ToList();
        int layer = all.Max(r => r.Layer.Length), detail = all.Max(r => r.Detail.Length), output = all.Max(r => r.Output.Length), parameters = all.Max(r => r.Parameters.Length);
        string Line(SummaryRow r) => $"{r.Layer.PadRight(layer)}  {r.Detail.PadRight(detail)}  {r.Output.PadRight(output)}  {r.Parameters.PadLeft(parameters)}".TrimEnd();
        var rule = new string('-', layer + detail + output + parameters + 6);
        var text = new StringBuilder();
        text.AppendLine($"{Name}: {Input} -> {Classes} classes");
        text.AppendLine(rule).AppendLine(Line(header)).AppendLine(rule);
        foreach (var row in rows) text.AppendLine(Line(row));
        text.AppendLine(rule);
        text.AppendLine(FormattableString.Invariant($"Parameters: {ParameterCount:N0} ({ParameterCount * 4L:N0} bytes as float32); batch capacity {BatchCapacity}"));
        return text.ToString();
    }

    /// <summary>A row per layer; a block's layers under it, indented, named as in the block (a tree).</summary>
    private static void AddRows(List<SummaryRow> rows, IReadOnlyList<LayerDescription> layers, string indent)
    {
        foreach (var l in layers)
        {
            var shortName = l.Name[(l.Name.LastIndexOf('.') + 1)..];
            rows.Add(new SummaryRow($"{indent}{shortName} ({l.Kind})", l.Detail, l.Output.ToString(), l.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)));
            foreach (var block in l.InnerBlocks)
            {
                rows.Add(new SummaryRow($"{indent}  {block.Name}", "", "", ""));
                AddRows(rows, block.Layers, indent + "    ");
            }
        }
    }

    private sealed record SummaryRow(string Layer, string Detail, string Output, string Parameters);
}
