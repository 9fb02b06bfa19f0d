using System.Globalization;
using System.Text;

namespace StaticConvNet;

/// <summary>A shape, height × width × channels.</summary>
public readonly record struct LayerShape(int Height, int Width, int Channels)
{
    public int Length => Height * Width * Channels;
    public override string ToString() => $"{Height}x{Width}x{Channels}";
}

/// <summary>A square window sliding over an image (a convolution's patch or a pooling window), with the padding
/// TensorFlow puts before the input. The odd extra row/column of SAME padding goes after (bottom/right).</summary>
public readonly record struct WindowGeometry(int Size, int Stride, Padding Padding, int PadTop, int PadLeft)
{
    /// <summary>Rows of padding after the input.</summary>
    public int PadBottom(LayerShape input, LayerShape output) => Math.Max((output.Height - 1) * Stride + Size - input.Height - PadTop, 0);

    /// <summary>Columns of padding after the input.</summary>
    public int PadRight(LayerShape input, LayerShape output) => Math.Max((output.Width - 1) * Stride + Size - input.Width - PadLeft, 0);

    public override string ToString() => $"{Size}x{Size}, stride {Stride}, {(Padding == Padding.Same ? "SAME" : "VALID")}";
}

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

/// <summary>One method per layer kind: implementing it is how a tool proves it handles every kind.</summary>
public interface ILayerVisitor<out T>
{
    T Visit(Conv2DLayer layer);
    T Visit(DenseLayer layer);
    T Visit(MaxPoolLayer layer);
    T Visit(AvgPoolLayer layer);
    T Visit(ReluLayer layer);
    T Visit(TanhLayer layer);
    T Visit(DropoutLayer layer);
    T Visit(LocalResponseNormLayer layer);
}

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

/// <summary>A generated network's layer stack, generated alongside it.</summary>
/// <param name="Fingerprint">The network's identity, computed by the generator from the structure that decides the
/// parameter layout and the computation (input, kinds, sizes, strides, padding, rates) and never from display text.
/// Checkpoints and weights files carry it, so weights only ever load into the network they fit.</param>
/// <param name="LegacyFingerprint">The identity files written before fingerprint format 2 carry (the layer list as
/// text), or null for a network that could not have been written then; such files still load.</param>
public sealed record NetworkDescription(
    string Name, int InputHeight, int InputWidth, int InputChannels, int Classes, int BatchCapacity,
    int ParameterCount, string Fingerprint, string? LegacyFingerprint, IReadOnlyList<LayerDescription> Layers)
{
    public LayerShape Input => new(InputHeight, InputWidth, InputChannels);

    /// <summary>Whether a file carrying <paramref name="fingerprint"/> holds weights for this network.</summary>
    public bool IsFingerprintOf(string fingerprint)
        => fingerprint == Fingerprint || (LegacyFingerprint is not null && fingerprint == LegacyFingerprint);

    /// <summary>The layer list on one line, e.g. "Arch2ConvPool: 28x28x1 -> conv1 Conv2D 28x28x16 -> … -> logits Dense 1x1x10".</summary>
    public override string ToString()
        => $"{Name}: {Input} -> " + string.Join(" -> ", Layers.Select(l => $"{l.Name} {l.Kind} {l.Output}"));

    /// <summary>A table of the layers as Keras's <c>model.summary()</c> prints it: each layer's name and kind, its
    /// arguments, output shape and parameter count, then the totals.</summary>
    public string Summary()
    {
        var header = new SummaryRow("Layer (kind)", "Arguments", "Output shape", "Parameters");
        var rows = Layers.Select(l => new SummaryRow($"{l.Name} ({l.Kind})", l.Detail, l.Output.ToString(), l.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)))
            .Prepend(new SummaryRow("input", "", Input.ToString(), "")).ToList();
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

    private sealed record SummaryRow(string Layer, string Detail, string Output, string Parameters);
}

/// <summary>What every network offers through <see cref="IConvNet"/>, without a member in each generated class.</summary>
public static class ConvNetExtensions
{
    /// <summary>The network's layers as a table (Keras's <c>model.summary()</c>); see <see cref="NetworkDescription.Summary"/>.</summary>
    public static string Summary(this IConvNet network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Description.Summary();
    }
}
