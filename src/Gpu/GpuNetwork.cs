using ILGPU;
using ILGPU.Runtime;

namespace StaticConvNet.Gpu;

/// <summary>A generated network that can run on an ILGPU accelerator: the generator adds this interface, and the
/// method, to every network of a project that references StaticConvNet.Gpu.</summary>
public interface IGpuConvNet
{
    /// <summary>The network as kernel launches on <paramref name="accelerator"/>, for batches of up to
    /// <paramref name="batchCapacity"/> images.</summary>
    GpuNetwork CreateGpuNetwork(Accelerator accelerator, int batchCapacity);
}

/// <summary>What a generated network's GPU half runs on: parameters, gradients, optimiser state and every activation
/// live on the device for the network's lifetime, in buffers laid out by the generated plan. The generated subclass
/// supplies the passes (<see cref="RunForward"/>, <see cref="RunBackward"/>) as its own kernel launches; this class
/// loads batches, computes the loss, steps the optimiser and moves parameters. Only input batches go to the device,
/// and only losses, logits for metrics and (when asked) parameters come back.</summary>
public abstract class GpuNetwork : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly NetworkDescription _description;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters, _gradients, _velocity, _images, _losses;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _activations, _activationGradients, _masks;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels;
    private readonly int _logitsImageOffset;

    /// <param name="activationsPerImage">Floats of layer outputs one image needs (the generated plan's).</param>
    /// <param name="masksPerImage">Floats of dropout masks one image needs.</param>
    /// <param name="logitsImageOffset">Where the last layer's output starts, per image of capacity.</param>
    protected GpuNetwork(Accelerator accelerator, NetworkDescription description, int batchCapacity,
        int activationsPerImage, int masksPerImage, int logitsImageOffset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        // Kernels index a whole batch with int: every buffer of a batch must stay below 2^31 values.
        var largest = Math.Max(Math.Max((long)activationsPerImage, description.Input.Length), masksPerImage);
        if (largest * batchCapacity > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(batchCapacity), batchCapacity, $"{description.Name} needs {largest:N0} floats per image: at most {int.MaxValue / largest:N0} images fit one batch on the device.");
        _accelerator = accelerator;
        _description = description;
        _logitsImageOffset = logitsImageOffset;
        BatchCapacity = batchCapacity;
        InputLength = description.Input.Length;
        _parameters = accelerator.Allocate1D<float>(description.ParameterCount);
        _gradients = accelerator.Allocate1D<float>(description.ParameterCount);
        _velocity = accelerator.Allocate1D<float>(description.ParameterCount);
        _velocity.MemSetToZero();
        _images = accelerator.Allocate1D<float>((long)batchCapacity * InputLength);
        _labels = accelerator.Allocate1D<int>(batchCapacity);
        _losses = accelerator.Allocate1D<float>(batchCapacity);
        _activations = accelerator.Allocate1D<float>((long)batchCapacity * activationsPerImage);
        _activationGradients = accelerator.Allocate1D<float>((long)batchCapacity * activationsPerImage);
        _masks = accelerator.Allocate1D<float>(Math.Max((long)batchCapacity * masksPerImage, 1));
        Kernels = new GpuKernelSet(accelerator);
    }

    public int BatchCapacity { get; }
    public int InputLength { get; }
    public int Classes => _description.Classes;
    public string DeviceName => _accelerator.Name;
    public ILGPU.Runtime.AcceleratorType AcceleratorType => _accelerator.AcceleratorType;

    public ulong DropoutSeed { get; set; }
    public ulong DropoutStep { get; set; }

    private float? _dropoutRate;

    public float? DropoutRate
    {
        get => _dropoutRate;
        set => _dropoutRate = StaticConvNet.Kernels.Dropout.CheckRate(value);
    }

    // ---- What the generated passes use ----------------------------------------------------------------------

    protected GpuKernelSet Kernels { get; }

    /// <summary>The input batch, images end to end (HWC).</summary>
    protected ArrayView<float> Images => _images.View;

    protected ArrayView<float> Parameters(int offset, int length) => _parameters.View.SubView(offset, length);

    protected ArrayView<float> Gradients(int offset, int length) => _gradients.View.SubView(offset, length);

    /// <summary>One layer's outputs for the whole batch capacity: images end to end.</summary>
    protected ArrayView<float> Activations(int imageOffset, int length) => Slice(_activations, imageOffset, length);

    protected ArrayView<float> ActivationGradients(int imageOffset, int length) => Slice(_activationGradients, imageOffset, length);

    protected ArrayView<float> Masks(int imageOffset, int length) => Slice(_masks, imageOffset, length);

    private ArrayView<float> Slice(MemoryBuffer1D<float, Stride1D.Dense> buffer, int imageOffset, int length)
        => buffer.View.SubView((long)imageOffset * BatchCapacity, (long)length * BatchCapacity);

    /// <summary>Every layer's forward launches, in order, over the first <paramref name="count"/> images.</summary>
    protected abstract void RunForward(int count, bool training);

    /// <summary>Every layer's backward launches, in reverse, from the logits' gradient; writes the parameter
    /// gradients (each launch writes its values whole, so nothing needs clearing).</summary>
    protected abstract void RunBackward(int count);

    // ---- Public surface -------------------------------------------------------------------------------------

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
        _accelerator.Synchronize();
        return TrainingLogits(count);
    }

    /// <summary>Forward and backward in training mode; fills the gradient (of the mean loss) and returns the mean loss.</summary>
    public float ComputeGradients(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        Load(images, labels, count);
        RunForward(count, training: true);
        Kernels.Loss(count, Logits, _labels.View, LogitsGradient, _losses.View, Classes, count);
        RunBackward(count);
        _accelerator.Synchronize();
        DropoutStep++;
        var losses = _losses.View.SubView(0, count).GetAsArray1D();
        var sum = 0f;
        foreach (var loss in losses) sum += loss;
        return sum / count;
    }

    /// <summary>Logits of the last pass (for the minibatch accuracy the notebook reports).</summary>
    public float[] TrainingLogits(int count) => _activations.View.SubView((long)_logitsImageOffset * BatchCapacity, (long)count * Classes).GetAsArray1D();

    public void SgdStep(float learningRate, float momentum)
    {
        Kernels.Sgd((int)_parameters.Length, _parameters.View, _gradients.View, _velocity.View, learningRate, momentum);
        _accelerator.Synchronize();
    }

    private ArrayView<float> Logits => Activations(_logitsImageOffset, Classes);

    private ArrayView<float> LogitsGradient => ActivationGradients(_logitsImageOffset, Classes);

    private void Load(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        if (count < 1 || count > BatchCapacity) throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch holds 1..{BatchCapacity} images.");
        if (images.Length < count * InputLength) throw new ArgumentException($"{count} images need {count * InputLength} values.");
        _images.View.SubView(0, (long)count * InputLength).CopyFromCPU(images[..(count * InputLength)].ToArray());
        if (!labels.IsEmpty)
        {
            BatchRunner.CheckLabels(labels, count, Classes);
            _labels.View.SubView(0, count).CopyFromCPU(labels[..count].ToArray());
        }
    }

    public void Dispose()
    {
        foreach (var buffer in new MemoryBuffer[] { _parameters, _gradients, _velocity, _images, _losses, _activations, _activationGradients, _masks, _labels })
            buffer.Dispose();
        GC.SuppressFinalize(this);
    }
}
