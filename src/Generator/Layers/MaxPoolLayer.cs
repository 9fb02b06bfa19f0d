using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;
using static StaticConvNet.Generator.Emit.CodeWriter;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[MaxPool(size, Stride = s, Padding = ...)]</c>: the maximum of each window, per channel; padding
/// never wins (TensorFlow pads with −inf). Shared pooling behaviour is in <see cref="PoolLayer"/>.</summary>
internal sealed record MaxPoolLayer(string Name, int Size, int Stride, PaddingKind Padding) : PoolLayer(Name, Size, Stride, Padding)
{
    public static readonly LayerKind Definition = new("MaxPool", "pool", Parse);

    private static LayerSpec Parse(AttributeReader a, string name)
    {
        var (size, stride, padding) = ReadWindow(a);
        return new MaxPoolLayer(name, size, stride, padding);
    }

    public override string Kind => Definition.Name;

    protected override string Operation => "max pooling";

    /// <summary>The gradient goes to the window's maximum, found again from the input.</summary>
    public override bool BackwardReadsInput => true;

    /// <summary>The maximum it routes a gradient to is the ReLU's output there: where that is 0 the gradient stops.</summary>
    public override bool CanMaskReluGradient => true;

    public override string? LegacyIdentity => $"MaxPool {Int(Size)}x{Int(Size)}, stride {Int(Stride)}, {Fingerprint.LegacyPadding(Padding)}";
}
