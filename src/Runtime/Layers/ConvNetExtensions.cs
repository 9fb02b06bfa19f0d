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
    /// both cores) by running one training pass and one prediction over two blank images, so that the first training
    /// step does not wait for it: start it on another thread while the data loads, as <c>scn train</c> does, and wait for
    /// it before anything else touches the network (initialising it, loading weights, training: it restores the running
    /// statistics at its end, and a call that overlaps it fails as any second call does). Its parameters, running
    /// statistics and dropout step are then as they were, even if a pass throws; its gradients and last training logits
    /// are the blank pass's, as after any training pass. For the CPU code: a GPU run compiles its own kernels.</summary>
    public static void CompilePasses(this IConvNet network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var images = new float[2 * network.InputLength];
        var state = network.State.ToArray(); // a training pass moves BatchNorm's running statistics
        var step = network.DropoutStep;
        try
        {
            network.ComputeGradients(images, new int[2], 2);
            network.PredictBatch(images, new int[2]);
        }
        finally
        {
            state.CopyTo(network.State);
            network.DropoutStep = step;
        }
    }
}
