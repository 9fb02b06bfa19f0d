using StaticConvNet.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using StaticConvNet.Gpu;

namespace StaticConvNet.Tests.Gpu;

/// <summary>The tiled matrix products (<see cref="TiledProduct"/>) against the definitions, written here as plain
/// loops, at shapes that fit no tile: 3 images of 17x13x3, a 5x5 window at stride 2 with SAME padding (2 rows and 2
/// columns of padding before), 19 filters (one tile of 16 and a ragged one), a dense layer of 37 → 19. Weight
/// gradients of the 16x16 convolution sum 768 pixels, and the dense one 600 images, so the reductions are split into
/// parts (512 terms each) and summed by SumParts. Every product runs tiled (groups of side × side threads staging
/// tiles in shared memory) and untiled (side 0, what ILGPU's CPU accelerator runs in training): both must be the
/// definition. Written once against an accelerator, instantiated per kind; the CPU accelerator runs side 4 (its
/// default groups of 16 threads) and, on a simulated device with groups of 256 threads, side 16, the GPU's.</summary>
public abstract class TiledProductTests : AcceleratorTests
{
    private static readonly WindowShape Strided = new()
    {
        InHeight = 17, InWidth = 13, InChannels = 3, OutHeight = 9, OutWidth = 7, OutChannels = 19,
        Window = 5, Stride = 2, PadTop = 2, PadLeft = 2,
    };

    private static readonly WindowShape Same = new()
    {
        InHeight = 16, InWidth = 16, InChannels = 5, OutHeight = 16, OutWidth = 16, OutChannels = 17,
        Window = 3, Stride = 1, PadTop = 1, PadLeft = 1,
    };

    private const int Batch = 3;

    private readonly int[] _sides;

    /// <param name="sides">The group sides to run the products with (0: untiled).</param>
    protected TiledProductTests(Func<Context, Accelerator?> create, params int[] sides) : base(create) => _sides = sides;

    private static float[] RandomValues(long length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static int InputLength(WindowShape s) => s.InHeight * s.InWidth * s.InChannels;
    private static int OutputLength(WindowShape s) => s.OutHeight * s.OutWidth * s.OutChannels;
    private static int WeightCount(WindowShape s) => s.Window * s.Window * s.InChannels * s.OutChannels;

    /// <summary>Input value (n, iy, ix, c), or null in the padding.</summary>
    private static int? InputIndex(WindowShape s, int n, int oy, int ox, int ky, int kx, int c)
    {
        int iy = oy * s.Stride - s.PadTop + ky, ix = ox * s.Stride - s.PadLeft + kx;
        return iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth ? null : ((n * s.InHeight + iy) * s.InWidth + ix) * s.InChannels + c;
    }

    /// <summary>Every (output index, input index, weight index) of a convolution of <paramref name="count"/> images.</summary>
    private static IEnumerable<(int Output, int Input, int Weight)> Taps(WindowShape s, int count)
    {
        for (var n = 0; n < count; n++)
        for (var oy = 0; oy < s.OutHeight; oy++)
        for (var ox = 0; ox < s.OutWidth; ox++)
        for (var ky = 0; ky < s.Window; ky++)
        for (var kx = 0; kx < s.Window; kx++)
        for (var c = 0; c < s.InChannels; c++)
        for (var o = 0; o < s.OutChannels; o++)
        {
            if (InputIndex(s, n, oy, ox, ky, kx, c) is { } input)
                yield return ((((n * s.OutHeight + oy) * s.OutWidth + ox) * s.OutChannels) + o, input, ((ky * s.Window + kx) * s.InChannels + c) * s.OutChannels + o);
        }
    }

    [SkippableFact]
    public void A_gradient_view_without_room_for_the_bias_is_refused()
    {
        using var partials = Partials();
        var kernels = KernelSets(partials).First();
        using var xs = Accelerator.Allocate1D<float>(Batch * InputLength(Same));
        using var gs = Accelerator.Allocate1D<float>(Batch * OutputLength(Same));
        using var weightsOnly = Accelerator.Allocate1D<float>(WeightCount(Same));
        Should.Throw<ArgumentException>(() => kernels.ConvWeightGradient(Batch, xs.View, gs.View, weightsOnly.View, Same))
            .Message.ShouldContain("bias gradient");
    }

    [SkippableFact]
    public void A_group_side_the_accelerator_cannot_run_is_refused()
    {
        using var partials = Partials();
        Should.Throw<ArgumentOutOfRangeException>(() => new GpuKernelSet(Accelerator, partials.View, 5));
        Should.Throw<ArgumentOutOfRangeException>(() => new GpuKernelSet(Accelerator, partials.View, 64));
    }

    private static void ShouldBeClose(float[] actual, double[] expected, string what)
    {
        actual.Length.ShouldBe(expected.Length);
        for (var i = 0; i < actual.Length; i++)
            actual[i].ShouldBe((float)expected[i], 1e-4 + 1e-4 * Math.Abs(expected[i]), $"{what} {i}");
    }

    /// <summary>Each set of kernels under test, with room for the partial sums of any product here.</summary>
    private IEnumerable<GpuKernelSet> KernelSets(MemoryBuffer1D<float, Stride1D.Dense> partials)
        => _sides.Select(side => new GpuKernelSet(Accelerator, partials.View, side));

    private MemoryBuffer1D<float, Stride1D.Dense> Partials() => Accelerator.Allocate1D<float>(1 << 20);

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Convolution_forward_is_the_definition_plus_bias_and_the_fused_relu(bool relu)
    {
        var s = Strided;
        var (x, w, b) = (RandomValues(Batch * InputLength(s), 1), RandomValues(WeightCount(s), 2), RandomValues(s.OutChannels, 3));
        var expected = new double[Batch * OutputLength(s)];
        for (var i = 0; i < expected.Length; i++) expected[i] = b[i % s.OutChannels];
        foreach (var (output, input, weight) in Taps(s, Batch)) expected[output] += (double)x[input] * w[weight];
        if (relu) for (var i = 0; i < expected.Length; i++) expected[i] = Math.Max(expected[i], 0);

        using var partials = Partials();
        using var xs = Accelerator.Allocate1D(x);
        using var ws = Accelerator.Allocate1D(w);
        using var bs = Accelerator.Allocate1D(b);
        using var ys = Accelerator.Allocate1D<float>(expected.Length);
        foreach (var kernels in KernelSets(partials))
        {
            ys.MemSetToZero();
            kernels.ConvForward(Batch, xs.View, ws.View, bs.View, ys.View, s, relu);
            ShouldBeClose(ys.GetAsArray1D(), expected, "output");
        }
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Convolution_gradients_are_the_definitions(bool strided)
    {
        var s = strided ? Strided : Same;
        var (x, w, g) = (RandomValues(Batch * InputLength(s), 4), RandomValues(WeightCount(s), 5), RandomValues(Batch * OutputLength(s), 6));
        var (dx, dw, db) = (new double[x.Length], new double[w.Length], new double[s.OutChannels]);
        foreach (var (output, input, weight) in Taps(s, Batch))
        {
            dx[input] += (double)g[output] * w[weight];
            dw[weight] += (double)g[output] * x[input];
        }
        for (var i = 0; i < g.Length; i++) db[i % s.OutChannels] += g[i];

        using var partials = Partials();
        using var xs = Accelerator.Allocate1D(x);
        using var ws = Accelerator.Allocate1D(w);
        using var gs = Accelerator.Allocate1D(g);
        using var dxs = Accelerator.Allocate1D<float>(x.Length);
        using var dwbs = Accelerator.Allocate1D<float>(w.Length + s.OutChannels); // weights, then bias, as in the parameters
        foreach (var kernels in KernelSets(partials))
        {
            kernels.ConvInputGradient(Batch, ws.View, gs.View, dxs.View, s);
            kernels.ConvWeightGradient(Batch, xs.View, gs.View, dwbs.View, s);
            ShouldBeClose(dxs.GetAsArray1D(), dx, "input gradient");
            var dwb = dwbs.GetAsArray1D();
            ShouldBeClose(dwb[..w.Length], dw, "weight gradient");
            ShouldBeClose(dwb[w.Length..], db, "bias gradient");
        }
        if (!strided) TiledProduct.Parts((long)Batch * s.OutHeight * s.OutWidth).ShouldBe(2, "the weight gradient should be a split reduction");
    }

    [SkippableTheory]
    [InlineData(5)]
    [InlineData(600)]
    public void Dense_products_are_the_definitions(int count)
    {
        var s = WindowShape.Dense(37, 19);
        var (x, w, b, g) = (RandomValues(count * 37, 7), RandomValues(37 * 19, 8), RandomValues(19, 9), RandomValues(count * 19, 10));
        var (y, dx, dw, db) = (new double[count * 19], new double[count * 37], new double[37 * 19], new double[19]);
        for (var n = 0; n < count; n++)
        for (var j = 0; j < 19; j++)
        {
            y[n * 19 + j] = b[j];
            db[j] += g[n * 19 + j];
            for (var i = 0; i < 37; i++)
            {
                y[n * 19 + j] += (double)x[n * 37 + i] * w[i * 19 + j];
                dx[n * 37 + i] += (double)g[n * 19 + j] * w[i * 19 + j];
                dw[i * 19 + j] += (double)x[n * 37 + i] * g[n * 19 + j];
            }
        }

        using var partials = Partials();
        using var xs = Accelerator.Allocate1D(x);
        using var ws = Accelerator.Allocate1D(w);
        using var bs = Accelerator.Allocate1D(b);
        using var gs = Accelerator.Allocate1D(g);
        using var ys = Accelerator.Allocate1D<float>(y.Length);
        using var dxs = Accelerator.Allocate1D<float>(dx.Length);
        using var dwbs = Accelerator.Allocate1D<float>(dw.Length + 19);
        foreach (var kernels in KernelSets(partials))
        {
            kernels.DenseForward(count, xs.View, ws.View, bs.View, ys.View, s, relu: false);
            kernels.DenseInputGradient(count, ws.View, gs.View, dxs.View, s);
            kernels.DenseWeightGradient(count, xs.View, gs.View, dwbs.View, s);
            ShouldBeClose(ys.GetAsArray1D(), y, "output");
            ShouldBeClose(dxs.GetAsArray1D(), dx, "input gradient");
            var dwb = dwbs.GetAsArray1D();
            ShouldBeClose(dwb[..dw.Length], dw, "weight gradient");
            ShouldBeClose(dwb[dw.Length..], db, "bias gradient");
        }
    }

    [SkippableFact]
    public void A_split_reduction_gives_the_same_bits_every_time_tiled_or_not()
    {
        var s = Same;
        var (x, g) = (RandomValues(Batch * InputLength(s), 11), RandomValues(Batch * OutputLength(s), 12));
        using var partials = Partials();
        using var xs = Accelerator.Allocate1D(x);
        using var gs = Accelerator.Allocate1D(g);
        using var dws = Accelerator.Allocate1D<float>(WeightCount(s) + s.OutChannels);
        float[]? first = null;
        foreach (var kernels in KernelSets(partials))
        {
            for (var run = 0; run < 2; run++)
            {
                dws.MemSetToZero();
                kernels.ConvWeightGradient(Batch, xs.View, gs.View, dws.View, s);
                var bits = dws.GetAsArray1D();
                if (first is null) first = bits;
                else bits.ShouldBe(first); // every term in the same order, whatever the group side
            }
        }
    }

    [SkippableFact]
    public void A_reduction_larger_than_the_room_for_its_partial_sums_is_refused()
    {
        using var partials = Accelerator.Allocate1D<float>(100);
        var kernels = new GpuKernelSet(Accelerator, partials.View, _sides[^1]);
        using var xs = Accelerator.Allocate1D<float>(Batch * InputLength(Same));
        using var gs = Accelerator.Allocate1D<float>(Batch * OutputLength(Same));
        using var dws = Accelerator.Allocate1D<float>(WeightCount(Same) + Same.OutChannels);
        Should.Throw<InvalidOperationException>(() => kernels.ConvWeightGradient(Batch, xs.View, gs.View, dws.View, Same))
            .Message.ShouldContain("partial sums");
    }

    [SkippableFact]
    public void The_summary_and_the_classes_are_computed_on_the_device()
    {
        const int count = 300; // more than the summing group's threads (at most 256)
        var (a, b) = (RandomValues(count, 13), RandomValues(count, 14));
        var logits = RandomValues(count * 10, 15);
        using var partials = Partials();
        using var @as = Accelerator.Allocate1D(a);
        using var bs = Accelerator.Allocate1D(b);
        using var summary = Accelerator.Allocate1D<float>(2);
        using var zs = Accelerator.Allocate1D(logits);
        using var classes = Accelerator.Allocate1D<int>(count);
        var kernels = KernelSets(partials).First();
        kernels.Summarise(@as.View, bs.View, summary.View, count);
        kernels.ArgMax(count, zs.View, classes.View, 10);
        var sums = summary.GetAsArray1D();
        sums[0].ShouldBe(a.Sum(), 1e-3);
        sums[1].ShouldBe(b.Sum(), 1e-3);
        classes.GetAsArray1D().ShouldBe(Enumerable.Range(0, count).Select(n => StaticConvNet.Evaluation.ArgMax(logits.AsSpan(n * 10, 10))).ToArray());
    }
}

public sealed class Test_TiledProducts_IlgpuCpu() : TiledProductTests(context => context.CreateCPUAccelerator(0), 0, 4);

/// <summary>The GPU's group side, 16 (groups of 256 threads), on a CPU accelerator simulating groups that large.</summary>
public sealed class Test_TiledProducts_IlgpuCpu256() : TiledProductTests(context => new CPUDevice(32, 8, 1).CreateAccelerator(context), 16);

/// <summary>Runs where an NVIDIA GPU is present; reported as skipped elsewhere (CI machines have none).</summary>
public sealed class Test_TiledProducts_Cuda() : TiledProductTests(context =>
    context.GetCudaDevices() is { Count: > 0 } devices ? devices[0].CreateAccelerator(context) : null, 0, 16);
