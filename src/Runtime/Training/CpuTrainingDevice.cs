using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>The generated SIMD code as a training device: the network and the optimizer work in place.</summary>
public sealed class CpuTrainingDevice(IConvNet network) : ITrainingDevice
{
    private Optimizer? _optimizer;
    private readonly HalfUpdate[] _halves = [new(), new()];

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StartUpdate(float learningRate) => _optimizer!.StartStep(learningRate);

    /// <summary>The half of the parameters whose summed gradients this core wrote (<see cref="IConvNet.GradientHalf"/>):
    /// those lines are already this core's, and the update writes them from this core. One core writing every parameter
    /// while the other held them cost 6.5 µs of arch1's step against 2.7 alone, and 31 µs when the host had placed the
    /// two virtual CPUs far apart. Each half is written in place or through a copy, whichever has lately been faster
    /// (<see cref="HalfUpdate"/>). The learning rate is the one <see cref="StartUpdate"/> started the update with.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UpdateHalf(float learningRate, int half)
        => _halves[half].Apply(_optimizer!, network.Parameters, network.Gradients, network.GradientHalf(half));

    /// <summary>How many half-updates so far went through <see cref="HalfUpdate"/>'s copy (for the core-distance harness).</summary>
    internal long ThroughCopyUpdates => _halves[0].ThroughCopyUpdates + _halves[1].ThroughCopyUpdates;

    public void Synchronise(IConvNet host, Optimizer optimizer) { } // already in place

    public float Evaluate(Dataset data) => Evaluation.Accuracy(network, data);
}
