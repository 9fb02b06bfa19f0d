using BenchmarkDotNet.Attributes;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>Each layer of arch1, arch2 and arch3 on its own, forward and backward, one image on one thread, exactly as a
/// training step runs it (<see cref="ISamplePasses.ForwardLayer"/>); plus the per-batch and per-shard passes, per
/// image. <c>bench/compare.sh</c> turns this into the per-layer table with each layer's share of the FMA peak.</summary>
[ShortRunJob]
public class LayerPasses
{
    private const int ShardImages = TrainingStep.Batch / BatchRunner.GradientShards;

    private IConvNet _network = null!;
    private ISamplePasses _passes = null!;
    private float[] _image = null!;
    private float[] _shardImages = null!;
    private float[] _gradients = null!;
    private int _layer;
    private int[] _convolutionOffsets = null!;

    /// <summary>"model/index/name", e.g. "arch2/3/conv2"; "model/batch/prepare" and "model/shard/dense".</summary>
    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "arch2/3/conv2";

    public static IEnumerable<string> Layers() => Cases("arch1", "arch2", "arch3");

    /// <summary>The cases of the given models (compare.sh counts the FLOPs of all four, for % of peak).</summary>
    public static IEnumerable<string> Cases(params string[] models)
    {
        foreach (var model in models)
        {
            var description = ModelCatalog.Find(model)!.Create().Description;
            foreach (var layer in description.Layers) yield return $"{model}/{layer.Index}/{layer.Name}";
            yield return $"{model}/batch/prepare";
            yield return $"{model}/shard/dense"; // BenchmarkDotNet shortens parameter values over 20 characters
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var parts = Layer.Split('/');
        _network = ModelCatalog.Find(parts[0])!.Create();
        _network.InitializeParameters(1);
        _passes = (ISamplePasses)_network;
        _convolutionOffsets = _network.Description.Layers.OfType<Conv2DLayer>().Select(c => c.ParameterOffset).ToArray();
        _layer = int.TryParse(parts[1], out var index) ? index : -1;
        var random = new Random(1);
        _image = Enumerable.Range(0, _network.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        _shardImages = Enumerable.Range(0, ShardImages * _network.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        _gradients = new float[_network.ParameterCount];
        // A real training step's state: every slot's activations and their gradients filled in by real passes.
        var labels = Enumerable.Range(0, TrainingStep.Batch).Select(i => i % _network.OutputLength).ToArray();
        var batch = Enumerable.Range(0, TrainingStep.Batch * _network.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        _network.ComputeGradients(batch, labels, TrainingStep.Batch);
        _passes.ForwardSample(_image, 0, training: true);
    }

    /// <summary>What a training batch prepares: the forward passes' Winograd kernels (transformed again because the
    /// step changed the weights: one weight of each convolution changes sign here) and the backward passes' flipped
    /// weights and their transforms.</summary>
    private void PrepareBatch()
    {
        var parameters = _network.Parameters;
        foreach (var offset in _convolutionOffsets) parameters[offset] = -parameters[offset];
        _passes.PrepareForward(0);
        _passes.PrepareBackward(0);
    }

    [Benchmark]
    public void Forward()
    {
        if (_layer >= 0) _passes.ForwardLayer(_layer, _image, 0, training: true);
    }

    /// <summary>Backward of one layer; for "batch" and "shard", that pass's cost per image.</summary>
    [Benchmark]
    public void Backward()
    {
        if (_layer >= 0) _passes.BackwardLayer(_layer, _image, 0, _gradients);
        else if (Layer.EndsWith("prepare", StringComparison.Ordinal)) PrepareBatch();
        else _passes.AccumulateShardGradients(_shardImages, 0, ShardImages, _gradients);
    }
}
