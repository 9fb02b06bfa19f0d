using BenchmarkDotNet.Running;
using StaticConvNet;
using StaticConvNet.Bench;
using StaticConvNet.Models;

// dotnet run -c Release --project bench/StaticConvNet.Bench -- --filter '*'
// (see docs/performance.md for the results and how they were taken)
if (args is ["--layer-flops"])
{
    // For bench/compare.sh: the floating-point operations of each LayerPasses case, per image, forward and backward.
    foreach (var layer in LayerPasses.Cases("arch1", "arch2", "arch3", "arch4"))
    {
        var (forward, backward) = LayerFlops.Of(layer);
        Console.WriteLine($"{layer},{forward},{backward}");
    }
    return 0;
}
if (args is ["--tier"]) return TierHarness.Run();
if (args is ["--tier-layers"]) return TierHarness.Layers();
if (args is ["--core-distance"]) return CoreDistanceHarness.Run();
if (args is ["--first-steps", .. var firstSteps]) return FirstStepsHarness.Run(firstSteps);
if (args is ["--gpu-check", var deviceName])
{
    // For bench/gpu.sh: on the real GPU, does training end where the CPU path ends (the tolerance Test_GpuTraining
    // holds the CPU accelerator to)? 20 steps of every model at batch 4 from the same start.
    try { return GpuCheck.Run(StaticConvNet.Gpu.Devices.Parse(deviceName)); }
    catch (Exception e) when (e is InvalidOperationException or ArgumentException)
    {
        Console.Error.WriteLine($"--gpu-check: {e.Message}");
        return 2;
    }
}

// The GPU benchmarks run only when asked for (--gpu, on a machine with CUDA; see bench/gpu.sh): elsewhere their setup
// could only fail. Every other benchmark runs without it.
Type[] gpu = [typeof(GpuTrainingStep), typeof(GpuBatchInference)];
var onGpu = args.Contains("--gpu");
var types = typeof(Program).Assembly.GetTypes()
    .Where(t => t is { IsAbstract: false, IsPublic: true } && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
    .Where(t => gpu.Contains(t) == onGpu)
    .ToArray();
BenchmarkSwitcher.FromTypes(types).Run(args.Where(a => a != "--gpu").ToArray());
return 0;

namespace StaticConvNet.Bench
{
    /// <summary>Multiply-adds counted as two operations, as the FMA ceiling counts them; element-wise layers as zero.</summary>
    internal static class LayerFlops
    {
        public static (long Forward, long Backward) Of(string layerCase)
        {
            var parts = layerCase.Split('/');
            var layers = ModelCatalog.Find(parts[0])!.Create().Description.Layers;
            if (parts[1] == "batch") return (0, 0);
            if (parts[1] == "shard") // the dense weight gradients, summed per shard
                return (0, layers.OfType<DenseLayer>().Sum(d => 2L * d.Input.Length * d.Output.Length));
            return layers[int.Parse(parts[1])] switch
            {
                Conv2DLayer c => Conv(c),
                DenseLayer d => (2L * d.Input.Length * d.Output.Length, d.Index > 0 ? 2L * d.Input.Length * d.Output.Length : 0),
                _ => (0, 0),
            };
        }

        private static (long, long) Conv(Conv2DLayer c)
        {
            var forward = 2L * c.Output.Length * c.Window.Size * c.Window.Size * c.Input.Channels;
            return (forward, c.Index > 0 ? 2 * forward : forward); // weight gradient, and the input gradient past the first layer
        }
    }
}
