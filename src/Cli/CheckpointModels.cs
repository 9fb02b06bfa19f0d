using StaticConvNet.Data;
using StaticConvNet.Models;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary>A network rebuilt from a checkpoint: the model is found by the name it carries, and the
/// checkpoint's layer fingerprint must match that model's.</summary>
internal static class CheckpointModels
{
    public static (ModelEntry Entry, IConvNet Network, Checkpoint Checkpoint) Load(string path)
    {
        var checkpoint = Checkpoint.Load(path);
        var entry = ModelCatalog.Find(checkpoint.ModelName)
            ?? throw new DataFormatException(path, $"is a checkpoint of '{checkpoint.ModelName}', which this scn does not know (see 'scn models')");
        var network = entry.Create();
        checkpoint.LoadInto(network, path);
        return (entry, network, checkpoint);
    }
}
