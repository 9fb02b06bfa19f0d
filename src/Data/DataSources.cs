namespace StaticConvNet.Data;

/// <summary>Train and validation data, wherever they came from, with what loading them found.</summary>
public sealed record LoadedData(Dataset Train, Dataset? Valid, string Description, IReadOnlyList<string> Notes);

/// <summary>Finds out what a --data path is and loads it: the bundled data, or a folder of IDX files.</summary>
public static class DataSources
{
    public static LoadedData LoadBundled()
    {
        var (train, valid) = BundledData.Load();
        return new LoadedData(train, valid, $"bundled notMNIST ({BundledData.Locate()})", []);
    }

    public static LoadedData Load(string path)
    {
        if (Directory.Exists(path))
        {
            if (IdxFile(path, "train", "images") is { } trainImages)
            {
                var train = IdxReader.Load(trainImages, IdxFile(path, "train", "labels")
                    ?? throw new DataFormatException(path, "has train images but no train-labels-idx1-ubyte(.gz)"));
                Dataset? valid = null;
                if (IdxFile(path, "valid", "images") is { } validImages)
                {
                    valid = IdxReader.Load(validImages, IdxFile(path, "valid", "labels")
                        ?? throw new DataFormatException(path, "has valid images but no valid-labels-idx1-ubyte(.gz)"));
                }
                return new LoadedData(train, valid, $"IDX files in {path}", []);
            }
            throw new DataFormatException(path, "is a folder without train-images-idx3-ubyte(.gz) IDX files");
        }
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        throw new DataFormatException(path, "is not a data source scn can read (a folder of IDX files)");
    }

    /// <summary>"train-images-idx3-ubyte" or "train-labels-idx1-ubyte", plain or .gz, in <paramref name="folder"/>.</summary>
    public static string? IdxFile(string folder, string split, string kind)
    {
        var name = kind == "images" ? $"{split}-images-idx3-ubyte" : $"{split}-labels-idx1-ubyte";
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
