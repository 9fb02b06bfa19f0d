using ILGPU;
using ILGPU.Runtime;

namespace StaticConvNet.Gpu;

/// <summary>Every kernel, compiled for one accelerator, with the launches the generated passes call. The matrix
/// products go through <see cref="TiledProduct"/> with the layer's shape as a specialised value (one compiled copy
/// per layer); the element-wise and pooling kernels take the launch size (one thread per value written) first.
/// Launches only queue work on the accelerator's stream: nothing here waits for the device.</summary>
public sealed class GpuKernelSet
{
    private readonly ArrayView<float> _partials;

    /// <summary>The matrix products' group side (0: untiled).</summary>
    public int GroupSide { get; }
    private readonly int _summaryGroup;

    /// <param name="partials">Room for the partial sums of the largest split reduction a pass runs (the generated
    /// plan sizes it); reductions run one after another on one stream, so they share it.</param>
    /// <param name="groupSide">The tiled products' group side; 0 for untiled products. By default 0 on ILGPU's CPU
    /// accelerator and <see cref="TiledProduct.GroupSide"/> elsewhere.</param>
    public GpuKernelSet(Accelerator a, ArrayView<float> partials, int? groupSide = null)
    {
        var side = groupSide ?? (a.AcceleratorType == AcceleratorType.CPU ? 0 : TiledProduct.GroupSide(a));
        if (side is not (0 or 4 or 8 or 16) || side * side > a.MaxNumThreadsPerGroup)
            throw new ArgumentOutOfRangeException(nameof(groupSide), side, $"The group side must be 0 (untiled) or 4, 8 or 16 with side² threads in a group ({a.Name} allows {a.MaxNumThreadsPerGroup}).");
        GroupSide = side;
        _partials = partials;
        _summaryGroup = GpuKernels.SummaryGroup;
        while (_summaryGroup > a.MaxNumThreadsPerGroup) _summaryGroup /= 2; // the tree needs a power of two
        _convForward = new(a, side);
        _convInput = new(a, side);
        _convWeights = new(a, side);
        _sumParts = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.SumParts);
        MaxPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.PoolForward);
        MaxPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.PoolBackward);
        AvgPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.AvgPoolForward);
        AvgPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.AvgPoolBackward);
        ReluForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.ReluForward);
        ReluBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.ReluBackward);
        TanhForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.TanhForward);
        TanhBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.TanhBackward);
        DropoutForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ulong, ulong, int>(GpuKernels.DropoutForward);
        Multiply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.Multiply);
        Copy = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.Copy);
        GlobalAvgPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.GlobalAvgPoolForward);
        GlobalAvgPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.GlobalAvgPoolBackward);
        BatchNormStatistics = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float>(GpuKernels.BatchNormStatistics);
        BatchNormForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuKernels.BatchNormForward);
        BatchNormInference = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(GpuKernels.BatchNormInference);
        BatchNormGradientSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.BatchNormGradientSums);
        BatchNormBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.BatchNormBackward);
        ConcatForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(GpuKernels.ConcatForward);
        ConcatBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(GpuKernels.ConcatBackward);
        Add = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.Add);
        LrnForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float, float>(GpuKernels.LrnForward);
        LrnBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float>(GpuKernels.LrnBackward);
        Loss = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.SoftmaxCrossEntropy);
        Sgd = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(GpuKernels.SgdStep);
        ArgMax = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int>(GpuKernels.ArgMax);
        SumTwo = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuKernels.SumTwo);
    }

    // ---- Matrix products ----------------------------------------------------------------------------------------

    /// <summary>One product's kernel for this accelerator: tiled in groups of side × side threads, or, with side 0,
    /// untiled (ILGPU's CPU accelerator; see <see cref="TiledProduct"/>).</summary>
    private sealed class ProductKernel<T> where T : struct, IProduct
    {
        private readonly Action<KernelConfig, T, SpecializedValue<WindowShape>, SpecializedValue<int>, int>? _tiled;
        private readonly Action<Index3D, T, WindowShape, int>? _untiled;
        private readonly int _side;

        public ProductKernel(Accelerator a, int side)
        {
            _side = side;
            if (side > 0) _tiled = a.LoadStreamKernel<T, SpecializedValue<WindowShape>, SpecializedValue<int>, int>(TiledProduct.Kernel);
            else _untiled = a.LoadAutoGroupedStreamKernel<Index3D, T, WindowShape, int>(TiledProduct.Untiled);
        }

        public void Run(T product, WindowShape s, int parts, int depthPerPart)
        {
            int rows = product.Rows(s), columns = product.Columns(s);
            if (_tiled is not null) _tiled(TiledProduct.Launch(rows, columns, parts, _side), product, new(s), new(_side), depthPerPart);
            else _untiled!(new Index3D(checked(rows * parts), columns, 1), product, s, depthPerPart); // parts along X, as tiled
        }
    }

    private readonly ProductKernel<ConvForwardProduct> _convForward;
    private readonly ProductKernel<ConvInputGradientProduct> _convInput;
    private readonly ProductKernel<ConvWeightGradientProduct> _convWeights;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _sumParts;

    /// <summary>A product whose K is not split: one part holds all of it.</summary>
    private static void Whole<T>(ProductKernel<T> kernel, T product, WindowShape s) where T : struct, IProduct
        => kernel.Run(product, s, parts: 1, depthPerPart: product.Depth(s));

    /// <summary>A reduction: the product in parts of <see cref="TiledProduct.DepthPerPart"/>, then the parts summed in
    /// order into <paramref name="result"/>.</summary>
    private void Reduce<T>(ProductKernel<T> kernel, T product, WindowShape s, ArrayView<float> result) where T : struct, IProduct
    {
        var parts = TiledProduct.Parts(product.Depth(s));
        var length = product.Rows(s) * product.Columns(s);
        var needed = TiledProduct.PartialFloats(product.Depth(s), length);
        if (needed > _partials.Length)
            throw new InvalidOperationException($"A reduction needs {needed:N0} floats of partial sums; the plan made room for {_partials.Length:N0}.");
        if (result.Length != length)
            throw new ArgumentException($"The reduction writes {length:N0} values (a weight gradient and, after it, the bias gradient); the view holds {result.Length:N0}.", nameof(result));
        kernel.Run(product, s, parts, TiledProduct.DepthPerPart);
        _sumParts(length, _partials, result, parts, length);
    }

    public void ConvForward(int count, ArrayView<float> x, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> y, WindowShape s, bool relu)
        => Whole(_convForward, new ConvForwardProduct(x, weights, bias, y, count, relu ? 1 : 0), s);

    public void ConvInputGradient(int count, ArrayView<float> weights, ArrayView<float> outputGradient, ArrayView<float> inputGradient, WindowShape s)
        => Whole(_convInput, new ConvInputGradientProduct(weights, outputGradient, inputGradient, count), s);

    /// <summary>The weight gradient and, after it, the bias gradient (as the parameters lay them out) in one reduction
    /// into <paramref name="weightAndBiasGradient"/>.</summary>
    public void ConvWeightGradient(int count, ArrayView<float> x, ArrayView<float> outputGradient, ArrayView<float> weightAndBiasGradient, WindowShape s)
        => Reduce(_convWeights, new ConvWeightGradientProduct(x, outputGradient, _partials, count), s, weightAndBiasGradient);

    // A dense layer is a 1 × 1 convolution of a 1 × 1 image (WindowShape.Dense): the same products.

    public void DenseForward(int count, ArrayView<float> x, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> y, WindowShape s, bool relu)
        => ConvForward(count, x, weights, bias, y, s, relu);

    public void DenseInputGradient(int count, ArrayView<float> weights, ArrayView<float> outputGradient, ArrayView<float> inputGradient, WindowShape s)
        => ConvInputGradient(count, weights, outputGradient, inputGradient, s);

    public void DenseWeightGradient(int count, ArrayView<float> x, ArrayView<float> outputGradient, ArrayView<float> weightAndBiasGradient, WindowShape s)
        => ConvWeightGradient(count, x, outputGradient, weightAndBiasGradient, s);

    /// <summary>Floats of partial sums <see cref="ConvWeightGradient"/> needs for a layer of <paramref name="s"/> (a
    /// convolution's or a dense layer's) at <paramref name="count"/> images.</summary>
    public static long PartialFloats(WindowShape s, int count)
    {
        var product = new ConvWeightGradientProduct(default, default, default, count);
        return TiledProduct.PartialFloats(product.Depth(s), product.Rows(s) * product.Columns(s));
    }

    // ---- One thread per value -------------------------------------------------------------------------------------

    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> MaxPoolForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> MaxPoolBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> AvgPoolForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> AvgPoolBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> ReluForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> ReluBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> TanhForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> TanhBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ulong, ulong, int> DropoutForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Multiply;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> Copy;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> GlobalAvgPoolForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> GlobalAvgPoolBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float> BatchNormStatistics;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> BatchNormForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> BatchNormInference;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> BatchNormGradientSums;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> BatchNormBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ConcatForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ConcatBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Add;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float, float> LrnForward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float> LrnBackward;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> Loss;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> Sgd;
    public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, int> ArgMax;

    /// <summary>Sums two vectors' first count values in one group (<see cref="GpuKernels.SumTwo"/>).</summary>
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> SumTwo;

    public void Summarise(ArrayView<float> a, ArrayView<float> b, ArrayView<float> summary, int count)
        => SumTwo(new KernelConfig(1, _summaryGroup, SharedMemoryConfig.RequestDynamic<float>(2 * _summaryGroup)), a, b, summary, count);
}
