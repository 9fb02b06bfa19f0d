namespace StaticConvNet.Training;

/// <summary>The output folder holds another run; resume it or overwrite it, but never mix the two.</summary>
public sealed class RunFolderInUseException(string folder, IReadOnlyList<string> files)
    : IOException($"{folder} already holds a run ({string.Join(", ", files)}): resume it from its checkpoint, or overwrite it to start again.")
{
    public string Folder { get; } = folder;
    public IReadOnlyList<string> Files { get; } = files;
}
