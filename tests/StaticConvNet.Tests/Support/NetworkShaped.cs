namespace StaticConvNet.Tests.Support;

/// <summary>A data set in a network's input shape: another set's values repeated to fill the images, its labels taken
/// modulo the network's classes. For tests that need a run of a given network, whatever it learns.</summary>
internal static class NetworkShaped
{
    public static Dataset From(Dataset source, IConvNet network)
    {
        var images = new float[source.Count * network.InputLength];
        for (var i = 0; i < images.Length; i++) images[i] = source.Images[i % source.Images.Length];
        var labels = source.Labels.Select(l => l % network.OutputLength).ToArray();
        var shape = network.Description.Input;
        return new Dataset(images, labels, shape.Height, shape.Width, shape.Channels);
    }
}
