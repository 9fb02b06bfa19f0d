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
}
