using System.Collections.Generic;
using System.Linq;
using System.Threading;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Shapes;

/// <summary>Walks the layer stack, computing every shape exactly as TensorFlow does, and plans the buffers.
/// Every mistake becomes a diagnostic on the layer's attribute, naming the layer and the shapes.</summary>
internal static class ShapeInference
{
    /// <summary>The most floats one generated buffer may hold (1 GiB of floats).</summary>
    internal const long MaxBufferLength = 1L << 28;

    public static NetworkPlan Resolve(ParsedNetwork parsed, CancellationToken cancellationToken)
    {
        var diagnostics = parsed.Diagnostics.Items.ToList();
        var spec = parsed.Spec;
        // Shapes are meaningless when the parser already found an error: report what it found, once.
        if (spec is null || diagnostics.Count > 0 || spec.Layers.Length == 0) return new NetworkPlan(null, diagnostics.ToEquatableArray());

        var layers = new List<ResolvedLayer>();
        var shape = spec.Input;
        string producer = "the network input", inputSource = "";
        long parameterOffset = 0, activationOffset = 0;
        long maskOffset = 0;

        foreach (var layer in spec.Layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outShape = shape;
            int padTop = 0, padLeft = 0;
            long weights = 0, biases = 0;
            switch (layer.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.MaxPool:
                {
                    var window = layer.Kind == LayerKind.Conv2D ? layer.Patch : layer.Size;
                    var what = layer.Kind == LayerKind.Conv2D ? "convolution" : "max pooling";
                    var height = Window(shape.Height, window, layer.Stride, layer.Padding, out padTop);
                    var width = Window(shape.Width, window, layer.Stride, layer.Padding, out padLeft);
                    if (height <= 0 || width <= 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InputSmallerThanWindow, layer.Location,
                            layer.Name, window, what, producer, shape));
                        return new NetworkPlan(null, diagnostics.ToEquatableArray());
                    }
                    outShape = layer.Kind == LayerKind.Conv2D
                        ? new Shape(height, width, layer.Size)
                        : new Shape(height, width, shape.Channels);
                    if (layer.Kind == LayerKind.Conv2D)
                    {
                        weights = (long)window * window * shape.Channels * layer.Size;
                        biases = layer.Size;
                    }
                    break;
                }
                case LayerKind.Dense:
                    outShape = new Shape(1, 1, layer.Size);
                    weights = shape.Length * layer.Size;
                    biases = layer.Size;
                    break;
                case LayerKind.ExpectShape:
                    if (layer.Expected != shape)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ExpectShapeMismatch, layer.Location,
                            layer.Name, layer.Expected, producer, shape));
                    }
                    // An assertion owns no buffer: the next layer reads the same producer.
                    layers.Add(new ResolvedLayer(layer, shape, shape, inputSource, 0, 0, 0, 0, 0, 0, -1));
                    continue;
            }

            var outLength = outShape.Length;
            var fits = weights + biases <= MaxBufferLength && parameterOffset + weights + biases <= MaxBufferLength
                && outLength * spec.BatchCapacity <= MaxBufferLength && activationOffset + outLength * spec.BatchCapacity <= MaxBufferLength;
            if (!fits)
            {
                var total = parameterOffset + weights + biases > MaxBufferLength ? parameterOffset + weights + biases : activationOffset + outLength * spec.BatchCapacity;
                var buffer = parameterOffset + weights + biases > MaxBufferLength ? "parameters" : $"activations at {layer.Name} (batch capacity {spec.BatchCapacity})";
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NetworkTooLarge, layer.Location, spec.ClassName, total, buffer, MaxBufferLength));
                return new NetworkPlan(null, diagnostics.ToEquatableArray());
            }

            layers.Add(new ResolvedLayer(layer, shape, outShape, inputSource, padTop, padLeft,
                (int)weights, (int)biases, (int)parameterOffset, (int)activationOffset,
                layer.Kind == LayerKind.Dropout ? (int)maskOffset : -1));
            if (layer.Kind == LayerKind.Dropout) maskOffset += outLength * spec.BatchCapacity;
            parameterOffset += weights + biases;
            activationOffset += outLength * spec.BatchCapacity;
            shape = outShape;
            producer = layer.Name;
            inputSource = Naming.ToPascal(layer.Name);
        }

        var last = layers.LastOrDefault(l => l.Spec.Kind != LayerKind.ExpectShape);
        if (last is null || last.Spec.Kind != LayerKind.Dense || last.Spec.Size != spec.Classes)
        {
            var lastSpec = last?.Spec ?? spec.Layers[spec.Layers.Length - 1];
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.LastLayerNotClassifier, lastSpec.Location,
                spec.ClassName, spec.Classes, lastSpec.Name, shape));
        }

        return diagnostics.Count > 0
            ? new NetworkPlan(null, diagnostics.ToEquatableArray())
            : new NetworkPlan(new ResolvedNetwork(spec, layers.ToEquatableArray(), (int)parameterOffset, (int)activationOffset, (int)maskOffset), EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>TensorFlow's output size and leading padding along one axis.</summary>
    internal static int Window(int input, int window, int stride, PaddingKind padding, out int padBefore)
    {
        if (padding == PaddingKind.Same)
        {
            var output = ((long)input + stride - 1) / stride;
            var total = System.Math.Max((output - 1) * stride + window - input, 0);
            padBefore = (int)System.Math.Min(total / 2, int.MaxValue); // the odd extra row/column goes after (bottom/right)
            return (int)output;
        }
        padBefore = 0;
        return input < window ? input - window + 1 : (input - window) / stride + 1;
    }
}
