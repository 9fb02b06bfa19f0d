using System.Buffers.Binary;
using System.Globalization;

namespace StaticConvNet.Interop;

/// <summary>Writes a generated network, with its current parameters, as an ONNX model (opset 13) that takes
/// images as [N, H, W, C] floats (the notebook's layout) and returns [N, classes] logits. Dropout is left out
/// (inference). TensorFlow's asymmetric SAME padding becomes explicit pads; weights are transposed from
/// TensorFlow's HWIO to ONNX's OIHW; the flatten before a Dense layer keeps TensorFlow's HWC order.</summary>
public static class OnnxExport
{
    public const string InputName = "image", OutputName = "logits";
    private const int OnnxFloat = 1, OnnxInt64 = 7;

    public static byte[] Export(IConvNet network)
    {
        var description = network.Description;
        var graph = new Graph();
        var nodes = new LayerNodes(graph, network.Parameters.ToArray(), network.State.ToArray());
        foreach (var layer in description.Layers) layer.Accept(nodes);
        graph.Output(nodes.Current);
        return graph.ToModel(description);
    }

    /// <summary>Each layer kind's ONNX nodes, appended after the current value. A visitor, so a new layer kind does
    /// not compile until it has an export here.</summary>
    private sealed class LayerNodes(Graph graph, float[] parameters, float[] state) : ILayerVisitor<bool>
    {
        /// <summary>The value the next layer reads: NCHW images, or [N, features] once a Dense layer flattened them.</summary>
        public string Current { get; private set; } = graph.Node("Transpose", [InputName], "nchw", a => a.Ints("perm", [0, 3, 1, 2]));

        private bool _flat;

        /// <summary>Before a layer that takes NCHW images (convolution, pooling, LRN): a value a Dense layer flattened,
        /// [N, C], is a 1 x 1 x C image, reshaped to [N, C, 1, 1]. Named after the layer: two blocks may each start by
        /// reshaping the same flattened value, and ONNX names each value once.</summary>
        private void CurrentAsImage(LayerDescription layer)
        {
            if (_flat) Current = graph.Node("Reshape", [Current, graph.Int64s($"{layer.Name}.shape", [-1, layer.Input.Channels, 1, 1])], $"{layer.Name}.in");
            _flat = false;
        }

        public bool Visit(Conv2DLayer layer)
        {
            CurrentAsImage(layer);
            var (k, cin, cout) = (layer.Window.Size, layer.Input.Channels, layer.Output.Channels);
            // TensorFlow's HWIO to ONNX's OIHW.
            var weights = new float[layer.WeightCount];
            for (var ky = 0; ky < k; ky++)
                for (var kx = 0; kx < k; kx++)
                    for (var i = 0; i < cin; i++)
                        for (var o = 0; o < cout; o++)
                            weights[((o * cin + i) * k + ky) * k + kx] = parameters[layer.ParameterOffset + ((ky * k + kx) * cin + i) * cout + o];
            var w = graph.Floats($"{layer.Name}.weight", [cout, cin, k, k], weights);
            var b = graph.Floats($"{layer.Name}.bias", [cout], parameters.AsSpan(layer.BiasOffset, layer.BiasCount).ToArray());
            Current = graph.Node("Conv", [Current, w, b], layer.Name, a => a
                .Ints("kernel_shape", [k, k]).Ints("strides", [layer.Window.Stride, layer.Window.Stride]).Ints("pads", Pads(layer, layer.Window)));
            return true;
        }

        public bool Visit(DenseLayer layer)
        {
            if (!_flat)
            {
                // Back to NHWC before flattening: the weights expect TensorFlow's HWC order.
                var nhwc = graph.Node("Transpose", [Current], $"{layer.Name}.nhwc", a => a.Ints("perm", [0, 2, 3, 1]));
                Current = graph.Node("Reshape", [nhwc, graph.Int64s($"{layer.Name}.shape", [-1, layer.Input.Length])], $"{layer.Name}.flat");
                _flat = true;
            }
            var w = graph.Floats($"{layer.Name}.weight", [layer.Input.Length, layer.Output.Channels], parameters.AsSpan(layer.ParameterOffset, layer.WeightCount).ToArray());
            var b = graph.Floats($"{layer.Name}.bias", [layer.Output.Channels], parameters.AsSpan(layer.BiasOffset, layer.BiasCount).ToArray());
            Current = graph.Node("Gemm", [Current, w, b], layer.Name);
            return true;
        }

        public bool Visit(MaxPoolLayer layer) => Pool("MaxPool", layer, layer.Window, null);

        // count_include_pad = 0: TensorFlow's SAME average ignores the padding.
        public bool Visit(AvgPoolLayer layer) => Pool("AveragePool", layer, layer.Window, a => a.Int("count_include_pad", 0));

        // NCHW to N x C x 1 x 1: a Dense layer after it flattens that to the C means, TensorFlow's HWC order of a 1 x 1 image.
        public bool Visit(GlobalAvgPoolLayer layer)
        {
            CurrentAsImage(layer);
            return Elementwise("GlobalAveragePool", layer);
        }

        // Inference: the running statistics. ONNX's BatchNormalization normalises axis 1, the channels, of NCHW and of [N, C] alike.
        public bool Visit(BatchNormLayer layer)
        {
            var c = layer.Output.Channels;
            float[] Slice(float[] from, int offset) => from.AsSpan(offset, c).ToArray();
            var inputs = new[]
            {
                Current,
                graph.Floats($"{layer.Name}.scale", [c], Slice(parameters, layer.ParameterOffset)),
                graph.Floats($"{layer.Name}.bias", [c], Slice(parameters, layer.BiasOffset)),
                graph.Floats($"{layer.Name}.mean", [c], Slice(state, layer.StateOffset)),
                graph.Floats($"{layer.Name}.var", [c], Slice(state, layer.StateOffset + c)),
            };
            Current = graph.Node("BatchNormalization", inputs, layer.Name, a => a.Float("epsilon", layer.Epsilon));
            return true;
        }

        public bool Visit(ReluLayer layer) => Elementwise("Relu", layer);

        public bool Visit(TanhLayer layer) => Elementwise("Tanh", layer);

        public bool Visit(DropoutLayer layer) => true; // identity at inference

        public bool Visit(LocalResponseNormLayer layer)
        {
            // ONNX divides alpha by the window size; TensorFlow does not.
            var size = 2 * layer.DepthRadius + 1;
            CurrentAsImage(layer);
            Current = graph.Node("LRN", [Current], layer.Name, a => a
                .Int("size", size).Float("alpha", layer.Alpha * size).Float("beta", layer.Beta).Float("bias", layer.Bias));
            return true;
        }

        // Every block reads the same value; their outputs are joined on ONNX's channel axis (NCHW).
        public bool Visit(ConcatLayer layer)
        {
            var input = (Current, _flat);
            var outputs = layer.Blocks.Select(block => AsImage(Branch(block, input), block.Output(layer.Input))).ToArray();
            Current = graph.Node("Concat", outputs, layer.Name, a => a.Int("axis", 1));
            _flat = false;
            return true;
        }

        public bool Visit(ResidualLayer layer)
        {
            (string Value, bool Flat) input = (Current, _flat);
            var body = Branch(layer.Body, input);
            var other = layer.Shortcut is { } shortcut ? Branch(shortcut, input) : input;
            if (body.Flat != other.Flat)
            {
                body = (AsImage(body, layer.Output), false);
                other = (AsImage(other, layer.Output), false);
            }
            Current = graph.Node("Add", [body.Value, other.Value], layer.Name);
            _flat = body.Flat;
            return true;
        }

        /// <summary>A block's nodes from <paramref name="input"/>; returns its output and whether a Dense flattened it.</summary>
        private (string Value, bool Flat) Branch(BlockDescription block, (string Value, bool Flat) input)
        {
            (Current, _flat) = input;
            foreach (var layer in block.Layers) layer.Accept(this);
            return (Current, _flat);
        }

        /// <summary>A value as NCHW: a flattened one (1 x 1 x C in TensorFlow's order) reshaped to [N, C, 1, 1].</summary>
        private string AsImage((string Value, bool Flat) value, LayerShape shape)
            => value.Flat ? graph.Node("Reshape", [value.Value, graph.Int64s($"{value.Value}.shape", [-1, shape.Channels, 1, 1])], $"{value.Value}.image") : value.Value;

        private bool Pool(string op, LayerDescription layer, WindowGeometry window, Action<Attributes>? more)
        {
            CurrentAsImage(layer);
            Current = graph.Node(op, [Current], layer.Name, a =>
            {
                a.Ints("kernel_shape", [window.Size, window.Size]).Ints("strides", [window.Stride, window.Stride]).Ints("pads", Pads(layer, window));
                more?.Invoke(a);
            });
            return true;
        }

        private bool Elementwise(string op, LayerDescription layer)
        {
            Current = graph.Node(op, [Current], layer.Name);
            return true;
        }

        /// <summary>ONNX pads [top, left, bottom, right]: TensorFlow puts the odd row/column at the bottom/right.</summary>
        private static long[] Pads(LayerDescription layer, WindowGeometry window)
            => [window.PadTop, window.PadLeft, window.PadBottom(layer.Input, layer.Output), window.PadRight(layer.Input, layer.Output)];
    }

    private sealed class Graph
    {
        private readonly List<byte[]> _nodes = [];
        private readonly List<byte[]> _initializers = [];

        /// <summary>Adds a node; its output value is named after it with ".y", so a layer may be called "logits"
        /// without clashing with the graph output of that name.</summary>
        public string Node(string op, string[] inputs, string name, Action<Attributes>? attributes = null)
            => AddNode(op, inputs, name, name + ".y", attributes);

        /// <summary>Names the final value as the graph's output.</summary>
        public void Output(string value) => AddNode("Identity", [value], "graph_output", OutputName, null);

        private string AddNode(string op, string[] inputs, string name, string output, Action<Attributes>? attributes)
        {
            var node = new ProtoWriter();
            foreach (var input in inputs) node.String(1, input);
            node.String(2, output).String(3, name).String(4, op);
            attributes?.Invoke(new Attributes(node));
            _nodes.Add(node.ToArray());
            return output;
        }

        public string Floats(string name, long[] dims, float[] values)
        {
            var raw = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
            return Tensor(name, dims, OnnxFloat, raw);
        }

        public string Int64s(string name, long[] values)
        {
            var raw = new byte[values.Length * 8];
            for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
            return Tensor(name, [values.Length], OnnxInt64, raw);
        }

        private string Tensor(string name, long[] dims, int type, byte[] raw)
        {
            var tensor = new ProtoWriter();
            foreach (var d in dims) tensor.Int(1, d);
            tensor.Int(2, type).String(8, name).Bytes(9, raw);
            _initializers.Add(tensor.ToArray());
            return name;
        }

        public byte[] ToModel(NetworkDescription description)
        {
            var model = new ProtoWriter()
                .Int(1, 8) // IR version 8
                .String(2, "StaticConvNet")
                .String(3, typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0")
                .Message(7, g =>
                {
                    foreach (var node in _nodes) g.Bytes(1, node);
                    g.String(2, description.Name);
                    foreach (var initializer in _initializers) g.Bytes(5, initializer);
                    g.Message(11, v => ValueInfo(v, InputName, ["N", description.InputHeight, description.InputWidth, description.InputChannels]));
                    g.Message(12, v => ValueInfo(v, OutputName, ["N", description.Classes]));
                })
                .Message(8, opset => opset.String(1, "").Int(2, 13));
            return model.ToArray();
        }

        private static void ValueInfo(ProtoWriter value, string name, object[] dims)
            => value.String(1, name).Message(2, type => type.Message(1, tensor => tensor
                .Int(1, OnnxFloat)
                .Message(2, shape =>
                {
                    foreach (var dim in dims)
                        shape.Message(1, d => { if (dim is string symbol) d.String(2, symbol); else d.Int(1, Convert.ToInt64(dim, CultureInfo.InvariantCulture)); });
                })));
    }

    private sealed class Attributes(ProtoWriter node)
    {
        private const int AttributeFloat = 1, AttributeInt = 2, AttributeInts = 7;

        public Attributes Ints(string name, long[] values)
        {
            node.Message(5, a =>
            {
                a.String(1, name);
                foreach (var v in values) a.Int(8, v);
                a.Int(20, AttributeInts);
            });
            return this;
        }

        public Attributes Int(string name, long value)
        {
            node.Message(5, a => a.String(1, name).Int(3, value).Int(20, AttributeInt));
            return this;
        }

        public Attributes Float(string name, float value)
        {
            node.Message(5, a => a.String(1, name).Float(2, value).Int(20, AttributeFloat));
            return this;
        }
    }
}
