using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StaticConvNet.Data;
using StaticConvNet.Gpu;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>GPU benchmarks run in this process (the GPU machine has no .NET SDK to build BenchmarkDotNet's usual
/// child process): publish this project self-contained and run it with <c>--gpu</c> there (bench/gpu.sh).</summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>What the GPU benchmarks share: the model's GPU network on the first CUDA device (or, with
/// SCN_BENCH_DEVICE=ilgpu-cpu, ILGPU's CPU accelerator, to try the benchmark itself anywhere) at the batch size.</summary>
public abstract class GpuBenchmark
{
    private (ILGPU.Context Context, ILGPU.Runtime.Accelerator Accelerator) _device;
    protected GpuNetwork Gpu = null!;
    protected Dataset Train = null!;

    [Params("arch2", "arch3")]
    public string Model { get; set; } = "arch2";

    [Params(128, 1024)]
    public int Batch { get; set; } = 128;

    protected void Open()
    {
        var kind = Devices.Parse(Environment.GetEnvironmentVariable("SCN_BENCH_DEVICE") ?? "cuda");
        _device = Devices.Open(kind) ?? throw new InvalidOperationException("the GPU benchmarks need an ILGPU device (cuda or ilgpu-cpu)");
        var host = ModelCatalog.Find(Model)!.Create();
        host.InitializeParameters(1);
        Gpu = ((IGpuConvNet)host).CreateGpuNetwork(_device.Accelerator, Batch);
        Gpu.UploadParameters(host.Parameters);
        (Train, _) = BundledData.Load();
    }

    [GlobalCleanup]
    public void Close()
    {
        Gpu.Dispose();
        _device.Accelerator.Dispose();
        _device.Context.Dispose();
    }
}

/// <summary>One training step on the GPU: the batch uploaded, forward, loss, backward and the SGD update, and the loss
/// and the right answers back (what every step of <c>scn train --device cuda</c> does). Images per second =
/// Batch / (time per operation).</summary>
[Config(typeof(InProcessConfig))]
public class GpuTrainingStep : GpuBenchmark
{
    private float[] _images = null!;
    private int[] _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        Open();
        _images = Train.Images.AsSpan(0, Batch * Train.ImageLength).ToArray();
        _labels = Train.Labels.AsSpan(0, Batch).ToArray();
    }

    [Benchmark]
    public float Step()
    {
        var (loss, _) = Gpu.ComputeGradients(_images, _labels, Batch);
        Gpu.SgdStep(0.01f, 0.9f);
        return loss;
    }
}

/// <summary>Classifying the 11,840 training images on the GPU, a batch at a time: images per second = 11,840 /
/// (time per operation).</summary>
[Config(typeof(InProcessConfig))]
public class GpuBatchInference : GpuBenchmark
{
    private int[] _predictions = null!;

    [GlobalSetup]
    public void Setup()
    {
        Open();
        _predictions = new int[Train.Count];
    }

    [Benchmark]
    public int PredictBatch()
    {
        Gpu.PredictBatch(Train.Images.AsSpan(0, Train.Count * Train.ImageLength), _predictions);
        return _predictions[^1];
    }
}

/// <summary>Twenty SGD steps (momentum 0.5, batch 4) of every model on the CPU path and on an ILGPU device from the
/// same start: the largest parameter difference, against Test_GpuTraining's tolerance (1e-3 + 1 % of the value).</summary>
internal static class GpuCheck
{
    public static int Run(DeviceKind kind)
    {
        var (context, accelerator) = Devices.Open(kind) ?? throw new InvalidOperationException("--gpu-check needs an ILGPU device (cuda or ilgpu-cpu)");
        using var _ = context;
        using var __ = accelerator;
        Console.WriteLine($"device: {accelerator.AcceleratorType} {accelerator.Name}");
        var (train, _) = BundledData.Load();
        var failures = 0;
        foreach (var entry in ModelCatalog.All)
        {
            var options = entry.NotebookRecipe with { Steps = 20, BatchSize = 4, EvalEvery = 0, Seed = 3, Schedule = new(0.02f), Momentum = 0.5f };
            var cpu = entry.Create();
            Trainer.Train(cpu, train, null, options);
            var host = entry.Create();
            using var gpu = ((IGpuConvNet)host).CreateGpuNetwork(accelerator, batchCapacity: 4);
            GpuTrainer.Train(gpu, host, train, null, options);
            var (worst, at) = (0.0, -1);
            for (var i = 0; i < cpu.ParameterCount; i++)
            {
                var excess = Math.Abs(host.Parameters[i] - cpu.Parameters[i]) / (1e-3 + 0.01 * Math.Abs(cpu.Parameters[i]));
                if (!(excess <= worst)) (worst, at) = (excess, i);
            }
            var ok = worst <= 1;
            if (!ok) failures++;
            Console.WriteLine($"{entry.Key}: largest difference {worst:P2} of the tolerance (parameter {at}) {(ok ? "ok" : "FAILS")}");
        }
        return failures == 0 ? 0 : 1;
    }
}
