namespace StaticConvNet.Data;

/// <summary>Train, validation and (when the source has one) test data, with what loading them found.</summary>
public sealed record LoadedData(Dataset Train, Dataset? Valid, Dataset? Test, string Description,
    IReadOnlyList<SkippedFile> Skipped, IReadOnlyList<string> Notes);

/// <summary>How to read a source that has no validation split of its own.</summary>
public sealed record LoadOptions(double ValidFraction = 0.1, int SplitSeed = 1, bool DropBadLabels = false);

/// <summary>Finds out what a --data path is and loads it: the bundled data, a folder of IDX files, a notMNIST PNG
/// tree, a .tar.gz of one, or a notebook pickle.</summary>
public static class DataSources
{
    public static LoadedData LoadBundled()
    {
        var (train, valid) = BundledData.Load();
        return new LoadedData(train, valid, null, $"bundled notMNIST ({BundledData.Locate()})", [], []);
    }

    public static LoadedData Load(string path, LoadOptions? options = null)
    {
        options ??= new LoadOptions();
        if (Directory.Exists(path))
        {
            if (IdxFile(path, "train", "images") is not null) return LoadIdxFolder(path);
            var tree = PngTree.LoadFolder(path);
            return Split(tree, $"PNG tree {path}", options);
        }
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        if (path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return Split(PngTree.LoadTarball(path), $"PNG tarball {path}", options);
        }
        if (path.EndsWith(".pickle", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pkl", StringComparison.OrdinalIgnoreCase))
        {
            var splits = NotebookPickle.Load(path, options.DropBadLabels);
            return new LoadedData(splits.Train, splits.Valid, splits.Test, $"notebook pickle {path}", [], splits.Notes);
        }
        throw new DataFormatException(path, "is not a data source scn reads: a folder of IDX files, a notMNIST PNG folder tree, a .tar.gz of one, or a .pickle");
    }

    private static LoadedData LoadIdxFolder(string path)
    {
        Dataset Load(string split) => IdxReader.Load(IdxFile(path, split, "images")!, IdxFile(path, split, "labels")
            ?? throw new DataFormatException(path, $"has {split} images but no {split}-labels-idx1-ubyte(.gz)"));
        var valid = IdxFile(path, "valid", "images") is not null ? Load("valid") : null;
        var test = IdxFile(path, "test", "images") is not null ? Load("test") : null;
        return new LoadedData(Load("train"), valid, test, $"IDX files in {path}", [], []);
    }

    private static LoadedData Split(PngTree.Result tree, string description, LoadOptions options)
    {
        var (train, valid) = Splitting.Stratified(tree.Data, options.ValidFraction, options.SplitSeed);
        var notes = tree.Notes.Append($"split {options.ValidFraction:P0} of each class into validation (seed {options.SplitSeed})").ToList();
        return new LoadedData(train, valid, null, description, tree.Skipped, notes);
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
