using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[AvgPool(size, Stride = s, Padding = ...)]</c>: the mean of each window, per channel, with
/// TensorFlow's <c>avg_pool</c> semantics: a SAME window at the border averages only its inputs inside the image.
/// Shared pooling behaviour is in <see cref="PoolLayer"/>.</summary>
internal sealed record AvgPoolLayer(string Name, int Size, int Stride, PaddingKind Padding) : PoolLayer(Name, Size, Stride, Padding)
{
    public static readonly LayerKind Definition = new("AvgPool", "avgpool", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var (size, stride, padding) = ReadWindow(a);
        return new AvgPoolLayer(name, size, stride, padding);
    }

    public override string Kind => Definition.Name;

    protected override string Operation => "average pooling";

    /// <summary>Each output's gradient spreads evenly over its window: the input values do not matter.</summary>
    public override bool BackwardReadsInput => false;
}
