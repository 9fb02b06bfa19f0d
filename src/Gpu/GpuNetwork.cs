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
/// and only a step's summed loss and right answers, inference's classes or logits, and (when asked) parameters come
/// back.</summary>
public abstract class GpuNetwork : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly NetworkDescription _description;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters, _gradients, _velocity, _images, _losses, _right, _summary;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _activations, _activationGradients, _masks, _partials, _state, _statistics;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels, _predictions;
    private readonly float[] _summaryOnHost = new float[2];

    // Batches go to the device from page-locked host memory, asynchronously: a step's only wait is its summary read.
    // The host refills these only after a pass's result has been read, so no copy still pending reads them.
    private readonly PageLockedArray1D<float> _imagesOnHost;
    private readonly PageLockedArray1D<int> _labelsOnHost;
    private readonly int _logitsImageOffset;

    /// <param name="activationsPerImage">Floats of layer outputs one image needs (the generated plan's).</param>
    /// <param name="masksPerImage">Floats of dropout masks one image needs.</param>
    /// <param name="logitsImageOffset">Where the last layer's output starts, per image of capacity.</param>
    /// <param name="partialFloats">Room for the largest split reduction's partial sums at
    /// <paramref name="batchCapacity"/> images (the generated plan's <c>PartialFloats</c>).</param>
    /// <remarks>The network's state (BatchNorm's running statistics, <see cref="NetworkDescription.StateCount"/>) lives
    /// on the device too, beside each such layer's batch statistics and sums (twice as many floats).</remarks>
    protected GpuNetwork(Accelerator accelerator, NetworkDescription description, int batchCapacity,
        int activationsPerImage, int masksPerImage, int logitsImageOffset, long partialFloats)
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
        _imagesOnHost = accelerator.AllocatePageLocked1D<float>((long)batchCapacity * InputLength);
        _labelsOnHost = accelerator.AllocatePageLocked1D<int>(batchCapacity);
        _losses = accelerator.Allocate1D<float>(batchCapacity);
        _activations = accelerator.Allocate1D<float>((long)batchCapacity * activationsPerImage);
        _activationGradients = accelerator.Allocate1D<float>((long)batchCapacity * activationsPerImage);
        _masks = accelerator.Allocate1D<float>(Math.Max((long)batchCapacity * masksPerImage, 1));
        _partials = accelerator.Allocate1D<float>(Math.Max(partialFloats, 1));
        _right = accelerator.Allocate1D<float>(batchCapacity);
        _summary = accelerator.Allocate1D<float>(2);
        _predictions = accelerator.Allocate1D<int>(batchCapacity);
        _state = accelerator.Allocate1D<float>(Math.Max(description.StateCount, 1));
        _statistics = accelerator.Allocate1D<float>(Math.Max(2L * description.StateCount, 1));
        Kernels = new GpuKernelSet(accelerator, _partials.View);
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

    protected GpuKernelSet Kernels { get; private set; }

    /// <summary>The matrix products' group side: <see cref="TiledProduct.GroupSide"/> on a GPU, 0 (untiled) on ILGPU's
    /// CPU accelerator. Set it to run another (4, 8 or 16; 0 for untiled): every side gives the same sums.</summary>
    public int ProductGroupSide
    {
        get => Kernels.GroupSide;
        set => Kernels = new GpuKernelSet(_accelerator, _partials.View, value);
    }

    /// <summary>The input batch, images end to end (HWC).</summary>
    protected ArrayView<float> Images => _images.View;

    protected ArrayView<float> Parameters(int offset, int length) => _parameters.View.SubView(offset, length);

    protected ArrayView<float> Gradients(int offset, int length) => _gradients.View.SubView(offset, length);

    /// <summary>One layer's outputs for the whole batch capacity: images end to end.</summary>
    protected ArrayView<float> Activations(int imageOffset, int length) => Slice(_activations, imageOffset, length);

    protected ArrayView<float> ActivationGradients(int imageOffset, int length) => Slice(_activationGradients, imageOffset, length);

    protected ArrayView<float> Masks(int imageOffset, int length) => Slice(_masks, imageOffset, length);

    /// <summary>Running statistics, laid out as <c>IConvNet.State</c>.</summary>
    protected ArrayView<float> State(int offset, int length) => _state.View.SubView(offset, length);

    /// <summary>The batch layers' statistics and sums of the current batch.</summary>
    protected ArrayView<float> Statistics(int offset, int length) => _statistics.View.SubView(offset, length);

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

    /// <summary>Puts the network's running statistics (<c>IConvNet.State</c>) on the device.</summary>
    public void UploadState(ReadOnlySpan<float> state)
    {
        if (state.Length != _description.StateCount) throw new ArgumentException($"{_description.Name} has {_description.StateCount} floats of state, got {state.Length}.");
        if (state.Length > 0) _state.View.SubView(0, state.Length).CopyFromCPU(state.ToArray());
    }

    /// <summary>The running statistics training moved on the device.</summary>
    public float[] DownloadState() => _description.StateCount == 0 ? [] : _state.View.SubView(0, _description.StateCount).GetAsArray1D();
    public float[] DownloadGradients() => _gradients.GetAsArray1D();
    public float[] DownloadVelocity() => _velocity.GetAsArray1D();
    public void UploadVelocity(float[] velocity) => _velocity.View.CopyFromCPU(velocity);

    /// <summary>Logits of <paramref name="count"/> images (inference: dropout off), [count × classes].</summary>
    public float[] Forward(ReadOnlySpan<float> images, int count)
    {
        Load(images, null, count);
        RunForward(count, training: false);
        return TrainingLogits(count);
    }

    /// <summary>Logits of every image laid end to end in <paramref name="images"/>, [images × classes] into
    /// <paramref name="logits"/>, a batch of up to <see cref="BatchCapacity"/> at a time.</summary>
    public void ForwardBatch(ReadOnlySpan<float> images, Span<float> logits)
    {
        var count = CheckBatch(images, logits.Length, Classes, "logits");
        for (var first = 0; first < count; first += BatchCapacity)
        {
            var batch = Math.Min(BatchCapacity, count - first);
            Load(images.Slice(first * InputLength, batch * InputLength), null, batch);
            RunForward(batch, training: false);
            Logits.SubView(0, (long)batch * Classes).CopyToCPU(logits.Slice(first * Classes, batch * Classes));
        }
    }

    /// <summary>Images in <paramref name="images"/>, checked against the room for <paramref name="perImage"/> results each.</summary>
    private int CheckBatch(ReadOnlySpan<float> images, int results, int perImage, string what)
    {
        var count = results / perImage;
        if (results % perImage != 0 || images.Length != (long)count * InputLength)
            throw new ArgumentException($"{count} images' {what} need {(long)count * InputLength} image values ({InputLength} per image) and room for {(long)count * perImage} {what}; got {images.Length} and {results}.", nameof(images));
        return count;
    }

    /// <summary>The class of every image laid end to end in <paramref name="images"/>, a batch of up to
    /// <see cref="BatchCapacity"/> at a time: the classes are chosen on the device, so only they come back.</summary>
    public void PredictBatch(ReadOnlySpan<float> images, Span<int> predictions)
    {
        var total = CheckBatch(images, predictions.Length, 1, "predictions");
        for (var first = 0; first < total; first += BatchCapacity)
        {
            var count = Math.Min(BatchCapacity, total - first);
            Load(images.Slice(first * InputLength, count * InputLength), null, count);
            RunForward(count, training: false);
            Kernels.ArgMax(count, Logits, _predictions.View, Classes);
            _predictions.View.AsContiguous().SubView(0, count).CopyToCPU(predictions.Slice(first, count));
        }
    }

    /// <summary>Forward and backward in training mode: fills the gradient (of the mean loss) and returns the mean loss
    /// and how many images the forward pass classified right. The whole pass is queued on the device without waiting;
    /// the two numbers, summed there in a fixed order, are all that comes back.</summary>
    public (float Loss, int Correct) ComputeGradients(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        Load(images, labels, count);
        RunForward(count, training: true);
        Kernels.Loss(count, Logits, _labels.View, LogitsGradient, _losses.View, _right.View, Classes, count);
        RunBackward(count);
        Kernels.Summarise(_losses.View, _right.View, _summary.View, count);
        DropoutStep++;
        _summary.View.CopyToCPU(_summaryOnHost);
        return (_summaryOnHost[0] / count, (int)_summaryOnHost[1]);
    }

    /// <summary>Logits of the last pass over <paramref name="count"/> images, [count × classes].</summary>
    public float[] TrainingLogits(int count) => _activations.View.SubView((long)_logitsImageOffset * BatchCapacity, (long)count * Classes).GetAsArray1D();

    /// <summary>Queues the SGD update; the next download waits for it.</summary>
    public void SgdStep(float learningRate, float momentum)
        => Kernels.Sgd((int)_parameters.Length, _parameters.View, _gradients.View, _velocity.View, learningRate, momentum);

    private ArrayView<float> Logits => Activations(_logitsImageOffset, Classes);

    private ArrayView<float> LogitsGradient => ActivationGradients(_logitsImageOffset, Classes);

    private void Load(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        if (count < 1 || count > BatchCapacity) throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch holds 1..{BatchCapacity} images.");
        if (images.Length < count * InputLength) throw new ArgumentException($"{count} images need {count * InputLength} values.");
        if (!labels.IsEmpty) BatchRunner.CheckLabels(labels, count, Classes);
        // Every caller reads a result before it returns, so the stream is idle here and this costs nothing; it makes
        // sure no copy queued earlier still reads the page-locked buffers refilled below.
        _accelerator.DefaultStream.Synchronize();
        images[..(count * InputLength)].CopyTo(_imagesOnHost.Span);
        _images.View.CopyFromPageLockedAsync(_imagesOnHost);
        if (!labels.IsEmpty)
        {
            labels[..count].CopyTo(_labelsOnHost.Span);
            _labels.View.CopyFromPageLockedAsync(_labelsOnHost);
        }
    }

    public void Dispose()
    {
        _accelerator.DefaultStream.Synchronize(); // nothing may still read a buffer disposed below
        foreach (var buffer in new MemoryBuffer[] { _parameters, _gradients, _velocity, _images, _losses, _right, _summary, _activations, _activationGradients, _masks, _partials, _labels, _predictions, _state, _statistics })
            buffer.Dispose();
        _imagesOnHost.Dispose();
        _labelsOnHost.Dispose();
        GC.SuppressFinalize(this);
    }
}
