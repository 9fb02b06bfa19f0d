namespace StaticConvNet;

/// <summary>A data file that cannot be used, with the file and the problem in words.</summary>
public sealed class DataFormatException(string path, string problem)
    : Exception($"{path}: {problem}")
{
    public string FilePath { get; } = path;
    public string Problem { get; } = problem;
}
