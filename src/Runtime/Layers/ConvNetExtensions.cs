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

    /// <summary>Compiles what a training run with <paramref name="options"/> runs (the JIT: 50–100 ms for the notebook's
    /// networks, on both cores), so that the run's first step does not wait for it: three steps of <see cref="Trainer"/>
    /// with those options over blank images (the passes, the update, the next batch's fill, the checks between steps),
    /// then one prediction (the evaluations' passes). Start it on another thread while the data loads, as
    /// <c>scn train</c> does, and wait for it before anything else touches the network (initialising it, loading
    /// weights, training: it restores what it moved at its end, and a call that overlaps it fails as any second call
    /// does). Its parameters, running statistics and dropout seed, rate and step are then as they were, even if a pass
    /// throws; its gradients and last training logits are the blank steps', as after any training pass. Options a run
    /// would refuse throw here as they would there (<see cref="TrainingOptions.Validate"/>). For the CPU code: a GPU
    /// run compiles its own kernels.</summary>
    /// <remarks>The blank steps take the run's batch size, up to <see cref="IConvNet.BatchCapacity"/>: some kernels take
    /// a path of their own for a batch's shard sizes (a dense layer's whole-batch gradients for two shards of eight),
    /// compiled only when first run, while the loop's code does not depend on the size.
    /// Measured in <c>scn train arch1</c> on a two-core Zen 5: the first step took 8.2–9.5 ms when two blank images were
    /// all that ran ahead, 6.4–6.9 with the run's batch, 0.3 with the steps too.</remarks>
    /// <param name="options">The run's options; the defaults (<c>new TrainingOptions()</c>: batch 16, SGD) unless given.</param>
    public static void CompilePasses(this IConvNet network, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new TrainingOptions();
        options.Validate(network);
        var batch = Math.Min(options.BatchSize, network.BatchCapacity);
        var images = new float[(2 * batch + 1) * network.InputLength]; // the steps need more than one batch
        var input = network.Description.Input;
        var blank = new Dataset(images, new int[2 * batch + 1], input.Height, input.Width, input.Channels);
        var parameters = network.Parameters.ToArray();
        var state = network.State.ToArray(); // a training pass moves BatchNorm's running statistics
        var (seed, rate, step) = (network.DropoutSeed, network.DropoutRate, network.DropoutStep);
        try
        {
            Trainer.Train(network, blank, null, options with { Steps = 3, BatchSize = batch, EvalEvery = 0 });
            network.PredictBatch(images.AsSpan(0, batch * network.InputLength), new int[batch]);
        }
        finally
        {
            parameters.CopyTo(network.Parameters);
            state.CopyTo(network.State);
            (network.DropoutSeed, network.DropoutRate, network.DropoutStep) = (seed, rate, step);
        }
    }
}
