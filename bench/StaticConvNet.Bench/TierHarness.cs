using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>One SIMD tier's figures in one process, for bench/tiers.sh's per-tier tables: single-image inference of
/// each notebook model beside ONNX Runtime (its own AVX-512 kernels, whatever tier .NET was told to use) and one
/// training step at batch 16 on both cores. The tier is chosen by the environment the process starts in
/// (DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0); the first line says what the JIT sees. BenchmarkDotNet gives the same
/// figures for the default tier; this harness gives every tier's in a minute or two each, so tiers.sh can run all three.</summary>
internal static class TierHarness
{
    /// <summary>Prints "tier,…" and one CSV line per model: model, our µs, ONNX Runtime µs, training img/s, bytes a warm
    /// Predict allocates.</summary>
    public static int Run()
    {
        Console.WriteLine($"# tier,{Tier},Vector512={Vector512.IsHardwareAccelerated},Vector256={Vector256.IsHardwareAccelerated},"
            + $"Vector128={Vector128.IsHardwareAccelerated},Fma={System.Runtime.Intrinsics.X86.Fma.IsSupported}");
        Console.WriteLine("model,predict_us,onnxruntime_us,training_img_per_s,allocated_bytes");
        foreach (var model in new[] { "arch1", "arch2", "arch3", "arch4" })
        {
            var ours = new SingleImageInference { Model = model };
            ours.Setup();
            var ort = new OnnxRuntimeInference { Model = model };
            ort.Setup();
            var step = new TrainingStep { Model = model };
            step.Setup();
            // Interleaved rounds, best of each: the two runtimes see the same state of the machine.
            double predict = double.MaxValue, onnx = double.MaxValue, training = double.MaxValue;
            for (var round = 0; round < 7; round++)
            {
                predict = Math.Min(predict, Microseconds(() => ours.Predict()));
                onnx = Math.Min(onnx, Microseconds(() => ort.Run()));
                training = Math.Min(training, Microseconds(() => step.Step()));
            }
            ort.Cleanup();
            // What a warm Predict allocates (it must be nothing), over a thousand calls.
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) ours.Predict();
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model},{predict:F2},{onnx:F2},{TrainingStep.Batch / (training * 1e-6):F0},{allocated}"));
        }
        return 0;
    }

    /// <summary>Prints "tier,…" and one CSV line per layer pass of every notebook model (as <see cref="LayerPasses"/>
    /// runs them): case, forward µs, backward µs.</summary>
    public static int Layers()
    {
        Console.WriteLine($"# tier,{Tier}");
        Console.WriteLine("layer,forward_us,backward_us");
        foreach (var layer in LayerPasses.Cases("arch1", "arch2", "arch3", "arch4"))
        {
            var passes = new LayerPasses { Layer = layer };
            passes.Setup();
            double forward = double.MaxValue, backward = double.MaxValue;
            for (var round = 0; round < 3; round++)
            {
                forward = Math.Min(forward, Microseconds(passes.Forward, 100, 50));
                backward = Math.Min(backward, Microseconds(passes.Backward, 100, 50));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{layer},{forward:F2},{backward:F2}"));
        }
        return 0;
    }

    /// <summary>The widest vector the JIT accelerates here: what the kernels compile for.</summary>
    public static string Tier => Vector512.IsHardwareAccelerated ? "avx512" : Vector256.IsHardwareAccelerated ? "avx2" : Vector128.IsHardwareAccelerated ? "128-bit" : "scalar";

    /// <summary>Mean µs per call over about <paramref name="measureMs"/>, after a warm-up long enough for tiered
    /// compilation to settle.</summary>
    private static double Microseconds(Action call, int warmMs = 300, int measureMs = 300)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < warmMs) call();
        var calls = 0;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < measureMs) { call(); calls++; }
        return clock.Elapsed.TotalMicroseconds / calls;
    }
}
