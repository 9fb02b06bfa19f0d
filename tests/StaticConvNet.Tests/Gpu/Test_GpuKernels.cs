using StaticConvNet.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using StaticConvNet.Gpu;
using StaticConvNet.Kernels;

namespace StaticConvNet.Tests.Gpu;

/// <summary>Single ILGPU kernels against the CPU kernels they mirror, on a batch of three images, one kernel at a
/// time (the network-level equivalence is <see cref="GpuEquivalenceTests"/>). Written once against an accelerator
/// and instantiated per kind: ILGPU's CPU accelerator always, CUDA where a device is present.
///
/// The pooling window is odd on purpose: 7x6 images, 3x3 window, stride 2, SAME, so rows are padded 1 before and
/// 1 after and columns 0 before and 1 after; 17 channels use the CPU's 16-lane path and its scalar tail.
/// Tolerance 1e-5 absolute + 1e-4 relative: both sides sum in the same order, but a GPU may fuse multiply-adds and
/// its tanh is not the CPU's.</summary>
public abstract class GpuKernelTests : AcceleratorTests
{
    private const int Batch = 3;
    /// <summary>The pooling shape, as a generated layer's: 7x6x17, 3x3 window, stride 2, SAME.</summary>
    private readonly struct Pool : IPoolShape
    {
        public static int InHeight => 7;
        public static int InWidth => 6;
        public static int Channels => 17;
        public static int OutHeight => 4;
        public static int OutWidth => 3;
        public static int Size => 3;
        public static int Stride => 2;
        public static int PadTop => 1;
        public static int PadLeft => 0;
    }

    private const int InputLength = 7 * 6 * 17, OutputLength = 4 * 3 * 17;

    private static readonly WindowShape Window = new()
    {
        InHeight = Pool.InHeight, InWidth = Pool.InWidth, InChannels = Pool.Channels,
        OutHeight = Pool.OutHeight, OutWidth = Pool.OutWidth, OutChannels = Pool.Channels,
        Window = Pool.Size, Stride = Pool.Stride, PadTop = Pool.PadTop, PadLeft = Pool.PadLeft,
    };

    /// <param name="create">The accelerator to test, or null where this machine has none of its kind.</param>
    protected GpuKernelTests(Func<Context, Accelerator?> create) : base(create)
    {
    }

    private static float[] RandomValues(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static void ShouldBeClose(float[] actual, float[] expected, string what)
    {
        actual.Length.ShouldBe(expected.Length);
        for (var i = 0; i < actual.Length; i++)
            actual[i].ShouldBe(expected[i], 1e-5f + 1e-4f * Math.Abs(expected[i]), $"{what} {i}"); // fails on NaN, unlike ShouldBeLessThan
    }

    /// <summary>Runs a pooling kernel, one thread per value of <paramref name="outputLength"/>, and returns that output.</summary>
    private float[] Run(Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> kernel, float[] input, int outputLength)
    {
        var accelerator = Accelerator;
        using var x = accelerator.Allocate1D(input);
        using var y = accelerator.Allocate1D<float>(outputLength);
        var loaded = accelerator.LoadAutoGroupedStreamKernel(kernel);
        loaded(outputLength, x.View, y.View, Window);
        accelerator.Synchronize();
        return y.GetAsArray1D();
    }

    [SkippableFact]
    public void Avg_pool_forward_matches_the_CPU_kernel()
    {
        var x = RandomValues(Batch * InputLength, 1);
        var expected = new float[Batch * OutputLength];
        for (var n = 0; n < Batch; n++)
            AvgPool.Forward<Pool>(x.AsSpan(n * InputLength, InputLength), expected.AsSpan(n * OutputLength, OutputLength));
        ShouldBeClose(Run(GpuKernels.AvgPoolForward, x, expected.Length), expected, "output");
    }

    [SkippableFact]
    public void Avg_pool_backward_matches_the_CPU_kernel()
    {
        var g = RandomValues(Batch * OutputLength, 2);
        var expected = new float[Batch * InputLength];
        for (var n = 0; n < Batch; n++)
            AvgPool.Backward<Pool>(g.AsSpan(n * OutputLength, OutputLength), expected.AsSpan(n * InputLength, InputLength));
        ShouldBeClose(Run(GpuKernels.AvgPoolBackward, g, expected.Length), expected, "input gradient");
    }

    [SkippableFact]
    public void Global_avg_pool_forward_and_backward_match_the_CPU_kernel()
    {
        // The pooling shape's 7x6 images of 17 channels, each averaged to 17 means; the same sums in the same order.
        const int pixels = 7 * 6, channels = 17;
        var accelerator = Accelerator;
        var x = RandomValues(Batch * pixels * channels, 6);
        var g = RandomValues(Batch * channels, 7);
        var (y, dx) = (new float[Batch * channels], new float[x.Length]);
        for (var n = 0; n < Batch; n++)
        {
            GlobalAvgPool.Forward(x.AsSpan(n * pixels * channels, pixels * channels), y.AsSpan(n * channels, channels), pixels, channels);
            GlobalAvgPool.Backward(g.AsSpan(n * channels, channels), dx.AsSpan(n * pixels * channels, pixels * channels), pixels, channels);
        }
        using var xs = accelerator.Allocate1D(x);
        using var ys = accelerator.Allocate1D<float>(y.Length);
        using var gs = accelerator.Allocate1D(g);
        using var dxs = accelerator.Allocate1D<float>(x.Length);
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.GlobalAvgPoolForward)(y.Length, xs.View, ys.View, pixels, channels);
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.GlobalAvgPoolBackward)(x.Length, gs.View, dxs.View, pixels, channels);
        accelerator.Synchronize();
        ShouldBeClose(ys.GetAsArray1D(), y, "output");
        ShouldBeClose(dxs.GetAsArray1D(), dx, "input gradient");
    }

    [SkippableFact]
    public void Tanh_forward_matches_the_CPU_kernel()
    {
        var accelerator = Accelerator;
        var x = RandomValues(Batch * InputLength, 3, scale: 4f);
        var expected = new float[x.Length];
        Tanh.Forward(x, expected);
        using var xs = accelerator.Allocate1D(x);
        using var ys = accelerator.Allocate1D<float>(x.Length);
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.TanhForward)(x.Length, xs.View, ys.View);
        accelerator.Synchronize();
        ShouldBeClose(ys.GetAsArray1D(), expected, "output");
    }

    [SkippableFact]
    public void Tanh_backward_matches_the_CPU_kernel()
    {
        var accelerator = Accelerator;
        var y = RandomValues(Batch * InputLength, 4).Select(MathF.Tanh).ToArray();
        var g = RandomValues(y.Length, 5, scale: 3f);
        var expected = new float[y.Length];
        Tanh.Backward(y, g, expected);
        using var ys = accelerator.Allocate1D(y);
        using var gs = accelerator.Allocate1D(g);
        using var dxs = accelerator.Allocate1D<float>(y.Length);
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.TanhBackward)(y.Length, ys.View, gs.View, dxs.View);
        accelerator.Synchronize();
        ShouldBeClose(dxs.GetAsArray1D(), expected, "input gradient");
    }

    [SkippableFact]
    public void Softmax_cross_entropy_of_extreme_logits_matches_the_CPU_kernel()
    {
        // Logits far past the ~88.7 where float's exp overflows: a confident network's, and a confidently wrong one's.
        const int classes = 10;
        float[] z = [100f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
                     -1000f, 1000f, 999f, 0f, 5f, -5f, 1e4f, -1e4f, 88.8f, 250f,
                     0.5f, -0.25f, 3f, 1f, 0f, 2f, -1f, 0.75f, 1.5f, -2f];
        int[] labels = [0, 0, 2];
        var expectedLoss = new float[Batch];
        var expectedGradient = new float[Batch * classes];
        for (var n = 0; n < Batch; n++)
            expectedLoss[n] = SoftmaxCrossEntropy.Compute(z.AsSpan(n * classes, classes), labels[n], expectedGradient.AsSpan(n * classes, classes), 1f / Batch);

        var accelerator = Accelerator;
        using var zs = accelerator.Allocate1D(z);
        using var labelBuffer = accelerator.Allocate1D(labels);
        using var dz = accelerator.Allocate1D<float>(z.Length);
        using var loss = accelerator.Allocate1D<float>(Batch);
        using var right = accelerator.Allocate1D<float>(Batch);
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.SoftmaxCrossEntropy)(
            Batch, zs.View, labelBuffer.View, dz.View, loss.View, right.View, classes, Batch);
        accelerator.Synchronize();
        ShouldBeClose(loss.GetAsArray1D(), expectedLoss, "loss");
        ShouldBeClose(dz.GetAsArray1D(), expectedGradient, "logit gradient");
        right.GetAsArray1D().ShouldBe([1f, 0f, 1f]);
    }
}

public sealed class Test_GpuKernels_IlgpuCpu() : GpuKernelTests(context => context.CreateCPUAccelerator(0));

/// <summary>Runs where an NVIDIA GPU is present; reported as skipped elsewhere (CI machines have none).</summary>
public sealed class Test_GpuKernels_Cuda() : GpuKernelTests(context =>
    context.GetCudaDevices() is { Count: > 0 } devices ? devices[0].CreateAccelerator(context) : null);
