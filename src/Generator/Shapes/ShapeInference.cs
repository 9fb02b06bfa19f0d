using System.Collections.Generic;
using System.Linq;
using System.Threading;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Shapes;

/// <summary>Walks the layer stack, letting each kind compute its shapes exactly as TensorFlow does, and plans the
/// buffers: every offset is decided here, at generation time. Every mistake becomes a problem on the layer's
/// attribute, naming the layer and the shapes. Works on the location-free spec alone.</summary>
internal static class ShapeInference
{
    /// <summary>The most floats one generated buffer may hold (1 GiB of floats).</summary>
    internal const long MaxBufferLength = 1L << 28;

    public static NetworkPlan Resolve(NetworkSpec? spec, CancellationToken cancellationToken)
    {
        // A spec is null when the parser already found an error: shapes would only add noise.
        if (spec is null || spec.Layers.Length == 0) return new NetworkPlan(null, EquatableArray<Problem>.Empty);

        var problems = new List<Problem>();
        var context = new ShapeContext(problems);
        var layers = new List<ResolvedLayer>();
        var shape = spec.Input;
        var inputSource = "";
        var lastLayerIndex = spec.Layers.Length - 1;
        long parameterOffset = 0, imageOffset = 0, maskOffset = 0;
        // A stack in error reports its errors alone: a warning beside them is noise (one mistake, one message).
        NetworkPlan Failed() => new(null, problems.Where(p => Diagnostics.IsError(p.Id)).ToEquatableArray());

        // The batch of input images is a buffer too.
        var inputs = Sizes.Times(spec.Input.Length, spec.BatchCapacity);
        if (inputs > MaxBufferLength)
        {
            problems.Add(Problem.Create(Diagnostics.NetworkTooLarge, Problem.OnNetwork, spec.ClassName, Sizes.Text(inputs),
                $"input images (batch capacity {spec.BatchCapacity})", MaxBufferLength));
            return Failed();
        }

        // The first dense layer, and the image it flattened: a window layer after it would slide over a 1x1 input.
        (string Name, Shape Image)? flattened = null;
        for (var i = 0; i < spec.Layers.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entry = spec.Layers[i];
            context.LayerIndex = i;
            context.LayerName = entry.Name;
            if (entry is LayerSpec { SlidesWindow: true } window && flattened is { } by)
            {
                context.Report(Diagnostics.WindowAfterDense, window.Name, window.Kind, by.Name, shape, by.Image, by.Image.Length);
                return Failed();
            }
            if (entry.Resolve(shape, context) is not { } resolved) return Failed();
            if (entry is not LayerSpec layer) continue; // a check: the next layer reads the same producer
            if (layer.Flattens) flattened ??= (layer.Name, shape);

            var outLength = resolved.Output.Length;
            var parameters = Sizes.Plus(parameterOffset, Sizes.Plus(resolved.Weights, resolved.Biases));
            var activations = Sizes.Times(Sizes.Plus(imageOffset, outLength), spec.BatchCapacity);
            if (parameters > MaxBufferLength || activations > MaxBufferLength)
            {
                var (total, buffer) = parameters > MaxBufferLength
                    ? (parameters, "parameters")
                    : (activations, $"activations at {layer.Name} (batch capacity {spec.BatchCapacity})");
                context.Report(Diagnostics.NetworkTooLarge, spec.ClassName, Sizes.Text(total), buffer, MaxBufferLength);
                return Failed();
            }

            lastLayerIndex = i;
            // A ReLU right after a layer that can apply it as it stores its output runs there: one buffer, one pass.
            var producer = layers.Count > 0 ? layers[layers.Count - 1] : null;
            var fuse = producer is not null && producer.Pascal == inputSource && layer.FusesInto(producer.Spec);
            if (fuse) layers[layers.Count - 1] = producer! with { StoresRelu = true };
            layers.Add(new ResolvedLayer(layer, layers.Count, shape, resolved.Output, inputSource, resolved.PadTop, resolved.PadLeft,
                (int)resolved.Weights, (int)resolved.Biases, (int)parameterOffset, fuse ? producer!.ImageOffset : (int)imageOffset,
                layer.HasMask ? (int)maskOffset : -1, FusedInto: fuse ? producer!.Spec.Name : ""));
            if (layer.HasMask) maskOffset += outLength;
            parameterOffset = parameters;
            if (!fuse) imageOffset += outLength;
            shape = resolved.Output;
            context.Producer = layer.Name;
            inputSource = Naming.ToPascal(layer.Name);
        }

        var last = layers.LastOrDefault();
        if (last?.Spec.LogitUnits != spec.Classes)
        {
            problems.Add(Problem.Create(Diagnostics.LastLayerNotClassifier, lastLayerIndex,
                spec.ClassName, spec.Classes, spec.Layers[lastLayerIndex].Name, shape));
        }
        if (problems.Any(p => Diagnostics.IsError(p.Id))) return Failed();

        // Warnings travel with a valid plan; the code is generated all the same.
        var layerArray = layers.ToEquatableArray();
        return new NetworkPlan(
            new ResolvedNetwork(spec, layerArray, (int)parameterOffset, (int)imageOffset, (int)maskOffset,
                Fingerprint.Of(spec, layerArray), Fingerprint.LegacyOf(spec, layerArray)),
            problems.ToEquatableArray());
    }
}
