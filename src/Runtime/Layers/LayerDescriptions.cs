using System.Globalization;

namespace StaticConvNet;

// The description of each layer kind, one record per kind, as ILayerVisitor<T> lists them.

/// <summary>2-D convolution plus bias; weights HWIO.</summary>
public sealed record Conv2DLayer(string Name, int Index, LayerShape Input, LayerShape Output, int ParameterOffset, WindowGeometry Window)
    : ParameterizedLayer(Name, Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Conv2D";
    public override string Detail => $"{Output.Channels} filters, {Window}";
    public override int[] WeightShape => [Window.Size, Window.Size, Input.Channels, Output.Channels];
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Fully connected layer over the HWC-flattened input; weights [in, out].</summary>
public sealed record DenseLayer(string Name, int Index, LayerShape Input, LayerShape Output, int ParameterOffset)
    : ParameterizedLayer(Name, Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Dense";
    public override string Detail => $"{Output.Channels} units";
    public override int[] WeightShape => [Input.Length, Output.Channels];
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Max pooling per channel; padding never wins.</summary>
public sealed record MaxPoolLayer(string Name, int Index, LayerShape Input, LayerShape Output, WindowGeometry Window)
    : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "MaxPool";
    public override string Detail => Window.ToString();
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Average pooling per channel over the window's inputs inside the image (TensorFlow's avg_pool).</summary>
public sealed record AvgPoolLayer(string Name, int Index, LayerShape Input, LayerShape Output, WindowGeometry Window)
    : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "AvgPool";
    public override string Detail => Window.ToString();
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Batch normalisation per channel: scale γ (the layer's "weights", one per channel) and shift β (its "biases");
/// its running mean and variance are <c>IConvNet.State</c> from <paramref name="StateOffset"/> ([mean C][variance C]).</summary>
/// <param name="Momentum">The weight of a batch's statistics in the running ones (PyTorch's convention).</param>
public sealed record BatchNormLayer(string Name, int Index, LayerShape Input, LayerShape Output, int ParameterOffset, int StateOffset, float Epsilon, float Momentum)
    : ParameterizedLayer(Name, Index, Input, Output, ParameterOffset)
{
    public override string Kind => "BatchNorm";
    public override string Detail => FormattableString.Invariant($"epsilon {Epsilon}, momentum {Momentum}");
    public override int[] WeightShape => [Output.Channels];
    public int StateCount => 2 * Output.Channels;
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>The mean of each channel over the whole image: H x W x C to 1 x 1 x C.</summary>
public sealed record GlobalAvgPoolLayer(string Name, int Index, LayerShape Input, LayerShape Output)
    : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "GlobalAvgPool";
    public override string Detail => "mean of each channel";
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>max(x, 0).</summary>
public sealed record ReluLayer(string Name, int Index, LayerShape Input, LayerShape Output) : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "ReLU";
    public override string Detail => "max(x, 0)";
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>tanh(x).</summary>
public sealed record TanhLayer(string Name, int Index, LayerShape Input, LayerShape Output) : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "Tanh";
    public override string Detail => "tanh(x)";
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Inverted dropout in training, identity at inference.</summary>
public sealed record DropoutLayer(string Name, int Index, LayerShape Input, LayerShape Output, float Rate) : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "Dropout";
    public override string Detail => FormattableString.Invariant($"rate {Rate}");
    public override bool UsesDropoutRate => true;
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Local response normalisation across channels, as <c>tf.nn.lrn</c>.</summary>
public sealed record LocalResponseNormLayer(string Name, int Index, LayerShape Input, LayerShape Output,
    int DepthRadius, float Bias, float Alpha, float Beta) : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "LocalResponseNorm";
    public override string Detail => FormattableString.Invariant($"depth radius {DepthRadius}, bias {Bias}, alpha {Alpha}, beta {Beta}");
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>One use of a <c>[Block]</c> class: its layers as this use resolved them (shapes, parameter offsets).</summary>
/// <param name="Name">The block's class name.</param>
public sealed record BlockDescription(string Name, IReadOnlyList<LayerDescription> Layers)
{
    public int ParameterCount => Layers.Sum(l => l.ParameterCount);

    public LayerShape Output(LayerShape input) => Layers.Count > 0 ? Layers[^1].Output : input;
}

/// <summary>Blocks run on the same input, their outputs concatenated by channel in order. Its parameters are its
/// blocks', in order.</summary>
public sealed record ConcatLayer(string Name, int Index, LayerShape Input, LayerShape Output, IReadOnlyList<BlockDescription> Blocks)
    : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "Concat";
    public override string Detail => string.Join(" + ", Blocks.Select(b => $"{b.Name} ({b.Output(Input).Channels})"));
    public override int ParameterCount => Blocks.Sum(b => b.ParameterCount);
    public override bool UsesDropoutRate => Blocks.Any(b => b.Layers.Any(l => l.UsesDropoutRate));
    public override IEnumerable<BlockDescription> InnerBlocks => Blocks;
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>body(input) + input, or body(input) + shortcut(input). Its parameters are the body's, then the shortcut's.</summary>
public sealed record ResidualLayer(string Name, int Index, LayerShape Input, LayerShape Output, BlockDescription Body, BlockDescription? Shortcut)
    : LayerDescription(Name, Index, Input, Output)
{
    public override string Kind => "Residual";
    public override string Detail => Shortcut is null ? $"{Body.Name} + input" : $"{Body.Name} + {Shortcut.Name}";
    public override int ParameterCount => Body.ParameterCount + (Shortcut?.ParameterCount ?? 0);
    public override bool UsesDropoutRate => InnerBlocks.Any(b => b.Layers.Any(l => l.UsesDropoutRate));
    public override IEnumerable<BlockDescription> InnerBlocks => Shortcut is null ? [Body] : [Body, Shortcut];
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}
