namespace StaticConvNet;

/// <summary>One layer of a generated network, as typed data: the generator writes this list from the same plan it
/// compiles, and tools (ONNX export, weight import, the CLI) read it. A tool that must handle every kind implements
/// <see cref="ILayerVisitor{T}"/>: adding a kind adds a method there, so every such tool stops compiling until it
/// handles the new kind. <c>[ExpectShape]</c> checks are not layers and are not listed.</summary>
/// <param name="Name">e.g. "conv1".</param>
/// <param name="Index">Position in the list; dropout keys its random stream by it.</param>
public abstract record LayerDescription(string Name, int Index, LayerShape Input, LayerShape Output)
{
    /// <summary>The attribute's name without "Attribute", for people (never switch on it: use a visitor).</summary>
    public abstract string Kind { get; }

    /// <summary>The layer's arguments in words, e.g. "16 filters, 5x5, stride 2, SAME".</summary>
    public abstract string Detail { get; }

    /// <summary>Weights plus biases this layer owns in the network's parameter buffer.</summary>
    public virtual int ParameterCount => 0;

    /// <summary>Whether <c>IConvNet.DropoutRate</c> (a run's <c>TrainingOptions.DropoutRate</c>) changes what this
    /// layer does: a run that sets a rate for a network with no such layer is refused, not silently ignored.</summary>
    public virtual bool UsesDropoutRate => false;

    /// <summary>The blocks this layer runs (<c>[Concat]</c>, <c>[Residual]</c>), in parameter order; none for a plain layer.</summary>
    public virtual IEnumerable<BlockDescription> InnerBlocks => [];

    public abstract T Accept<T>(ILayerVisitor<T> visitor);

    /// <summary>e.g. "conv1: Conv2D 16 filters, 5x5, stride 1, SAME, 28x28x1 -> 28x28x16" (sealed: every kind reads alike).</summary>
    public sealed override string ToString() => $"{Name}: {Kind} {Detail}, {Input} -> {Output}";
}

/// <summary>A layer with weights and biases: its weights start at <see cref="ParameterOffset"/> in
/// <c>IConvNet.Parameters</c> and its biases follow them.</summary>
public abstract record ParameterizedLayer(string Name, int Index, LayerShape Input, LayerShape Output, int ParameterOffset)
    : LayerDescription(Name, Index, Input, Output)
{
    /// <summary>The weights' shape in TensorFlow's layout (Conv2D: HWIO; Dense: [in, out]).</summary>
    public abstract int[] WeightShape { get; }

    public int WeightCount => WeightShape.Aggregate(1, (a, b) => a * b);

    public int BiasCount => Output.Channels;

    public int BiasOffset => ParameterOffset + WeightCount;

    public override int ParameterCount => WeightCount + BiasCount;
}
