namespace StaticConvNet.Data;

/// <summary>Train, validation and (when the source has one) test data, with what loading them found.</summary>
public sealed record LoadedData(Dataset Train, Dataset? Valid, Dataset? Test, string Description,
    IReadOnlyList<SkippedFile> Skipped, IReadOnlyList<string> Notes)
{
    /// <summary>The classes' names (the same for every split), or null when the source names none.</summary>
    public IReadOnlyList<string>? ClassNames => Train.ClassNames;
}

/// <summary>How to read a source.</summary>
/// <param name="ValidFraction">For a source with no validation split of its own: the share of each class held out.</param>
/// <param name="SplitSeed">The seed of that stratified split.</param>
/// <param name="DropBadLabels">Drop a pickle's rows whose label is out of range instead of refusing the file.</param>
/// <param name="Shape">For image files: the size and channels (1 or 3) to deliver, usually the network's input; null
/// takes the first image's.</param>
/// <param name="Resize">For image files: scale images of another size to <paramref name="Shape"/> instead of refusing them.</param>
/// <param name="ClassNames">For image folders: the classes a trained network knows, in label order; folders are labelled
/// by them (and may hold fewer, never others). Null: the folders' own names, sorted.</param>
public sealed record LoadOptions(double ValidFraction = 0.1, int SplitSeed = 1, bool DropBadLabels = false, LayerShape? Shape = null, bool Resize = false,
    IReadOnlyList<string>? ClassNames = null);

/// <summary>Finds out what a --data path is and loads it: the bundled data, a folder of IDX files, an image folder
/// (one subfolder of PNG or JPEG files per class, notMNIST's A..J among them), notMNIST's .tar.gz, or a notebook pickle.</summary>
public static class DataSources
{
    public static LoadedData LoadBundled()
    {
        var (train, valid) = BundledData.Load();
        return new LoadedData(train.WithClassNames(LabelNames.Letters), valid.WithClassNames(LabelNames.Letters), null, $"bundled notMNIST ({BundledData.Locate()})", [], []);
    }

    public static LoadedData Load(string path, LoadOptions? options = null)
    {
        options ??= new LoadOptions();
        if (Directory.Exists(path))
        {
            if (IdxFile(path, "train", "images") is not null) return LoadIdxFolder(path);
            if (ImageFolder.HasImages(path)) return ImageFolder.Load(path, options);
            throw new DataFormatException(path, "is neither an image folder (one subfolder of .png or .jpg files per class, as notMNIST's A..J) nor a folder of IDX files");
        }
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        if (path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return Split(PngTree.LoadTarball(path), $"PNG tarball {path}", options);
        }
        if (path.EndsWith(".pickle", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pkl", StringComparison.OrdinalIgnoreCase))
        {
            var splits = NotebookPickle.Load(path, options.DropBadLabels);
            return new LoadedData(splits.Train.WithClassNames(LabelNames.Letters), splits.Valid?.WithClassNames(LabelNames.Letters), splits.Test?.WithClassNames(LabelNames.Letters),
                $"notebook pickle {path}", [], splits.Notes);
        }
        throw new DataFormatException(path, "is not a data source scn reads: a folder of IDX files, a notMNIST PNG folder tree, a .tar.gz of one, or a .pickle");
    }

    /// <summary>The file naming an IDX folder's classes, one a line in label order; 'scn data convert' writes it.</summary>
    public const string ClassNamesFile = "classes.txt";

    /// <summary>An IDX folder's class names: its classes.txt, or none (IDX files name no classes: MNIST's digits and
    /// notMNIST's letters look the same).</summary>
    private static IReadOnlyList<string>? IdxClassNames(string folder)
    {
        var file = Path.Combine(folder, ClassNamesFile);
        if (!File.Exists(file)) return null;
        if (new FileInfo(file).Length > 1 << 20) throw new DataFormatException(file, "is over 1 MB; it holds one class name a line");
        var names = File.ReadAllLines(file).Where(l => l.Length > 0).ToArray();
        if (LabelNames.Problem(names) is { } problem) throw new DataFormatException(file, $"cannot name the classes: {problem}");
        return names;
    }

    private static LoadedData LoadIdxFolder(string path)
    {
        var names = IdxClassNames(path);
        Dataset Load(string split) => IdxReader.Load(IdxFile(path, split, "images")!, IdxFile(path, split, "labels")
            ?? throw new DataFormatException(path, $"has {split} images but no {split}-labels-idx1-ubyte(.gz)"), names?.Count ?? 10).WithClassNames(names);
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
