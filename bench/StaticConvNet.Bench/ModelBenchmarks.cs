using BenchmarkDotNet.Attributes;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>One training step (forward, backward, SGD update) on a batch of 16, both cores, per notebook model.</summary>
/// <remarks>Each step takes the next of 64 batches of the bundled training split, as a training run does. Stepping on
/// one batch over and over, the network's state when timed depended on how many steps the harness had run: arch3
/// measured 47,800 or 59,400 img/s with the same build, run after run.</remarks>
[MemoryDiagnoser]
public class TrainingStep
{
    private const int Batches = 64;

    private IConvNet _network = null!;
    private SgdOptimizer _optimizer = null!;
    private float[] _images = null!;
    private int[] _labels = null!;
    private int _next;

    [Params("arch1", "arch2", "arch3", "arch4")]
    public string Model { get; set; } = "arch2";

    public const int Batch = 16;

    [GlobalSetup]
    public void Setup()
    {
        _network = ModelCatalog.Find(Model)!.Create();
        _network.InitializeParameters(1);
        _optimizer = new SgdOptimizer(_network.ParameterCount);
        var (train, _) = BundledData.Load();
        _images = train.Images.AsSpan(0, Batches * Batch * _network.InputLength).ToArray();
        _labels = train.Labels.AsSpan(0, Batches * Batch).ToArray();
    }

    /// <summary>Images per second = 16 / (time per operation).</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public float Step()
    {
        var batch = _next++ % Batches;
        var loss = _network.ComputeGradients(_images.AsSpan(batch * Batch * _network.InputLength, Batch * _network.InputLength),
            _labels.AsSpan(batch * Batch, Batch), Batch);
        _optimizer.Step(_network.Parameters, _network.Gradients, 0.05f);
        return loss;
    }
}

/// <summary>Single-image inference on one thread, per notebook model; must allocate nothing.</summary>
[MemoryDiagnoser]
public class SingleImageInference
{
    private IConvNet _network = null!;
    private float[] _image = null!;

    [Params("arch1", "arch2", "arch3", "arch4")]
    public string Model { get; set; } = "arch2";

    [GlobalSetup]
    public void Setup()
    {
        _network = ModelCatalog.Find(Model)!.Create();
        _network.InitializeParameters(1);
        var (_, valid) = BundledData.Load();
        _image = valid.Image(0).ToArray();
    }

    [Benchmark]
    public int Predict() => _network.Predict(_image);
}

/// <summary>Classifying the whole validation split (2,000 images), one network per core.</summary>
[MemoryDiagnoser]
public class BatchInference
{
    private IConvNet[] _networks = null!;
    private Dataset _valid = null!;
    private int[] _predictions = null!;

    [Params("arch1", "arch2", "arch3", "arch4")]
    public string Model { get; set; } = "arch2";

    [GlobalSetup]
    public void Setup()
    {
        var entry = ModelCatalog.Find(Model)!;
        _networks = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => entry.Create()).ToArray();
        foreach (var network in _networks) network.InitializeParameters(1);
        (_, _valid) = BundledData.Load();
        _predictions = new int[_valid.Count];
    }

    /// <summary>One network's PredictBatch: BatchCapacity images at a time, one shard per core.</summary>
    [Benchmark(OperationsPerInvoke = 2000)]
    public int PredictBatch()
    {
        _networks[0].PredictBatch(_valid.Images, _predictions);
        var correct = 0;
        for (var i = 0; i < _predictions.Length; i++) if (_predictions[i] == _valid.Labels[i]) correct++;
        return correct;
    }

    /// <summary>One network per core, each classifying its half of the images one at a time.</summary>
    [Benchmark(OperationsPerInvoke = 2000)]
    public int ValidationSet()
    {
        var correct = 0;
        var shard = (_valid.Count + _networks.Length - 1) / _networks.Length;
        Parallel.For(0, _networks.Length, worker =>
        {
            var mine = 0;
            for (var i = worker * shard; i < Math.Min(_valid.Count, (worker + 1) * shard); i++)
            {
                if (_networks[worker].Predict(_valid.Image(i)) == _valid.Labels[i]) mine++;
            }
            Interlocked.Add(ref correct, mine);
        });
        return correct;
    }
}
