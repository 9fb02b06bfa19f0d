
namespace StaticConvNet;

/// <summary>Where a training step's work runs: the generated CPU code, or an accelerator. The loop itself
/// (batches, schedule, divergence, evaluation points, checkpoints) is <see cref="Trainer.Run"/>, shared by all.</summary>
public interface ITrainingDevice
{
    /// <summary>What runs the work, for people: "cpu (generated SIMD code)", a GPU's name.</summary>
    string Name { get; }

    /// <summary>Largest batch the device takes in one step.</summary>
    int MaxBatchSize { get; }

    /// <summary>Takes the host's parameters and the optimizer's velocity as the starting state.</summary>
    void Start(IConvNet host, Optimizer optimizer, ulong dropoutSeed, float? dropoutRate);

    /// <summary>Forward and backward over the batch with the dropout masks of <paramref name="step"/>; returns the
    /// mean loss and how many images the training pass's logits classified correctly (before any update).</summary>
    (float Loss, int Correct) ComputeGradients(float[] images, int[] labels, int count, long step);

    /// <summary>The logits of the last <see cref="ComputeGradients"/> pass, [count × classes]; read only to say why a
    /// run diverged.</summary>
    float[] TrainingLogits(int count);

    void Update(float learningRate);

    /// <summary>Starts an update that <see cref="UpdateHalf"/> applies in two halves, one on each core at once (the
    /// training loop fills the next batch beside them); on the calling thread, before either half.</summary>
    void StartUpdate(float learningRate) { }

    /// <summary>Half <paramref name="half"/> (0 or 1) of the update <see cref="StartUpdate"/> started: the two together do
    /// what <see cref="Update"/> does. By default half 0 is the whole update and half 1 nothing.</summary>
    void UpdateHalf(float learningRate, int half)
    {
        if (half == 0) Update(learningRate);
    }

    /// <summary>Copies parameters and velocity back to the host, for checkpoints.</summary>
    void Synchronise(IConvNet host, Optimizer optimizer);

    /// <summary>Accuracy on <paramref name="data"/> with the current parameters.</summary>
    float Evaluate(Dataset data);
}
