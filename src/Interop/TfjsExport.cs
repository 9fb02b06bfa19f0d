using System.Buffers.Binary;
using System.Text.Json;

namespace StaticConvNet.Interop;

/// <summary>Writes a generated layer stack, with its current parameters, as a TensorFlow.js layers model: a
/// <c>model.json</c> (a Keras <c>Sequential</c> topology and the weights manifest) and one binary file of float32
/// weights, as <c>tf.loadLayersModel</c> reads them. The model takes [N, H, W, C] images and returns [N, classes]
/// logits. The runtime's layout is TensorFlow's (HWIO kernels, [in, out] dense weights, HWC flattening), so every
/// array is written as it is. Blocks and local response normalisation have no TensorFlow.js layer in a Sequential
/// model: such networks are refused (export them to ONNX).</summary>
public static class TfjsExport
{
    public const string ModelFile = "model.json";

    /// <summary>The model.json text and the weights file's bytes; <paramref name="weightsFile"/> is the name the
    /// manifest gives it (beside model.json).</summary>
    public static (string ModelJson, byte[] Weights) Export(IConvNet network, string weightsFile)
    {
        var description = network.Description;
        var layers = new SequentialLayers(network.Parameters.ToArray(), network.State.ToArray(), description.AllLayers.Select(l => l.Name));
        foreach (var layer in description.Layers) layer.Accept(layers);

        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", "layers-model");
            writer.WriteString("generatedBy", "StaticConvNet");
            writer.WriteString("convertedBy", "StaticConvNet " + description.Name);
            writer.WriteStartObject("modelTopology");
            writer.WriteString("class_name", "Sequential");
            writer.WriteStartObject("config");
            writer.WriteString("name", description.Name);
            writer.WriteStartArray("layers");
            var first = true;
            foreach (var layer in layers.Layers)
            {
                writer.WriteStartObject();
                writer.WriteString("class_name", layer.ClassName);
                writer.WriteStartObject("config");
                writer.WriteString("name", layer.Name);
                writer.WriteBoolean("trainable", false);
                writer.WriteString("dtype", "float32");
                if (first)
                {
                    // The first layer declares the input: [batch, height, width, channels].
                    writer.WriteStartArray("batch_input_shape");
                    writer.WriteNullValue();
                    writer.WriteNumberValue(description.InputHeight);
                    writer.WriteNumberValue(description.InputWidth);
                    writer.WriteNumberValue(description.InputChannels);
                    writer.WriteEndArray();
                    first = false;
                }
                layer.Config(writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteString("keras_version", "2.15.0");
            writer.WriteString("backend", "tensorflow");
            writer.WriteEndObject();

            writer.WriteStartArray("weightsManifest");
            writer.WriteStartObject();
            writer.WriteStartArray("paths");
            writer.WriteStringValue(weightsFile);
            writer.WriteEndArray();
            writer.WriteStartArray("weights");
            foreach (var weight in layers.Weights)
            {
                writer.WriteStartObject();
                writer.WriteString("name", weight.Name);
                writer.WriteStartArray("shape");
                foreach (var dimension in weight.Shape) writer.WriteNumberValue(dimension);
                writer.WriteEndArray();
                writer.WriteString("dtype", "float32");
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var bytes = new byte[layers.Weights.Sum(w => w.Values.Length) * 4];
        var at = 0;
        foreach (var weight in layers.Weights)
        {
            foreach (var value in weight.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), value);
                at += 4;
            }
        }
        return (System.Text.Encoding.UTF8.GetString(json.ToArray()) + "\n", bytes);
    }

    /// <summary>A layer of the Sequential model: its Keras class, name and the config fields beyond the common ones.</summary>
    private sealed record KerasLayer(string ClassName, string Name, Action<Utf8JsonWriter> Config);

    /// <summary>A weight array in manifest order: Keras names a layer's weights LAYER/kernel, LAYER/bias, ….</summary>
    private sealed record Weight(string Name, int[] Shape, float[] Values);

    /// <summary>Each layer kind's Keras layers. A visitor, so a new layer kind does not compile until it says how it
    /// exports (or why it does not).</summary>
    private sealed class SequentialLayers(float[] parameters, float[] state, IEnumerable<string> layerNames) : ILayerVisitor<bool>
    {
        private readonly HashSet<string> _names = [.. layerNames];

        public List<KerasLayer> Layers { get; } = [];
        public List<Weight> Weights { get; } = [];

        /// <summary>Whether the current value is [N, features] (after a Dense or global pooling) rather than an image.</summary>
        private bool _flat;

        public bool Visit(Conv2DLayer layer)
        {
            Image(layer);
            var (k, cin, cout) = (layer.Window.Size, layer.Input.Channels, layer.Output.Channels);
            Add("Conv2D", layer.Name, w =>
            {
                w.WriteNumber("filters", cout);
                Ints(w, "kernel_size", k, k);
                Ints(w, "strides", layer.Window.Stride, layer.Window.Stride);
                w.WriteString("padding", PaddingName(layer.Window));
                w.WriteString("data_format", "channels_last");
                Ints(w, "dilation_rate", 1, 1);
                w.WriteString("activation", "linear");
                w.WriteBoolean("use_bias", true);
            });
            AddWeight(layer.Name + "/kernel", [k, k, cin, cout], layer.ParameterOffset, layer.WeightCount);
            AddWeight(layer.Name + "/bias", [cout], layer.BiasOffset, layer.BiasCount);
            return true;
        }

        public bool Visit(DenseLayer layer)
        {
            // Keras flattens channels last, the runtime's HWC order: the weights need no permutation.
            if (!_flat) Add("Flatten", ExtraName(layer.Name + "_flatten"), w => w.WriteString("data_format", "channels_last"));
            _flat = true;
            Add("Dense", layer.Name, w =>
            {
                w.WriteNumber("units", layer.Output.Channels);
                w.WriteString("activation", "linear");
                w.WriteBoolean("use_bias", true);
            });
            AddWeight(layer.Name + "/kernel", [layer.Input.Length, layer.Output.Channels], layer.ParameterOffset, layer.WeightCount);
            AddWeight(layer.Name + "/bias", [layer.Output.Channels], layer.BiasOffset, layer.BiasCount);
            return true;
        }

        public bool Visit(MaxPoolLayer layer) => Pool("MaxPooling2D", layer, layer.Window);

        // TensorFlow's SAME average ignores the padding, as the runtime's does.
        public bool Visit(AvgPoolLayer layer) => Pool("AveragePooling2D", layer, layer.Window);

        public bool Visit(GlobalAvgPoolLayer layer)
        {
            Image(layer);
            Add("GlobalAveragePooling2D", layer.Name, w => w.WriteString("data_format", "channels_last"));
            _flat = true;
            return true;
        }

        // Inference: the running statistics, on the last axis (channels, or a Dense layer's units).
        public bool Visit(BatchNormLayer layer)
        {
            var c = layer.Output.Channels;
            Add("BatchNormalization", layer.Name, w =>
            {
                w.WriteNumber("axis", -1);
                w.WriteNumber("epsilon", layer.Epsilon);
                w.WriteBoolean("center", true);
                w.WriteBoolean("scale", true);
            });
            AddWeight(layer.Name + "/gamma", [c], layer.ParameterOffset, c);
            AddWeight(layer.Name + "/beta", [c], layer.BiasOffset, c);
            Weights.Add(new Weight(layer.Name + "/moving_mean", [c], state.AsSpan(layer.StateOffset, c).ToArray()));
            Weights.Add(new Weight(layer.Name + "/moving_variance", [c], state.AsSpan(layer.StateOffset + c, c).ToArray()));
            return true;
        }

        public bool Visit(ReluLayer layer) => Activation(layer, "relu");

        public bool Visit(TanhLayer layer) => Activation(layer, "tanh");

        public bool Visit(DropoutLayer layer) => true; // identity at inference

        public bool Visit(LocalResponseNormLayer layer)
            => throw new NotSupportedException($"layer '{layer.Name}' is local response normalisation, which TensorFlow.js has no layer for; export the network to ONNX instead");

        public bool Visit(ConcatLayer layer)
            => throw new NotSupportedException($"layer '{layer.Name}' joins blocks, which a TensorFlow.js Sequential model cannot hold; export the network to ONNX instead");

        public bool Visit(ResidualLayer layer)
            => throw new NotSupportedException($"layer '{layer.Name}' adds blocks, which a TensorFlow.js Sequential model cannot hold; export the network to ONNX instead");

        private bool Pool(string className, LayerDescription layer, WindowGeometry window)
        {
            Image(layer);
            Add(className, layer.Name, w =>
            {
                Ints(w, "pool_size", window.Size, window.Size);
                Ints(w, "strides", window.Stride, window.Stride);
                w.WriteString("padding", PaddingName(window));
                w.WriteString("data_format", "channels_last");
            });
            return true;
        }

        private bool Activation(LayerDescription layer, string function)
        {
            Add("Activation", layer.Name, w => w.WriteString("activation", function));
            return true;
        }

        /// <summary>A flattened value (H x W x C in the runtime's layout: 1 x 1 after a Dense layer) back as an image for
        /// a spatial layer.</summary>
        private void Image(LayerDescription layer)
        {
            if (_flat) Add("Reshape", ExtraName(layer.Name + "_image"), w => Ints(w, "target_shape", layer.Input.Height, layer.Input.Width, layer.Input.Channels));
            _flat = false;
        }

        /// <summary>A name for a layer the export adds (a Flatten, a Reshape) that no layer of the network has, since
        /// TensorFlow.js refuses a model with two layers of one name.</summary>
        private string ExtraName(string wanted)
        {
            var name = wanted;
            for (var n = 2; _names.Contains(name) || Layers.Any(l => l.Name == name); n++) name = $"{wanted}_{n}";
            return name;
        }

        private void Add(string className, string name, Action<Utf8JsonWriter> config) => Layers.Add(new KerasLayer(className, name, config));

        private void AddWeight(string name, int[] shape, int offset, int count) => Weights.Add(new Weight(name, shape, parameters.AsSpan(offset, count).ToArray()));

        private static string PaddingName(WindowGeometry window) => window.Padding == StaticConvNet.Padding.Same ? "same" : "valid";

        private static void Ints(Utf8JsonWriter writer, string name, params int[] values)
        {
            writer.WriteStartArray(name);
            foreach (var value in values) writer.WriteNumberValue(value);
            writer.WriteEndArray();
        }
    }
}
