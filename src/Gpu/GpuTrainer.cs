
namespace StaticConvNet.Gpu;

/// <summary>An ILGPU accelerator as a training device: forward, backward and the SGD update run on it, and
/// parameters and velocity come back to the host only at evaluation points (for checkpoints).</summary>
public sealed class GpuTrainingDevice(GpuNetwork gpu) : ITrainingDevice
{
    private float _momentum;

    public string Name => $"{gpu.AcceleratorType} {gpu.DeviceName} (ILGPU kernels)";

    public int MaxBatchSize => gpu.BatchCapacity;

    public void Start(IConvNet host, Optimizer optimizer, ulong dropoutSeed, float? dropoutRate)
    {
        if (optimizer is not SgdOptimizer sgd) throw new NotSupportedException($"The ILGPU device trains with SGD only; {optimizer.GetType().Name} runs on the cpu device.");
        _momentum = sgd.Momentum;
        gpu.UploadParameters(host.Parameters);
        gpu.UploadState(host.State);
        gpu.UploadVelocity(sgd.Velocity);
        gpu.DropoutSeed = dropoutSeed;
        gpu.DropoutRate = dropoutRate;
    }

    public (float Loss, int Correct) ComputeGradients(float[] images, int[] labels, int count, long step)
    {
        gpu.DropoutStep = (ulong)step;
        return gpu.ComputeGradients(images, labels, count);
    }

    public float[] TrainingLogits(int count) => gpu.TrainingLogits(count);

    public void Update(float learningRate) => gpu.SgdStep(learningRate, _momentum);

    public void Synchronise(IConvNet host, Optimizer optimizer)
    {
        gpu.DownloadParameters().CopyTo(host.Parameters);
        gpu.DownloadState().CopyTo(host.State);
        gpu.DownloadVelocity().CopyTo(((SgdOptimizer)optimizer).Velocity, 0);
    }

    /// <summary>Accuracy on <paramref name="data"/>, classified on the device a batch at a time.</summary>
    public float Evaluate(Dataset data)
    {
        var predictions = new int[data.Count];
        gpu.PredictBatch(data.Images.AsSpan(0, data.Count * data.ImageLength), predictions);
        return Evaluation.Accuracy(predictions, data);
    }
}

/// <summary>The notebook's training loop (<see cref="Trainer.Run"/>) on an ILGPU accelerator: the same batches,
/// learning rates and dropout masks as on the CPU.</summary>
public static class GpuTrainer
{
    public static TrainingResult Train(GpuNetwork gpu, IConvNet host, Dataset train, Dataset? valid, TrainingOptions options,
        Checkpoint? resume = null, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
        => Trainer.Run(new GpuTrainingDevice(gpu), host, train, valid, options, resume, callbacks, cancellationToken);
}
