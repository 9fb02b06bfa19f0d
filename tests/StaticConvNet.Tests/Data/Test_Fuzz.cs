using CsCheck;
using StaticConvNet.Data;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Data;

/// <summary>Every reader fed valid files with random damage (bytes flipped, cut short, spliced, length fields
/// rewritten): each either reads the file or refuses it with a <see cref="DataFormatException"/>; nothing else escapes,
/// nothing hangs, nothing allocates past a bound.</summary>
public class Test_Fuzz
{
    /// <summary>A valid file, damaged: a few bytes set to random or extreme values, then maybe cut.</summary>
    private static Gen<byte[]> Damaged(byte[] valid) => Gen.Select(
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.OneOf(Gen.Byte, Gen.OneOfConst<byte>(0, 0xFF, 0x7F, 0x80))).Array[1, 6],
        Gen.Int[0, 3], Gen.Int[1, valid.Length],
        (edits, cutKind, cutAt) =>
        {
            var bytes = (byte[])valid.Clone();
            foreach (var (at, value) in edits) bytes[at] = value;
            return cutKind == 0 ? bytes[..cutAt] : bytes;
        });

    /// <summary>Mutations of a valid file, then as many files of random bytes.</summary>
    /// <param name="allocationBound">Most bytes one read may allocate on this thread; null for readers that work on
    /// other threads too (the tarball's decoders), whose allocations this thread cannot see.</param>
    /// <param name="seed">A CsCheck seed to replay (a case a random run once found), or null for fresh ones.</param>
    private static void OnlyRefusals(byte[] valid, Action<byte[]> read, long? allocationBound, int iterations = 1000, string? seed = null)
    {
        Gen.OneOf(Damaged(valid), Gen.Byte.Array[0, 2 * valid.Length]).Sample(bytes =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try { read(bytes); }
            catch (DataFormatException) { }
            if (allocationBound is { } bound) (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(bound);
        }, iter: iterations, threads: 1, seed: seed);
    }

    /// <summary>Damaged as they come, and again with the SHA-256 recomputed, so that the damage reaches the field
    /// checks behind the hash (lengths, counts, steps, Adam's settings and moments, class names): SGD (format 1), Adam
    /// (format 2), and each with class names (format 3).</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Checkpoints(bool adam, bool named)
    {
        var network = new StaticConvNet.Tests.Training.ColourNet();
        network.InitializeParameters(1);
        Optimizer optimizer = adam ? new AdamOptimizer(StaticConvNet.Tests.Training.ColourNet.ParameterCount, weightDecay: 0.01) : new SgdOptimizer(StaticConvNet.Tests.Training.ColourNet.ParameterCount, 0.9f);
        optimizer.Step(network.Parameters, ReferenceNets.Random(StaticConvNet.Tests.Training.ColourNet.ParameterCount, 3, 0.1f), 0.01f);
        var valid = (Checkpoint.Capture(network, 10, 1, optimizer) with { ClassNames = named ? ["cat", "dog", "émeu"] : null }).ToBytes();
        OnlyRefusals(valid, bytes =>
        {
            try { Checkpoint.Parse(bytes, "f.scnc"); }
            catch (DataFormatException) { }
            var body = bytes.Length > 32 ? bytes[..^32] : bytes;
            Checkpoint.Parse([.. body, .. System.Security.Cryptography.SHA256.HashData(body)], "f.scnc");
        }, 16L * valid.Length);
    }

    /// <summary>A .scnw as scn reads it (<c>--checkpoint</c>): damaged text, random bytes decoded as UTF-8, huge counts.</summary>
    [Fact]
    public void Weights_files()
    {
        var network = new StaticConvNet.Tests.Training.ColourNet();
        network.InitializeParameters(1);
        var valid = System.Text.Encoding.UTF8.GetBytes(WeightsFile.Format(network.Description.Name, network.Description.Fingerprint, network.Parameters, ["cat", "dog", "émeu"]));
        OnlyRefusals(valid, bytes => WeightsFile.Parse(System.Text.Encoding.UTF8.GetString(bytes), "f.scnw"), 64L * valid.Length);
    }

    [Fact]
    public void Notebook_pickles()
    {
        var valid = PickleBuilder.Notebook(3);
        OnlyRefusals(valid, bytes => RestrictedPickle.Load(bytes, "f.pickle"), 64L * valid.Length);
    }

    [Fact]
    public void Png_images()
    {
        using var folder = new Scn.TempFolder();
        var valid = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28));
        OnlyRefusals(valid, bytes => PngImage.Decode(bytes, "f.png"), 1L << 20);
    }

    /// <summary>Colour images of both formats through the general reader: a damaged header may claim a larger size, up
    /// to a megapixel for a small file (ImageFile.MaxPixelsPerByte), so the bound is what a megapixel costs the
    /// decoder, never what the damage claims.</summary>
    [Theory]
    [InlineData("p.png")]
    [InlineData("p.jpg")]
    public void Colour_images(string name)
    {
        using var folder = new Scn.TempFolder();
        var valid = File.ReadAllBytes(TestImages.WriteColour(folder[name], 24, 20, (x, y) => ((byte)(x * 10), (byte)(y * 12), 90)));
        OnlyRefusals(valid, bytes => ImageFile.Decode(bytes, "f", 3), 24L << 20);
    }

    /// <summary>A damaged PNG whose image data makes zlib return an error code .NET reports as an IOException, not an
    /// InvalidDataException (found by a CI run of <see cref="Colour_images"/>; replayed by its seed).</summary>
    [Fact]
    public void A_png_whose_data_zlib_cannot_even_classify_is_a_refusal()
    {
        using var folder = new Scn.TempFolder();
        var valid = File.ReadAllBytes(TestImages.WriteColour(folder["p.png"], 24, 20, (x, y) => ((byte)(x * 10), (byte)(y * 12), 90)));
        OnlyRefusals(valid, bytes => ImageFile.Decode(bytes, "f", 3), 24L << 20, seed: "dKtTf3z4XnW1");
    }

    [Fact]
    public void Tarballs_of_png_trees()
    {
        using var folder = new Scn.TempFolder();
        var png = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28));
        using (var file = File.Create(folder["t.tar.gz"]))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax))
        {
            foreach (var letter in "ABC")
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"small/{letter}/x.png") { DataStream = new MemoryStream(png) });
        }
        var valid = File.ReadAllBytes(folder["t.tar.gz"]);
        var path = folder["f.tar.gz"];
        OnlyRefusals(valid, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            PngTree.LoadTarball(path);
        }, allocationBound: null, iterations: 300);
    }

    [Fact]
    public void Npz_weights()
    {
        using var folder = new Scn.TempFolder();
        var network = new StaticConvNet.Tests.Training.ColourNet();
        network.InitializeParameters(1);
        StaticConvNet.Tests.Interop.Test_NotebookWeights.WriteNpz(folder["w.npz"], StaticConvNet.Tests.Interop.Test_NotebookWeights.ArraysOf(network));
        var valid = File.ReadAllBytes(folder["w.npz"]);
        var path = folder["f.npz"];
        OnlyRefusals(valid, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            StaticConvNet.Interop.NotebookWeights.Import(path, new StaticConvNet.Tests.Training.ColourNet());
        }, 1L << 20, iterations: 300);
    }

    [Fact]
    public void Idx_files()
    {
        using var folder = new Scn.TempFolder();
        var images = new byte[16 + 5 * 28 * 28];
        images[2] = 0x08; images[3] = 3;
        images[7] = 5; images[11] = 28; images[15] = 28;
        var path = folder["f-idx3-ubyte"];
        OnlyRefusals(images, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            IdxReader.ReadImages(path);
        }, 1L << 20);
    }
}
