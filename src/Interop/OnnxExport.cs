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
        var parameters = network.Parameters.ToArray();
        var graph = new Graph();
        var current = graph.Node("Transpose", [InputName], "nchw", a => a.Ints("perm", [0, 3, 1, 2]));
        var flat = false;
        foreach (var layer in description.Layers)
        {
            switch (layer.Kind)
            {
                case "Conv2D":
                {
                    if (flat) current = graph.Node("Reshape", [current, graph.Int64s($"{layer.Name}.shape", [-1, layer.Input.Channels, 1, 1])], $"{layer.Name}.in");
                    flat = false;
                    var (k, cin, cout) = (layer.Window, layer.Input.Channels, layer.Output.Channels);
                    var weights = new float[layer.WeightCount];
                    for (var ky = 0; ky < k; ky++)
                        for (var kx = 0; kx < k; kx++)
                            for (var i = 0; i < cin; i++)
                                for (var o = 0; o < cout; o++)
                                    weights[((o * cin + i) * k + ky) * k + kx] = parameters[layer.ParameterOffset + ((ky * k + kx) * cin + i) * cout + o];
                    var w = graph.Floats($"{layer.Name}.weight", [cout, cin, k, k], weights);
                    var b = graph.Floats($"{layer.Name}.bias", [cout], parameters.AsSpan(layer.ParameterOffset + layer.WeightCount, layer.BiasCount).ToArray());
                    current = graph.Node("Conv", [current, w, b], layer.Name, a => a
                        .Ints("kernel_shape", [k, k]).Ints("strides", [layer.Stride, layer.Stride]).Ints("pads", Pads(layer)));
                    break;
                }
                case "MaxPool":
                    current = graph.Node("MaxPool", [current], layer.Name, a => a
                        .Ints("kernel_shape", [layer.Window, layer.Window]).Ints("strides", [layer.Stride, layer.Stride]).Ints("pads", Pads(layer)));
                    break;
                case "ReLU":
                    current = graph.Node("Relu", [current], layer.Name);
                    break;
                case "LocalResponseNorm":
                {
                    // ONNX divides alpha by the window size; TensorFlow does not.
                    var size = 2 * layer.DepthRadius + 1;
                    current = graph.Node("LRN", [current], layer.Name, a => a
                        .Int("size", size).Float("alpha", layer.Alpha * size).Float("beta", layer.Beta).Float("bias", layer.Bias));
                    break;
                }
                case "Dense":
                {
                    if (!flat)
                    {
                        var nhwc = graph.Node("Transpose", [current], $"{layer.Name}.nhwc", a => a.Ints("perm", [0, 2, 3, 1]));
                        current = graph.Node("Reshape", [nhwc, graph.Int64s($"{layer.Name}.shape", [-1, layer.Input.Length])], $"{layer.Name}.flat");
                        flat = true;
                    }
                    var w = graph.Floats($"{layer.Name}.weight", [layer.Input.Length, layer.Output.Channels], parameters.AsSpan(layer.ParameterOffset, layer.WeightCount).ToArray());
                    var b = graph.Floats($"{layer.Name}.bias", [layer.Output.Channels], parameters.AsSpan(layer.ParameterOffset + layer.WeightCount, layer.BiasCount).ToArray());
                    current = graph.Node("Gemm", [current, w, b], layer.Name);
                    break;
                }
                case "Dropout" or "ExpectShape":
                    break; // identity at inference
                default:
                    throw new NotSupportedException($"Layer {layer.Name} of kind {layer.Kind} has no ONNX export.");
            }
        }
        graph.Output(current);
        return graph.ToModel(description);
    }

    /// <summary>ONNX pads [top, left, bottom, right]: TensorFlow puts the odd row/column at the bottom/right.</summary>
    private static long[] Pads(LayerDescription layer)
    {
        var bottom = Math.Max((layer.Output.Height - 1) * layer.Stride + layer.Window - layer.Input.Height - layer.PadTop, 0);
        var right = Math.Max((layer.Output.Width - 1) * layer.Stride + layer.Window - layer.Input.Width - layer.PadLeft, 0);
        return [layer.PadTop, layer.PadLeft, bottom, right];
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
