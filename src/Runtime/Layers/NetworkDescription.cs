namespace StaticConvNet;

/// <summary>A shape, height × width × channels.</summary>
public readonly record struct LayerShape(int Height, int Width, int Channels)
{
    public int Length => Height * Width * Channels;
    public override string ToString() => $"{Height}x{Width}x{Channels}";
}

/// <summary>One layer of a generated network, as data: what tools (export, summaries) need to rebuild it.</summary>
/// <param name="Name">e.g. "conv1".</param>
/// <param name="Kind">Conv2D, MaxPool, ReLU, Dense, Dropout, LocalResponseNorm or ExpectShape.</param>
/// <param name="Detail">Arguments in words, e.g. "16 filters, 5x5, stride 2, SAME".</param>
/// <param name="ParameterOffset">Where the layer's weights start in Parameters (its biases follow them).</param>
/// <param name="Window">Patch (Conv2D) or window (MaxPool) side; 0 otherwise.</param>
/// <param name="PadTop">Rows of padding before the input (SAME), as TensorFlow computes it.</param>
/// <param name="PadLeft">Columns of padding before the input.</param>
/// <param name="Rate">Dropout rate.</param>
/// <param name="DepthRadius">LRN depth radius; <paramref name="Bias"/>, <paramref name="Alpha"/>, <paramref name="Beta"/> as tf.nn.lrn.</param>
public sealed record LayerDescription(
    string Name, string Kind, string Detail, LayerShape Input, LayerShape Output,
    int ParameterOffset, int WeightCount, int BiasCount,
    int Window = 0, int Stride = 0, int PadTop = 0, int PadLeft = 0,
    float Rate = 0f, int DepthRadius = 0, float Bias = 0f, float Alpha = 0f, float Beta = 0f)
{
    public int ParameterCount => WeightCount + BiasCount;
}

/// <summary>A generated network's layer stack, generated alongside it.</summary>
/// <param name="Fingerprint">Exact text of the layer stack and shapes; checkpoints carry it so weights are never
/// loaded into a different network.</param>
public sealed record NetworkDescription(
    string Name, int InputHeight, int InputWidth, int InputChannels, int Classes, int BatchCapacity,
    int ParameterCount, string Fingerprint, IReadOnlyList<LayerDescription> Layers);
