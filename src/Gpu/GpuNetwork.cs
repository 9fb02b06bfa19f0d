using ILGPU;
using ILGPU.Runtime;

namespace StaticConvNet.Gpu;

/// <summary>A generated network run as ILGPU kernels: the layer stack comes from the generated
/// <see cref="NetworkDescription"/>, and parameters, gradients, optimizer state and every activation live on the
/// device for the network's lifetime. Only input batches go to the device and only losses, logits for metrics
/// and (when asked) parameters come back. Batches may be far larger than the CPU path's compiled capacity.</summary>
public sealed class GpuNetwork : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly NetworkDescription _description;
    private readonly LayerDescription[] _layers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters, _gradients, _velocity, _input, _loss;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _outputs, _outputGradients, _masks;
    private readonly Kernels _k;

    public GpuNetwork(Accelerator accelerator, NetworkDescription description, int batchCapacity)
    {
        _accelerator = accelerator;
        _description = description;
        BatchCapacity = batchCapacity;
        _layers = description.Layers.Where(l => l.Kind != "ExpectShape").ToArray();
        InputLength = description.InputHeight * description.InputWidth * description.InputChannels;
        _parameters = accelerator.Allocate1D<float>(description.ParameterCount);
        _gradients = accelerator.Allocate1D<float>(description.ParameterCount);
        _velocity = accelerator.Allocate1D<float>(description.ParameterCount);
        _velocity.MemSetToZero();
        _input = accelerator.Allocate1D<float>((long)batchCapacity * InputLength);
        _labels = accelerator.Allocate1D<int>(batchCapacity);
        _loss = accelerator.Allocate1D<float>(batchCapacity);
        _outputs = _layers.Select(l => accelerator.Allocate1D<float>((long)batchCapacity * l.Output.Length)).ToArray();
        _outputGradients = _layers.Select(l => accelerator.Allocate1D<float>((long)batchCapacity * l.Output.Length)).ToArray();
        _masks = _layers.Select(l => accelerator.Allocate1D<float>(l.Kind == "Dropout" ? (long)batchCapacity * l.Output.Length : 1)).ToArray();
        _k = new Kernels(accelerator);
    }

    public int BatchCapacity { get; }
    public int InputLength { get; }
    public int Classes => _description.Classes;
    public string DeviceName => _accelerator.Name;

    public ulong DropoutSeed { get; set; }
    public ulong DropoutStep { get; set; }
    public float? DropoutRate { get; set; }

    public void UploadParameters(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != _description.ParameterCount) throw new ArgumentException($"{_description.Name} has {_description.ParameterCount} parameters, got {parameters.Length}.");
        _parameters.View.CopyFromCPU(parameters.ToArray());
    }

    public float[] DownloadParameters() => _parameters.GetAsArray1D();
    public float[] DownloadGradients() => _gradients.GetAsArray1D();
    public float[] DownloadVelocity() => _velocity.GetAsArray1D();
    public void UploadVelocity(float[] velocity) => _velocity.View.CopyFromCPU(velocity);

    /// <summary>Logits of <paramref name="count"/> images (inference: dropout off), [count × classes].</summary>
    public float[] Forward(ReadOnlySpan<float> images, int count)
    {
        Load(images, null, count);
        RunForward(count, training: false);
        return _outputs[^1].View.SubView(0, (long)count * Classes).GetAsArray1D();
    }

    /// <summary>Forward and backward in training mode; fills the gradient (of the mean loss) and returns the mean loss.</summary>
    public float ComputeGradients(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        Load(images, labels, count);
        RunForward(count, training: true);
        var logits = _outputs[^1].View;
        _k.Loss((int)count, logits, _labels.View, _outputGradients[^1].View, _loss.View, Classes, count);
        RunBackward(count);
        DropoutStep++;
        var losses = _loss.View.SubView(0, count).GetAsArray1D();
        var sum = 0f;
        foreach (var l in losses) sum += l;
        return sum / count;
    }

    /// <summary>Logits of the last training pass (for the minibatch accuracy the notebook reports).</summary>
    public float[] TrainingLogits(int count) => _outputs[^1].View.SubView(0, (long)count * Classes).GetAsArray1D();

    public void SgdStep(float learningRate, float momentum)
    {
        _k.Sgd((int)_parameters.Length, _parameters.View, _gradients.View, _velocity.View, learningRate, momentum);
        _accelerator.Synchronize();
    }

    private void Load(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        if (count < 1 || count > BatchCapacity) throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch holds 1..{BatchCapacity} images.");
        if (images.Length < count * InputLength) throw new ArgumentException($"{count} images need {count * InputLength} values.");
        _input.View.SubView(0, (long)count * InputLength).CopyFromCPU(images[..(count * InputLength)].ToArray());
        if (!labels.IsEmpty)
        {
            for (var i = 0; i < count; i++)
                if ((uint)labels[i] >= Classes) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label of image {i} must be in 0..{Classes - 1}.");
            _labels.View.SubView(0, count).CopyFromCPU(labels[..count].ToArray());
        }
    }

    private ArrayView<float> InputOf(int layer) => layer == 0 ? _input.View : _outputs[layer - 1].View;

    private ArrayView<float> Weights(ArrayView<float> all, LayerDescription l) => all.SubView(l.ParameterOffset, l.WeightCount);
    private ArrayView<float> Biases(ArrayView<float> all, LayerDescription l) => all.SubView(l.ParameterOffset + l.WeightCount, l.BiasCount);

    private void RunForward(int count, bool training)
    {
        for (var i = 0; i < _layers.Length; i++)
        {
            var l = _layers[i];
            var (x, y, n) = (InputOf(i), _outputs[i].View, count * l.Output.Length);
            switch (l.Kind)
            {
                case "Conv2D": _k.ConvForward(n, x, Weights(_parameters.View, l), Biases(_parameters.View, l), y, WindowShape.Of(l)); break;
                case "MaxPool": _k.PoolForward(n, x, y, WindowShape.Of(l)); break;
                case "ReLU": _k.ReluForward(n, x, y); break;
                case "Dense": _k.DenseForward(n, x, Weights(_parameters.View, l), Biases(_parameters.View, l), y, l.Input.Length, l.Output.Length); break;
                case "LocalResponseNorm": _k.LrnForward(n, x, y, l.Input.Channels, l.DepthRadius, l.Bias, l.Alpha, l.Beta); break;
                case "Dropout":
                    if (training) _k.DropoutForward(n, x, y, _masks[i].View, l.Output.Length, DropoutRate ?? l.Rate, DropoutSeed, DropoutStep, LayerKey(i));
                    else _k.Copy(n, x, y);
                    break;
                default: throw new NotSupportedException($"Layer kind {l.Kind} has no GPU kernel.");
            }
        }
        _accelerator.Synchronize();
    }

    /// <summary>The CPU code keys a dropout layer's masks by its mask offset; the same key gives the same masks.</summary>
    private int LayerKey(int layer)
    {
        var offset = 0;
        for (var i = 0; i < layer; i++) if (_layers[i].Kind == "Dropout") offset += _layers[i].Output.Length * _description.BatchCapacity;
        return offset;
    }

    private void RunBackward(int count)
    {
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            var l = _layers[i];
            var (x, g) = (InputOf(i), _outputGradients[i].View);
            var wantInput = i > 0;
            var dx = wantInput ? _outputGradients[i - 1].View : default;
            var inputs = count * l.Input.Length;
            switch (l.Kind)
            {
                case "Conv2D":
                    _k.ConvWeights(l.WeightCount, x, g, Weights(_gradients.View, l), WindowShape.Of(l), count);
                    _k.Bias(l.BiasCount, g, Biases(_gradients.View, l), count * l.Output.Height * l.Output.Width, l.Output.Channels);
                    if (wantInput) _k.ConvInput(inputs, Weights(_parameters.View, l), g, dx, WindowShape.Of(l));
                    break;
                case "Dense":
                    _k.DenseWeights(l.WeightCount, x, g, Weights(_gradients.View, l), l.Input.Length, l.Output.Length, count);
                    _k.Bias(l.BiasCount, g, Biases(_gradients.View, l), count, l.Output.Length);
                    if (wantInput) _k.DenseInput(inputs, Weights(_parameters.View, l), g, dx, l.Input.Length, l.Output.Length);
                    break;
                case "MaxPool": if (wantInput) _k.PoolBackward(inputs, x, g, dx, WindowShape.Of(l)); break;
                case "ReLU": if (wantInput) _k.ReluBackward(inputs, x, g, dx); break;
                case "LocalResponseNorm": if (wantInput) _k.LrnBackward(inputs, x, g, dx, l.Input.Channels, l.DepthRadius, l.Bias, l.Alpha, l.Beta); break;
                case "Dropout": if (wantInput) _k.Multiply(inputs, g, _masks[i].View, dx); break;
            }
        }
        _accelerator.Synchronize();
    }

    public void Dispose()
    {
        foreach (var buffer in _outputs.Concat(_outputGradients).Concat(_masks)) buffer.Dispose();
        _parameters.Dispose();
        _gradients.Dispose();
        _velocity.Dispose();
        _input.Dispose();
        _labels.Dispose();
        _loss.Dispose();
    }

    /// <summary>Every kernel, compiled once per accelerator.</summary>
    private sealed class Kernels(Accelerator a)
    {
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> ConvForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.ConvForward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> ConvInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.ConvInputGradient);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, int> ConvWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, int>(GpuKernels.ConvWeightGradient);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> Bias = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.BiasGradient);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> DenseForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.DenseForward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> DenseInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.DenseInputGradient);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> DenseWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(GpuKernels.DenseWeightGradient);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WindowShape> PoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.PoolForward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape> PoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape>(GpuKernels.PoolBackward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> ReluForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.ReluForward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> ReluBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.ReluBackward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ulong, ulong, int> DropoutForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ulong, ulong, int>(GpuKernels.DropoutForward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Multiply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuKernels.Multiply);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> Copy = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuKernels.Copy);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float, float> LrnForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float, float>(GpuKernels.LrnForward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float> LrnBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float>(GpuKernels.LrnBackward);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int> Loss = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(GpuKernels.SoftmaxCrossEntropy);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> Sgd = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(GpuKernels.SgdStep);
    }
}
