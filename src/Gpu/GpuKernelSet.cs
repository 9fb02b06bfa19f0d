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
    private readonly int _summaryGroup;

    /// <param name="partials">Room for the partial sums of the largest split reduction a pass runs (the generated
    /// plan sizes it); reductions run one after another on one stream, so they share it.</param>
    /// <param name="groupSide">The tiled products' group side; 0 for untiled products. By default 0 on ILGPU's CPU
    /// accelerator and <see cref="TiledProduct.GroupSide"/> elsewhere.</param>
    public GpuKernelSet(Accelerator a, ArrayView<float> partials, int? groupSide = null)
    {
        var side = groupSide ?? (a.AcceleratorType == AcceleratorType.CPU ? 0 : TiledProduct.GroupSide(a));
        _partials = partials;
        _summaryGroup = GpuKernels.SummaryGroup;
        while (_summaryGroup > a.MaxNumThreadsPerGroup) _summaryGroup /= 2; // the tree needs a power of two
        _convForward = new(a, side);
        _convInput = new(a, side);
        _convWeights = new(a, side);
        _bias = new(a, side);
        _denseForward = new(a, side);
        _denseInput = new(a, side);
        _denseWeights = new(a, side);
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
            else _untiled!(new Index3D(rows, columns, parts), product, s, depthPerPart);
        }
    }

    private readonly ProductKernel<ConvForwardProduct> _convForward;
    private readonly ProductKernel<ConvInputGradientProduct> _convInput;
    private readonly ProductKernel<ConvWeightGradientProduct> _convWeights;
    private readonly ProductKernel<BiasGradientProduct> _bias;
    private readonly ProductKernel<DenseForwardProduct> _denseForward;
    private readonly ProductKernel<DenseInputGradientProduct> _denseInput;
    private readonly ProductKernel<DenseWeightGradientProduct> _denseWeights;
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
        if ((long)parts * length > _partials.Length)
            throw new InvalidOperationException($"A reduction needs {(long)parts * length:N0} floats of partial sums; the plan made room for {_partials.Length:N0}.");
        kernel.Run(product, s, parts, TiledProduct.DepthPerPart);
        _sumParts(length, _partials, result, parts, length);
    }

    public void ConvForward(int count, ArrayView<float> x, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> y, WindowShape s, bool relu)
        => Whole(_convForward, new ConvForwardProduct(x, weights, bias, y, count, relu ? 1 : 0), s);

    public void ConvInputGradient(int count, ArrayView<float> weights, ArrayView<float> outputGradient, ArrayView<float> inputGradient, WindowShape s)
        => Whole(_convInput, new ConvInputGradientProduct(weights, outputGradient, inputGradient, count), s);

    public void ConvWeightGradient(int count, ArrayView<float> x, ArrayView<float> outputGradient, ArrayView<float> weightGradient, WindowShape s)
        => Reduce(_convWeights, new ConvWeightGradientProduct(x, outputGradient, _partials, count), s, weightGradient);

    /// <summary>Each output channel's gradient summed over every output pixel of the batch (a convolution's or a dense layer's).</summary>
    public void BiasGradient(int count, ArrayView<float> outputGradient, ArrayView<float> biasGradient, WindowShape s)
        => Reduce(_bias, new BiasGradientProduct(outputGradient, _partials, count), s, biasGradient);

    public void DenseForward(int count, ArrayView<float> x, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> y, WindowShape s, bool relu)
        => Whole(_denseForward, new DenseForwardProduct(x, weights, bias, y, count, relu ? 1 : 0), s);

    public void DenseInputGradient(int count, ArrayView<float> weights, ArrayView<float> outputGradient, ArrayView<float> inputGradient, WindowShape s)
        => Whole(_denseInput, new DenseInputGradientProduct(weights, outputGradient, inputGradient, count), s);

    public void DenseWeightGradient(int count, ArrayView<float> x, ArrayView<float> outputGradient, ArrayView<float> weightGradient, WindowShape s)
        => Reduce(_denseWeights, new DenseWeightGradientProduct(x, outputGradient, _partials, count), s, weightGradient);

    /// <summary>The sizes of the partial sums <see cref="ConvWeightGradient"/> and <see cref="BiasGradient"/> need for a
    /// layer of <paramref name="s"/> at <paramref name="count"/> images (the larger of the two).</summary>
    public static long ConvPartialFloats(WindowShape s, int count)
    {
        var depth = (long)count * s.OutHeight * s.OutWidth;
        return Math.Max(TiledProduct.PartialFloats(depth, s.Window * s.Window * s.InChannels * s.OutChannels), TiledProduct.PartialFloats(depth, s.OutChannels));
    }

    /// <summary>The same for a dense layer.</summary>
    public static long DensePartialFloats(WindowShape s, int count) => TiledProduct.PartialFloats(count, s.InChannels * s.OutChannels);

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
