using System.Security.Cryptography;

namespace StaticConvNet;

/// <summary>The real notMNIST train/valid splits committed under data/notmnist/, checked against their SHA-256
/// so a damaged clone fails loudly instead of training on garbage.</summary>
public static class BundledData
{
    public const string Folder = "data/notmnist";

    private static readonly (string File, string Sha256)[] Files =
    [
        ("train-images-idx3-ubyte.gz", "a02e078338d7417470770adbbcae56ff7667f91527a9b1e8d55bedc40b508581"),
        ("train-labels-idx1-ubyte.gz", "99aac7f34e66724e7b678f222ab3b52d1ebf715c7e9621102b6a3aed885de8bd"),
        ("valid-images-idx3-ubyte.gz", "3a1b8e2fc3a97159d842db963fc8215182cbfc6dd8ba871b75304e5524c373d9"),
        ("valid-labels-idx1-ubyte.gz", "2f1beec3001bab122779bf88f83279e651a9647139e0d681dea47f362223c398"),
    ];

    /// <summary>The data folder: the first data/notmnist found walking up from the working directory or
    /// from the program's own folder.</summary>
    public static string Locate() => Locate([Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    /// <summary>The first data/notmnist found walking up from each of <paramref name="startFolders"/> in turn.</summary>
    public static string Locate(IEnumerable<string> startFolders)
    {
        foreach (var start in startFolders)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, Folder);
                if (File.Exists(Path.Combine(candidate, Files[0].File))) return candidate;
            }
        }
        throw new BundledDataNotFoundException(
            $"The bundled notMNIST data ({Folder}) is not in or above {string.Join(" or ", startFolders)}: "
            + $"{nameof(BundledData)} serves the repository's own tools, samples and tests. "
            + $"Load other data with {nameof(IdxReader)}.{nameof(IdxReader.Load)} or new {nameof(Dataset)}(images, labels, height, width).");
    }

    public static (Dataset Train, Dataset Valid) Load()
    {
        var folder = Locate();
        // The training split loads on another core while this one checks the files and loads the validation split: it
        // is start-up time. A damaged file is reported as such, before whatever reading it did to the loader.
        var train = Task.Run(() => IdxReader.Load(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz")));
        foreach (var (file, sha) in Files)
        {
            var path = Path.Combine(folder, file);
            var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            if (actual != sha) throw new DataFormatException(path, $"SHA-256 is {actual}, expected {sha}: the bundled file is damaged");
        }
        var valid = IdxReader.Load(Path.Combine(folder, "valid-images-idx3-ubyte.gz"), Path.Combine(folder, "valid-labels-idx1-ubyte.gz"));
        return (train.GetAwaiter().GetResult(), valid);
    }
}

/// <summary>The repository's bundled data is not where <see cref="BundledData"/> looks (a program run outside the
/// repository): a missing file, not a malformed one.</summary>
public sealed class BundledDataNotFoundException(string message) : FileNotFoundException(message, BundledData.Folder);
