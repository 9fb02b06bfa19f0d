using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using StaticConvNet.Gpu;
using StaticConvNet.Tests.Support;

using StaticConvNet.Training;

namespace StaticConvNet.Tests.Gpu;

/// <summary>The ILGPU kernels compute what the generated CPU SIMD code computes. Written once against an
/// accelerator and instantiated per accelerator kind, as ILGPU's own tests are: the CPU accelerator always runs
/// (in CI too); CUDA runs where a device is present.
///
/// Tolerances: both sides are float with different summation orders (the GPU sums each output in one thread,
/// the CPU in SIMD lanes and shards), so results agree to ~1e-6 relative per sum; 1e-4 absolute + 1e-3 relative
/// leaves room for the deepest model's accumulation without hiding a wrong term.</summary>
public abstract class GpuEquivalenceTests : AcceleratorTests
{
    /// <param name="create">The accelerator to test, or null where this machine has none of its kind.</param>
    protected GpuEquivalenceTests(Func<Context, Accelerator?> create) : base(create)
    {
    }

    public static TheoryData<string> Cases => new(ReferenceNets.All.Keys);

    private static void ShouldBeClose(float[] actual, float[] expected, string what)
    {
        actual.Length.ShouldBe(expected.Length);
        for (var i = 0; i < actual.Length; i++)
            Tolerance.Difference(actual[i], expected[i]).ShouldBeLessThan(1e-4f + 1e-3f * Math.Abs(expected[i]), $"{what} {i}");
    }

    /// <summary>The CPU path's logits of <paramref name="count"/> images, and the network on the accelerator with the
    /// same parameters, for batches of up to 3.</summary>
    private (float[] Expected, GpuNetwork Gpu) CpuLogitsAndGpu(IConvNet cpu, float[] images, int count)
    {
        var expected = new float[count * cpu.OutputLength];
        for (var n = 0; n < count; n++) cpu.Forward(images.AsSpan(n * cpu.InputLength, cpu.InputLength), expected.AsSpan(n * cpu.OutputLength, cpu.OutputLength));
        var gpu = ((IGpuConvNet)cpu).CreateGpuNetwork(Accelerator, batchCapacity: 3);
        gpu.UploadParameters(cpu.Parameters);
        gpu.UploadState(cpu.State);
        return (expected, gpu);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_CPU_path(string name)
    {
        var (cpu, images, _) = ReferenceNets.Setup(ReferenceNets.All[name], batch: 3, parameterScale: 0.2f);
        var (expected, gpu) = CpuLogitsAndGpu(cpu, images, 3);
        using var _ = gpu;
        ShouldBeClose(gpu.Forward(images, 3), expected, "logit");
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_the_CPU_path_with_the_same_dropout_masks(string name)
    {
        var (cpu, images, labels) = ReferenceNets.Setup(ReferenceNets.All[name], batch: 3, parameterScale: 0.2f);
        using var gpu = ((IGpuConvNet)cpu).CreateGpuNetwork(Accelerator, batchCapacity: 3);
        gpu.UploadParameters(cpu.Parameters);
        gpu.UploadState(cpu.State);
        cpu.DropoutSeed = gpu.DropoutSeed = 21;
        cpu.DropoutStep = gpu.DropoutStep = 6;
        var cpuLoss = cpu.ComputeGradients(images, labels, 3);
        var (gpuLoss, gpuCorrect) = gpu.ComputeGradients(images, labels, 3);
        gpuLoss.ShouldBe(cpuLoss, 1e-4f + 1e-4f * cpuLoss);
        ShouldBeClose(gpu.DownloadGradients(), cpu.Gradients.ToArray(), "gradient");
        ShouldBeClose(gpu.DownloadState(), cpu.State.ToArray(), "running statistic"); // BatchNorm's, moved by the step
        gpuCorrect.ShouldBe(Enumerable.Range(0, 3).Count(n => Evaluation.ArgMax(cpu.TrainingLogits(n)) == labels[n]));
    }

    /// <summary>On ILGPU's CPU accelerator the networks run their products untiled (docs/gpu.md); here a few small
    /// networks (a strided convolution, a wide one before a narrow one, dense layers) run them tiled, in groups of
    /// the largest the accelerator allows (4 × 4 on the CPU): the same logits and gradients.</summary>
    public static TheoryData<string> TiledCases => new("ConvSameStride2", "WideConv", "DenseRelu");

    [SkippableTheory]
    [MemberData(nameof(TiledCases))]
    public void Tiled_products_give_the_CPU_paths_logits_and_gradients(string name)
    {
        var (cpu, images, labels) = ReferenceNets.Setup(ReferenceNets.All[name], batch: 3, parameterScale: 0.2f);
        var (expected, gpu) = CpuLogitsAndGpu(cpu, images, 3);
        using var _ = gpu;
        gpu.ProductGroupSide = TiledProduct.GroupSide(Accelerator);
        ShouldBeClose(gpu.Forward(images, 3), expected, "logit");
        cpu.ComputeGradients(images, labels, 3);
        gpu.ComputeGradients(images, labels, 3);
        ShouldBeClose(gpu.DownloadGradients(), cpu.Gradients.ToArray(), "gradient");
    }

    /// <summary>Batch inference adds chunking and the class choice to the forward pass the cases above check: a few
    /// networks cover it (convolution, pooling, tanh, dense, and dropout, which inference leaves out).</summary>
    public static TheoryData<string> BatchCases => new("Pool", "Dropout", "Tanh", "arch2");

    [SkippableTheory]
    [MemberData(nameof(BatchCases))]
    public void Batch_inference_of_more_images_than_a_batch_matches_the_CPU_path(string name)
    {
        // 7 images through buffers for 3: batches of 3, 3 and 1.
        var (cpu, images, _) = ReferenceNets.Setup(ReferenceNets.All[name], batch: 7, parameterScale: 0.2f);
        var (expected, gpu) = CpuLogitsAndGpu(cpu, images, 7);
        using var _ = gpu;
        var logits = new float[expected.Length];
        gpu.ForwardBatch(images, logits);
        ShouldBeClose(logits, expected, "logit");
        var classes = new int[7];
        gpu.PredictBatch(images, classes);
        classes.ShouldBe(Enumerable.Range(0, 7).Select(n => Evaluation.ArgMax(expected.AsSpan(n * cpu.OutputLength, cpu.OutputLength))).ToArray());
        Should.Throw<ArgumentException>(() => gpu.PredictBatch(images, new int[6]));
    }
}

public sealed class Test_GpuEquivalence_IlgpuCpu() : GpuEquivalenceTests(context => context.CreateCPUAccelerator(0));

/// <summary>Runs where an NVIDIA GPU is present; reported as skipped elsewhere (CI machines have none).</summary>
public sealed class Test_GpuEquivalence_Cuda() : GpuEquivalenceTests(context =>
    context.GetCudaDevices() is { Count: > 0 } devices ? devices[0].CreateAccelerator(context) : null);

/// <summary>Twenty training steps on the bundled data, on the CPU path and on ILGPU's CPU accelerator, end in the
/// same parameters (to float tolerance) for every model. Batches of 2: ILGPU's CPU accelerator simulates
/// every GPU thread, so batch 16 would take minutes per model; the kernels do not depend on the batch size, and at 2
/// images a first convolution's weight gradient is still a reduction split into 4 parts.</summary>
public sealed class Test_GpuTraining : IDisposable
{
    private readonly Context _context = StaticConvNet.Gpu.Devices.CreateContext();
    private readonly Accelerator _accelerator;

    public Test_GpuTraining() => _accelerator = _context.CreateCPUAccelerator(0);

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }

    [Theory]
    [InlineData("arch1")]
    [InlineData("arch2")]
    [InlineData("arch3")]
    [InlineData("arch4")]
    [InlineData("lenet5")]
    public void Twenty_steps_match_the_CPU_path(string model)
    {
        var entry = StaticConvNet.Models.ModelCatalog.Find(model)!;
        var (train, _) = StaticConvNet.BundledData.Load();
        var options = entry.NotebookRecipe with { Steps = 20, BatchSize = 2, EvalEvery = 0, Seed = 3, Schedule = new(0.02f), Momentum = 0.5f };
        var cpu = entry.Create();
        StaticConvNet.Trainer.Train(cpu, train, null, options);
        var host = entry.Create();
        using var gpu = ((IGpuConvNet)host).CreateGpuNetwork(_accelerator, batchCapacity: 2);
        var result = GpuTrainer.Train(gpu, host, train, null, options);

        result.Diverged.ShouldBeFalse();
        // Twenty steps let float rounding differences grow; 1e-3 absolute + 1 % still catches any wrong gradient.
        var expected = cpu.Parameters.ToArray();
        var actual = host.Parameters.ToArray();
        for (var i = 0; i < expected.Length; i++)
            Tolerance.Difference(actual[i], expected[i]).ShouldBeLessThan(1e-3f + 0.01f * Math.Abs(expected[i]), $"parameter {i}");
    }
}
