using ILGPU;
using ILGPU.Runtime;

namespace StaticConvNet.Gpu;

/// <summary>Every kernel of <see cref="GpuKernels"/>, compiled once per network for its accelerator; generated
/// launches call these by name. Each takes the launch size (one thread per value it writes) first.</summary>
public sealed class GpuKernelSet(Accelerator a)
{
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> ConvForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.ConvForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> ConvInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.ConvInputGradient);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, int> ConvWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, int>(GpuKernels.ConvWeightGradient);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> Bias = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.BiasGradient);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> DenseForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.DenseForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> DenseInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.DenseInputGradient);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> DenseWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(GpuKernels.DenseWeightGradient);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> MaxPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.PoolForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> MaxPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.PoolBackward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> AvgPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.AvgPoolForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> AvgPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.AvgPoolBackward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> ReluForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.ReluForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> ReluBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.ReluBackward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> TanhForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.TanhForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> TanhBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.TanhBackward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ulong, ulong, int> DropoutForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ulong, ulong, int>(GpuKernels.DropoutForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Multiply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.Multiply);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> Copy = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.Copy);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float, float> LrnForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float, float>(GpuKernels.LrnForward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float> LrnBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float>(GpuKernels.LrnBackward);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int> Loss = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.SoftmaxCrossEntropy);
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> Sgd = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(GpuKernels.SgdStep);
}
