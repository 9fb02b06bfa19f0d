using System.Collections.Concurrent;

namespace StaticConvNet.Data;

/// <summary>Images kept as people keep them (torchvision's <c>ImageFolder</c>, Keras's
/// <c>image_dataset_from_directory</c>): <c>root/&lt;class name&gt;/…/*.png|jpg</c>, the classes being the folder names
/// in ordinal order, or the same under <c>root/train/</c>, <c>root/valid/</c> (or <c>val/</c>, <c>validation/</c>) and
/// <c>root/test/</c>. notMNIST's folder tree (A/ … J/) is one of these. Images are converted to the asked channels and
/// checked against (or resized to) the asked size; unreadable files are skipped and listed.</summary>
public static class ImageFolder
{
    private static readonly string[] ValidNames = ["valid", "val", "validation"];

    /// <summary>Who sets the size images must have, as a refusal names it.</summary>
    private const string NetworkSets = "the network takes", FirstImageSets = "the first image, which sets the size, is";

    /// <summary>The images under <paramref name="root"/>, read as <paramref name="options"/> say: its Shape (null: the
    /// first image's size, and 1 channel if it is grayscale, 3 otherwise), Resize, ClassNames, and for a folder
    /// without valid/ the stratified split's fraction and seed. Without a Shape, Resize scales every image to the
    /// first one's size.</summary>
    public static LoadedData Load(string root, LoadOptions? options = null)
    {
        options ??= new LoadOptions();
        if (!Directory.Exists(root)) throw new DataFormatException(root, "does not exist");
        var folders = Subfolders(root);
        var (trainRoot, validRoot, testRoot, splitLayout) = Roots(root, folders);
        var names = options.ClassNames?.ToArray() ?? ClassFolders(trainRoot).Select(Path.GetFileName).ToArray();
        var shape = options.Shape ?? FirstImageShape(trainRoot);
        var owner = options.Shape is null ? FirstImageSets : NetworkSets;
        var skipped = new List<SkippedFile>();
        var notes = new List<string>();
        Dataset? Read(string? folder) => folder is null ? null : ReadClasses(folder, names!, shape, options.Resize, owner, skipped, notes);
        var train = Read(trainRoot)!;
        var valid = Read(validRoot);
        if (valid is null)
        {
            (train, valid) = Splitting.Stratified(train, options.ValidFraction, options.SplitSeed);
            notes.Add($"split {options.ValidFraction:P0} of each class{(splitLayout ? " of train/" : "")} into validation (seed {options.SplitSeed})");
        }
        return new LoadedData(train, valid, Read(testRoot), $"image folder {root}", skipped.OrderBy(s => s.Path, StringComparer.Ordinal).ToList(), notes);
    }

    /// <summary>Where the splits' class folders are: ROOT/train/, ROOT/valid/ (or val/, validation/) and ROOT/test/ when
    /// ROOT holds split folders (and nothing else); otherwise ROOT itself (or its only subfolder) holds the classes.</summary>
    private static (string Train, string? Valid, string? Test, bool SplitLayout) Roots(string root, List<string> folders)
    {
        var splitFolders = folders.Where(f => IsSplitName(Path.GetFileName(f))).ToList();
        if (splitFolders.Count == 0)
        {
            // An archive unpacked as ROOT/NAME/… holds its classes or its splits one level down: NAME/train/cats/…
            // must be split folders there too, not classes called train and validation.
            var classRoot = ClassRoot(root, folders);
            return classRoot == root ? (root, null, null, false) : Roots(classRoot, Subfolders(classRoot));
        }
        var train = folders.FirstOrDefault(f => Path.GetFileName(f).Equals("train", StringComparison.OrdinalIgnoreCase))
            ?? throw new DataFormatException(root, $"has {string.Join(" and ", splitFolders.Select(f => Path.GetFileName(f) + "/"))} but no train/ folder");
        var others = folders.Except(splitFolders).ToList();
        if (others.Count > 0)
            throw new DataFormatException(root, $"holds split folders (train/) and other folders ({Path.GetFileName(others[0])}/): either split folders train/, valid/, test/ or class folders, not both");
        var validFolders = folders.Where(f => ValidNames.Contains(Path.GetFileName(f), StringComparer.OrdinalIgnoreCase)).ToList();
        if (validFolders.Count > 1)
            throw new DataFormatException(root, $"has {string.Join(" and ", validFolders.Select(f => Path.GetFileName(f) + "/"))}: keep one validation folder");
        return (train, validFolders.FirstOrDefault(), folders.FirstOrDefault(f => Path.GetFileName(f).Equals("test", StringComparison.OrdinalIgnoreCase)), true);
    }

    /// <summary>Whether <paramref name="root"/> looks like an image folder: a class or split folder holds image files.</summary>
    public static bool HasImages(string root)
        => Subfolders(root).Any(f => FilesUnder(f).Any(ImageFile.IsImageName));

    /// <summary>Every file under <paramref name="folder"/> and its visible subfolders, in ordinal path order ('/'
    /// between folders on every system). A folder that is a link is not entered (a link to a parent would never end:
    /// .NET's own recursion follows it); a file that is a link is listed, for the reader to refuse and report.</summary>
    public static IEnumerable<string> FilesUnder(string folder)
    {
        var files = new List<string>();
        var pending = new Stack<string>([folder]);
        while (pending.TryPop(out var current))
        {
            files.AddRange(Directory.EnumerateFiles(current, "*", TopLevel).Where(f => !Path.GetFileName(f).StartsWith('.')));
            foreach (var child in Directory.EnumerateDirectories(current, "*", TopLevel))
                if (!Path.GetFileName(child).StartsWith('.') && !IsLink(child)) pending.Push(child);
        }
        // By the path with '/' between folders, as on Linux and in a tarball: the order decides which images a seeded
        // split holds out, and Windows' '\' (0x5C) sorts after digits where '/' (0x2F) sorts before them, which would
        // put dog\batch10\… before dog\batch1\….
        return files.OrderBy(f => f.Replace(Path.DirectorySeparatorChar, '/'), StringComparer.Ordinal);
    }

    private static readonly EnumerationOptions TopLevel = new() { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };

    private static bool IsSplitName(string name) => name.Equals("train", StringComparison.OrdinalIgnoreCase) || name.Equals("test", StringComparison.OrdinalIgnoreCase)
                                                    || ValidNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Visible subfolders that are not links, in ordinal order (a ".ipynb_checkpoints" or ".git" is not a class).</summary>
    private static List<string> Subfolders(string folder)
        => VisibleFolders(folder).Where(d => !IsLink(d)).Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<string> VisibleFolders(string folder) => Directory.GetDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.'));

    private static bool IsLink(string folder) => new DirectoryInfo(folder).LinkTarget is not null;

    /// <summary>The folder holding the class folders: <paramref name="root"/>, or its only subfolder when that holds no
    /// images itself but folders of them (an archive unpacked as notMNIST_small/A, …).</summary>
    private static string ClassRoot(string root, List<string> folders)
    {
        if (folders.Count == 1 && !Directory.EnumerateFiles(folders[0]).Any(ImageFile.IsImageName) && Subfolders(folders[0]).Count > 0) return folders[0];
        return root;
    }

    /// <param name="alone">Whether one class folder is enough: for a validation or test split, or a folder labelled by
    /// a trained network's classes, which may hold fewer than the training data.</param>
    private static List<string> ClassFolders(string classRoot, bool alone = false)
    {
        var classes = Subfolders(classRoot);
        if (classes.Count == 0)
            throw new DataFormatException(classRoot, "holds no class folders: an image folder is ROOT/<class name>/*.png|jpg (or the same under ROOT/train/, ROOT/valid/)");
        if (classes.Count == 1 && !alone) throw new DataFormatException(classRoot, $"holds one class folder ({Path.GetFileName(classes[0])}/); a classifier needs two or more");
        if (LabelNames.Problem(classes.Select(Path.GetFileName).ToArray()!) is { } problem) throw new DataFormatException(classRoot, $"has class folders that cannot name classes: {problem}");
        return classes;
    }

    /// <summary>The shape of the first image (in ordinal order) whose header reads: its size, and 1 channel when it is
    /// grayscale (with or without alpha), 3 otherwise.</summary>
    private static LayerShape FirstImageShape(string classRoot)
    {
        foreach (var file in ClassFolders(classRoot, alone: true).SelectMany(ImageFiles))
        {
            try
            {
                var header = ImageFile.ReadHeader(ImageFile.ReadFile(file), file);
                return new LayerShape(header.Height, header.Width, header.Channels <= 2 ? 1 : 3);
            }
            catch (DataFormatException)
            {
                // Unreadable: the load skips and lists it; the next one decides the shape.
            }
        }
        throw new DataFormatException(classRoot, "holds no readable .png or .jpg images");
    }

    private static IEnumerable<string> ImageFiles(string classFolder)
        => FilesUnder(classFolder).Where(ImageFile.IsImageName);

    /// <summary>Every image under the class folders of <paramref name="classRoot"/>, labelled by its folder's place in
    /// <paramref name="names"/> (the training classes: a validation or test folder may hold fewer, never others).</summary>
    private static Dataset ReadClasses(string classRoot, string[] names, LayerShape shape, bool resize, string sizeOwner, List<SkippedFile> skipped, List<string> notes)
    {
        var links = VisibleFolders(classRoot).Where(IsLink).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (links.Count > 0) notes.Add($"did not enter {LabelNames.List(links!)} in {classRoot}: folders that are links are not read (a link to a parent would never end)");
        var entries = new List<(string Path, int Label)>();
        var ignored = 0;
        foreach (var folder in ClassFolders(classRoot, alone: true)) // the class count itself was checked on the names
        {
            var name = Path.GetFileName(folder);
            var label = Array.IndexOf(names, name);
            if (label < 0) throw new DataFormatException(folder, $"is not one of the classes {LabelNames.List(names)}");
            var files = FilesUnder(folder).ToList();
            var images = files.Where(ImageFile.IsImageName).ToList();
            ignored += files.Count - images.Count;
            if (images.Count == 0) throw new DataFormatException(folder, "is an empty class folder: it holds no .png or .jpg files");
            entries.AddRange(images.Select(f => (f, label)));
        }
        if (ignored > 0) notes.Add($"ignored {ignored} files in {classRoot} that are not .png, .jpg or .jpeg");
        // Before decoding any: the images end in one array, and a set past its limit would fail after all the work.
        var values = (long)entries.Count * shape.Height * shape.Width * shape.Channels;
        if (values > Array.MaxLength)
            throw new DataFormatException(classRoot, $"holds {entries.Count:N0} images of {shape}: {values:N0} values, more than one array holds ({Array.MaxLength:N0}); use fewer images or a network that takes smaller ones");

        // Both cores decode; results land by index, so the order (and any seeded split) never depends on timing.
        var decoded = new float[]?[entries.Count];
        var unreadable = new ConcurrentBag<SkippedFile>();
        var greyed = 0; // colour images read as grey because the first image, which set the channels, is grey
        ParallelFiles.Run(entries.Count, i =>
        {
            var path = entries[i].Path;
            ImageFile.Pixels pixels;
            try
            {
                pixels = ImageFile.Decode(ImageFile.ReadFile(path), path, shape.Channels);
            }
            catch (DataFormatException e)
            {
                unreadable.Add(new SkippedFile(path, e.Problem));
                return;
            }
            decoded[i] = ImageFile.ToValues(pixels, path, shape, resize, sizeOwner); // an image of another size is an error, not a skip
            if (pixels.StoredChannels >= 3 && shape.Channels == 1 && sizeOwner == FirstImageSets) Interlocked.Increment(ref greyed);
        });
        if (greyed > 0) notes.Add($"read {greyed} colour images in {classRoot} as grayscale: the first image, which sets the channels, is grayscale");
        skipped.AddRange(unreadable);
        var usable = Enumerable.Range(0, entries.Count).Where(i => decoded[i] is not null).ToList();
        // One pass, not one per class: a class with files but none readable is an error.
        var readable = new bool[names.Length];
        foreach (var i in usable) readable[entries[i].Label] = true;
        var unusable = entries.Select(e => e.Label).Distinct().Where(l => !readable[l]).Order().ToList();
        if (unusable.Count > 0) throw new DataFormatException(Path.Combine(classRoot, names[unusable[0]]), "holds no readable images");
        var data = new float[(long)usable.Count * shape.Length];
        for (var k = 0; k < usable.Count; k++) decoded[usable[k]]!.CopyTo(data, (long)k * shape.Length);
        return new Dataset(data, usable.Select(i => entries[i].Label).ToArray(), shape.Height, shape.Width, shape.Channels, names);
    }
}
