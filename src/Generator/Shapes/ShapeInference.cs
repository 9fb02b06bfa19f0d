using System.Collections.Generic;
using System.Linq;
using System.Threading;
using StaticConvNet.Generator.Layers;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Shapes;

/// <summary>Walks the layer stack, letting each kind compute its shapes exactly as TensorFlow does, and plans the
/// buffers: every offset is decided here, at generation time. Every mistake becomes a problem on the layer's
/// attribute, naming the layer and the shapes. Works on the location-free spec alone.</summary>
/// <remarks>A layer made of blocks becomes its blocks' layers, planned one block after another against the same
/// input, then a merge node that joins them: the plan is a list in execution order, which the backward pass walks in
/// reverse. Every node has an output buffer of its own, so a block's input lives until its last reader. A value read
/// by several layers gets one gradient per reader: the first writes the value's own gradient buffer, each other one
/// a buffer of its own, and those are added in before the value's producer runs backward.</remarks>
internal static class ShapeInference
{
    /// <summary>The most floats one generated buffer may hold (1 GiB of floats).</summary>
    internal const long MaxBufferLength = 1L << 28;

    public static NetworkPlan Resolve(NetworkSpec? spec, CancellationToken cancellationToken)
    {
        // A spec is null when the parser already found an error: shapes would only add noise.
        if (spec is null || spec.Layers.Length == 0) return new NetworkPlan(null, EquatableArray<Problem>.Empty);
        return new Planner(spec, cancellationToken).Run();
    }

    private sealed class Planner(NetworkSpec spec, CancellationToken cancellationToken)
    {
        private readonly List<Problem> _problems = [];
        private readonly List<ResolvedLayer> _layers = [];
        private readonly Dictionary<string, int> _readers = [];
        private ShapeContext? _context;
        private long _parameterOffset, _imageOffset, _maskOffset, _stateOffset;

        private ShapeContext Context => _context ??= new ShapeContext(_problems);

        // A stack in error reports its errors alone: a warning beside them is noise (one mistake, one message).
        private NetworkPlan Failed() => new(null, _problems.Where(p => Diagnostics.IsError(p.Id)).ToEquatableArray());

        public NetworkPlan Run()
        {
            // The batch of input images is a buffer too.
            var inputs = Sizes.Times(spec.Input.Length, spec.BatchCapacity);
            if (inputs > MaxBufferLength)
            {
                _problems.Add(Problem.Create(Diagnostics.NetworkTooLarge, Problem.OnNetwork, spec.ClassName, Sizes.Text(inputs),
                    $"input images (batch capacity {spec.BatchCapacity})", MaxBufferLength));
                return Failed();
            }

            if (Sequence(spec.Layers.Items, prefix: "", spec.Input, source: "", depth: 0, site: null, flattened: null) is not { } output) return Failed();

            // The last layer (checks after it are not layers), where a missing classifier is reported.
            var lastLayerIndex = spec.Layers.Items.ToList().FindLastIndex(e => e is LayerSpec);
            if (lastLayerIndex < 0) lastLayerIndex = spec.Layers.Length - 1; // a stack of checks alone
            var last = _layers.LastOrDefault();
            if (last?.Spec.LogitUnits != spec.Classes)
            {
                _problems.Add(Problem.Create(Diagnostics.LastLayerNotClassifier, lastLayerIndex,
                    spec.ClassName, spec.Classes, spec.Layers[lastLayerIndex].Name, output.Shape));
            }
            if (_problems.Any(p => Diagnostics.IsError(p.Id))) return Failed();

            // Warnings travel with a valid plan; the code is generated all the same.
            var layerArray = _layers.ToEquatableArray();
            return new NetworkPlan(
                new ResolvedNetwork(spec, layerArray, (int)_parameterOffset, (int)_imageOffset, (int)_maskOffset, (int)_stateOffset,
                    Fingerprint.Of(spec, layerArray), Fingerprint.LegacyOf(spec, layerArray)),
                _problems.ToEquatableArray());
        }

        /// <summary>What a sequence of layers ends with: its output's shape and producer, and the first dense layer on the
        /// way (a window layer after it would slide over a 1x1 input).</summary>
        private sealed record Ending(Shape Shape, string Source, (string Name, Shape Image)? Flattened);

        /// <summary>Plans <paramref name="entries"/> (the network's stack, or a block's) reading <paramref name="source"/>;
        /// null after reporting a problem. Inside a block every problem is reported at <paramref name="site"/>, the
        /// network's attribute that uses it, and names the layer by its path.</summary>
        private Ending? Sequence(IReadOnlyList<StackEntry> entries, string prefix, Shape input, string source, int depth, int? site, (string Name, Shape Image)? flattened)
        {
            var shape = input;
            ResolvedLayer? previous = null; // fusion stays within a sequence: a block's first layer reads a value others read too
            for (var i = 0; i < entries.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = prefix.Length == 0 ? entries[i] : entries[i] with { Name = $"{prefix}.{entries[i].Name}" };
                var context = Context;
                context.LayerIndex = site ?? i;
                context.LayerName = entry.Name;
                if (entry is LayerSpec { SlidesWindow: true } window && flattened is { } by)
                {
                    context.Report(Diagnostics.WindowAfterDense, window.Name, window.Kind, by.Name, shape, by.Image, by.Image.Length);
                    return null;
                }

                ResolvedLayer node;
                if (entry is BranchingLayer branching)
                {
                    if (Branches(branching, shape, source, depth, site ?? i, flattened) is not { } joined) return null;
                    node = joined.Node;
                    flattened ??= joined.Flattened;
                }
                else
                {
                    if (entry.Resolve(shape, context) is not { } resolved) return null;
                    if (entry is not LayerSpec layer) continue; // a check: the next layer reads the same producer
                    if (layer.Flattens) flattened ??= (layer.Name, shape);
                    if (!Fits(layer.Name, resolved.Output.Length, resolved.Weights + resolved.Biases)) return null;

                    // A ReLU right after a layer that can apply it as it stores its output runs there: one buffer, one pass.
                    var fuse = previous is not null && previous.Pascal == source && layer.FusesInto(previous.Spec);
                    if (fuse) _layers[_layers.Count - 1] = previous = previous! with { StoresRelu = true };
                    // A BatchNorm right after a convolution in the same stack is the only reader of its output: inference
                    // folds the two into one pass.
                    if (previous is not null && previous.Pascal == source && layer.FoldsIntoProducer && previous.Spec.CanFoldBatchNorm && !previous.StoresRelu)
                        _layers[_layers.Count - 1] = previous = previous with { FoldsInto = Naming.ToPascal(layer.Name) };
                    // A max pool right after a fused ReLU is its only reader: within a sequence only the next layer reads a
                    // layer's output (a block reads the value before it, and the sequence goes on from the pool), and no
                    // reader has come before it. Its backward pass applies the ReLU's gradient mask, and the ReLU has none
                    // of its own on the CPU (so no other reader's gradient could be added in before it).
                    var masks = !fuse && previous is { IsFused: true } && previous.Pascal == source && !_readers.ContainsKey(source)
                        && previous.Spec.MasksGradientInto(layer);
                    if (masks) _layers[_layers.Count - 1] = previous = previous! with { GradientMaskedBy = layer.Name };
                    var inputGradient = fuse ? -1 : GradientOf(source, shape); // before this layer's output takes its place
                    node = new ResolvedLayer(layer, _layers.Count, shape, resolved.Output, source, resolved.PadTop, resolved.PadLeft,
                        (int)resolved.Weights, (int)resolved.Biases, (int)_parameterOffset, fuse ? previous!.ImageOffset : (int)_imageOffset,
                        layer.HasMask ? (int)_maskOffset : -1, FusedInto: fuse ? previous!.Spec.Name : "",
                        InputGradientOffset: inputGradient, Depth: depth, StateOffset: resolved.State > 0 ? (int)_stateOffset : -1,
                        MasksReluGradient: masks);
                    if (layer.HasMask) _maskOffset += resolved.Output.Length;
                    _stateOffset += resolved.State;
                    _parameterOffset += resolved.Weights + resolved.Biases;
                    if (!fuse) _imageOffset += resolved.Output.Length;
                }
                _layers.Add(node);
                previous = node;
                shape = node.Output;
                source = node.Pascal;
                context.Producer = node.Spec.Name;
            }
            return new Ending(shape, source, flattened);
        }

        /// <summary>Plans each block of <paramref name="branching"/> on <paramref name="source"/>, then its merge node.</summary>
        private (ResolvedLayer Node, (string Name, Shape Image)? Flattened)? Branches(BranchingLayer branching, Shape input, string source, int depth, int site, (string Name, Shape Image)? flattened)
        {
            var ranges = new List<BranchRange>();
            var endings = new List<Ending>();
            (string Name, Shape Image)? flattenedInside = null;
            var producer = Context.Producer;
            foreach (var use in branching.Uses)
            {
                var first = _layers.Count;
                Context.Producer = producer; // every block reads the same input
                if (Sequence(use.Block.Layers.Items, $"{branching.Name}.{use.Segment}", input, source, depth + 1, site, flattened) is not { } ending) return null;
                ranges.Add(new BranchRange(use.Segment, first, _layers.Count - first));
                endings.Add(ending);
                flattenedInside ??= ending.Flattened;
            }
            var context = Context;
            context.LayerName = branching.Name;
            if (branching.Merge(input, endings.Select(e => e.Shape).ToList(), context) is not { } output) return null;
            if (!Fits(branching.Name, output.Length, 0)) return null;

            var inputs = endings.Select(e => new MergeInput(e.Source, e.Shape, GradientOf(e.Source, e.Shape))).ToList();
            if (branching.MergesInput) inputs.Add(new MergeInput(source, input, GradientOf(source, input)));
            var node = new ResolvedLayer(branching, _layers.Count, input, output, inputs[0].Source, 0, 0, 0, 0, (int)_parameterOffset,
                (int)_imageOffset, -1, Depth: depth, MergeInputs: inputs.ToEquatableArray(), Branches: ranges.ToEquatableArray());
            _imageOffset += output.Length;
            return (node, flattenedInside);
        }

        /// <summary>Where a new reader of <paramref name="source"/> writes its gradient: -1 for the first (the value's own
        /// gradient buffer) and for the image (no gradient), else a buffer of its own.</summary>
        private int GradientOf(string source, Shape shape)
        {
            if (source.Length == 0) return -1;
            _readers[source] = _readers.TryGetValue(source, out var readers) ? readers + 1 : 1;
            if (readers == 0) return -1;
            var offset = (int)_imageOffset;
            _imageOffset += shape.Length;
            return offset;
        }

        /// <summary>Whether the parameters and the activations still fit a buffer with this layer's; reports when not.</summary>
        private bool Fits(string layer, long outputLength, long parameters)
        {
            var totalParameters = Sizes.Plus(_parameterOffset, parameters);
            var activations = Sizes.Times(Sizes.Plus(_imageOffset, outputLength), spec.BatchCapacity);
            if (totalParameters <= MaxBufferLength && activations <= MaxBufferLength) return true;
            var (total, buffer) = totalParameters > MaxBufferLength
                ? (totalParameters, "parameters")
                : (activations, $"activations at {layer} (batch capacity {spec.BatchCapacity})");
            Context.Report(Diagnostics.NetworkTooLarge, spec.ClassName, Sizes.Text(total), buffer, MaxBufferLength);
            return false;
        }
    }
}
