using BenchmarkDotNet.Attributes;
using StaticConvNet.Data;

namespace StaticConvNet.Bench;

/// <summary>Loading the data users have: the 11,840-image training IDX (target: well under a second) and the
/// 10,470-PNG tarball streamed and decoded on both cores.</summary>
[MemoryDiagnoser]
public class DataLoading
{
    private string _folder = null!;
    private string _tarball = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = BundledData.Locate();
        _tarball = Path.Combine(_folder, "..", "..", "..", "shared", "data", "notmnist", "notMNIST_small-part.tar.gz");
    }

    [Benchmark]
    public int TrainingIdx() => IdxReader.Load(Path.Combine(_folder, "train-images-idx3-ubyte.gz"), Path.Combine(_folder, "train-labels-idx1-ubyte.gz")).Count;

    [Benchmark]
    public int PngTarball() => PngTree.LoadTarball(_tarball).Data.Count;
}
