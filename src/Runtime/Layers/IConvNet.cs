namespace StaticConvNet;

/// <summary>What every generated network offers, so training, evaluation and tools can work with any of them.
/// The generated class also has the same numbers as <c>const</c> fields (e.g. <c>InputLength</c>).</summary>
public interface IConvNet
{
    /// <summary>The layer stack, its shapes and parameter counts.</summary>
    NetworkDescription Description { get; }

    int InputLength { get; }
    int OutputLength { get; }
    int ParameterCount { get; }

    /// <summary>The most images one <see cref="ComputeGradients"/> call takes (a compile-time constant).</summary>
    int BatchCapacity { get; }

    /// <summary>All weights and biases in one buffer: layer by layer in declaration order, weights then biases.</summary>
    Span<float> Parameters { get; }

    /// <summary>What the network keeps besides its parameters and does not learn by gradient: the running mean and
    /// variance of each BatchNorm layer ([mean C][variance C], layer by layer), which training passes move and
    /// inference uses. Checkpoints and weights files carry it; empty for a network without such layers.</summary>
    Span<float> State { get; }

    /// <summary>The gradient of the mean loss of the last <see cref="ComputeGradients"/> call, laid out as <see cref="Parameters"/>.</summary>
    Span<float> Gradients { get; }

    /// <summary>The gradients core <paramref name="half"/> (0 or 1) summed in the last <see cref="ComputeGradients"/>
    /// call, in order: a training device updates those parameters on that core (<see cref="BatchRunner.GradientHalf"/>).</summary>
    ReadOnlySpan<ParameterRange> GradientHalf(int half);

    /// <summary>Seed of the dropout masks.</summary>
    ulong DropoutSeed { get; set; }

    /// <summary>When set, the rate of every dropout layer (in [0, 1)); null leaves each layer's compiled rate.</summary>
    float? DropoutRate { get; set; }

    /// <summary>Which masks the next training pass draws; <see cref="ComputeGradients"/> advances it by one,
    /// so consecutive steps differ and a resumed run can set it back.</summary>
    ulong DropoutStep { get; set; }

    /// <summary>Truncated-normal weights and constant biases, as each layer's attribute says, from <paramref name="seed"/>;
    /// BatchNorm's scale 1, shift 0 and <see cref="State"/> back to mean 0, variance 1.</summary>
    void InitializeParameters(int seed);

    /// <summary>Logits of one image (inference: dropout off). Uses the network's buffers: one call at a time per instance.</summary>
    void Forward(ReadOnlySpan<float> image, Span<float> logits);

    /// <summary>The most likely class of one image.</summary>
    int Predict(ReadOnlySpan<float> image);

    /// <summary>The most likely class of each of <c>predictions.Length</c> images laid end to end in
    /// <paramref name="images"/>, <see cref="BatchCapacity"/> at a time with one shard per core; the same answers as
    /// <see cref="Predict"/>. Uses the network's buffers (and overwrites <see cref="TrainingLogits"/>): one call at a
    /// time per instance.</summary>
    void PredictBatch(ReadOnlySpan<float> images, Span<int> predictions);

    /// <summary>Forward and backward pass over <paramref name="count"/> images in training mode; fills
    /// <see cref="Gradients"/> and returns the mean softmax cross-entropy.</summary>
    float ComputeGradients(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count);

    /// <summary>Logits the last training pass computed for image <paramref name="index"/> of its batch (dropout on),
    /// the notebook's "minibatch accuracy" source; valid until the next call that runs the network (any image of the
    /// batch, however many passes it took).</summary>
    ReadOnlySpan<float> TrainingLogits(int index);

    /// <summary>Mean softmax cross-entropy without gradients; <paramref name="training"/> applies dropout with the
    /// masks of the current <see cref="DropoutStep"/>.</summary>
    float ComputeLoss(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, bool training = false);
}
