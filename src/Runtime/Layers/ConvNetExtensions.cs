namespace StaticConvNet;

/// <summary>What every network offers through <see cref="IConvNet"/>, without a member in each generated class.</summary>
public static class ConvNetExtensions
{
    /// <summary>The network's layers as a table (Keras's <c>model.summary()</c>); see <see cref="NetworkDescription.Summary"/>.</summary>
    public static string Summary(this IConvNet network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Description.Summary();
    }

    /// <summary>Compiles the network's training and prediction code (the JIT: 50–100 ms for the notebook's networks, on
    /// both cores) by running one training pass and one prediction over blank images, so that the first training
    /// step does not wait for it: start it on another thread while the data loads, as <c>scn train</c> does, and wait for
    /// it before anything else touches the network (initialising it, loading weights, training: it restores the running
    /// statistics at its end, and a call that overlaps it fails as any second call does). Its parameters, running
    /// statistics and dropout step are then as they were, even if a pass throws; its gradients and last training logits
    /// are the blank pass's, as after any training pass. For the CPU code: a GPU run compiles its own kernels.</summary>
    /// <param name="batchSize">The batch size the run trains with (16, <c>scn train</c>'s default, unless told): the
    /// blank pass takes that many images, up to <see cref="IConvNet.BatchCapacity"/>. Some kernels take a path of their
    /// own for a batch's shard sizes (a dense layer's whole-batch gradients for two shards of eight), compiled only when
    /// first run: with two images, arch1's first step still compiled it (8.2 ms against 6.4–6.9).</param>
    public static void CompilePasses(this IConvNet network, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var count = Math.Min(batchSize, network.BatchCapacity);
        var images = new float[count * network.InputLength];
        var state = network.State.ToArray(); // a training pass moves BatchNorm's running statistics
        var step = network.DropoutStep;
        try
        {
            network.ComputeGradients(images, new int[count], count);
            network.PredictBatch(images, new int[count]);
        }
        finally
        {
            state.CopyTo(network.State);
            network.DropoutStep = step;
        }
    }
}
