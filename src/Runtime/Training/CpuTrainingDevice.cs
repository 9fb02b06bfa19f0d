using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>The generated SIMD code as a training device: the network and the optimizer work in place.</summary>
public sealed class CpuTrainingDevice(IConvNet network) : ITrainingDevice
{
    private Optimizer? _optimizer;

    public string Name => "cpu (generated SIMD code)";

    /// <summary>Any: a batch larger than the network's BatchCapacity runs as several passes (BatchRunner).</summary>
    public int MaxBatchSize => int.MaxValue;

    public void Start(IConvNet host, Optimizer optimizer, ulong dropoutSeed, float? dropoutRate)
    {
        _optimizer = optimizer;
        network.DropoutSeed = dropoutSeed;
        network.DropoutRate = dropoutRate;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (float Loss, int Correct) ComputeGradients(float[] images, int[] labels, int count, long step)
    {
        network.DropoutStep = (ulong)step;
        var loss = network.ComputeGradients(images, labels, count);
        var correct = 0;
        for (var i = 0; i < count; i++)
        {
            if (Evaluation.ArgMax(network.TrainingLogits(i)) == labels[i]) correct++;
        }
        return (loss, correct);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float[] TrainingLogits(int count)
    {
        var logits = new float[count * network.OutputLength];
        for (var i = 0; i < count; i++) network.TrainingLogits(i).CopyTo(logits.AsSpan(i * network.OutputLength));
        return logits;
    }

    public void Update(float learningRate) => _optimizer!.Step(network.Parameters, network.Gradients, learningRate);

    public void Synchronise(IConvNet host, Optimizer optimizer) { } // already in place

    public float Evaluate(Dataset data) => Evaluation.Accuracy(network, data);
}
