namespace StaticConvNet;

/// <summary>One layer of a generated network as a person reads it.</summary>
/// <param name="Name">e.g. "conv1".</param>
/// <param name="Kind">e.g. "Conv2D".</param>
/// <param name="Detail">Arguments in words, e.g. "16 filters, 5x5, stride 2, SAME".</param>
/// <param name="InputShape">HxWxC.</param>
/// <param name="OutputShape">HxWxC.</param>
/// <param name="ParameterCount">Weights plus biases.</param>
public sealed record LayerDescription(string Name, string Kind, string Detail, string InputShape, string OutputShape, int ParameterCount);

/// <summary>A generated network's layer stack, generated alongside it.</summary>
/// <param name="Fingerprint">Exact text of the layer stack and shapes; checkpoints carry it so weights are never
/// loaded into a different network.</param>
public sealed record NetworkDescription(
    string Name, int InputHeight, int InputWidth, int InputChannels, int Classes, int BatchCapacity,
    int ParameterCount, string Fingerprint, IReadOnlyList<LayerDescription> Layers);
