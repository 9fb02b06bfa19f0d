using System.Text.RegularExpressions;
using System.Buffers.Binary;
using System.IO.Compression;
using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Data;

/// <summary>IDX reading on the real shared files, writing, and every malformed IDX file.</summary>
public class Test_Idx
{
    private static string Shared(string name) => Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", name);

    private static byte[] Images(int count, int height, int width, int magic = 0x00000803, int extra = 0)
    {
        var bytes = new byte[16 + count * height * width + extra];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), height);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), width);
        return bytes;
    }

    private static byte[] ImagesHeader(int count, int height, int width)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), height);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), width);
        return header;
    }

    private static byte[] Labels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void Reads_the_shared_training_split_with_its_documented_class_counts()
    {
        var train = IdxReader.Load(Shared("train-images-idx3-ubyte.gz"), Shared("train-labels-idx1-ubyte.gz"));
        train.Count.ShouldBe(11_840);
        train.CountPerClass(10).ShouldBe([1200, 1199, 1195, 1202, 1205, 1203, 1199, 1192, 1044, 1201]);
        train.Images.Min().ShouldBe(-0.5f);
        train.Images.Max().ShouldBe(0.5f);
    }

    /// <summary>The reader sizes its buffer from the gzip trailer, which describes only the last member of a file made
    /// of several: the rest must still be read, and a file with no trailer at all read too.</summary>
    [Fact]
    public void A_gzip_of_several_members_or_of_an_empty_file_reads_in_full()
    {
        using var folder = new Scn.TempFolder();
        var images = Images(3, 4, 5);
        for (var i = 16; i < images.Length; i++) images[i] = (byte)(i * 7);
        static byte[] Gzip(ReadOnlySpan<byte> data)
        {
            using var memory = new MemoryStream();
            using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(data);
            return memory.ToArray();
        }
        File.WriteAllBytes(folder["i.gz"], [.. Gzip(images.AsSpan(0, 30)), .. Gzip(images.AsSpan(30))]);
        File.WriteAllBytes(folder["l.gz"], Gzip(Labels(1, 2, 3)));
        var dataset = IdxReader.Load(folder["i.gz"], folder["l.gz"]);
        dataset.Count.ShouldBe(3);
        dataset.Images[59].ShouldBe((images[75] - 127.5f) * (1f / 255f));

        File.WriteAllBytes(folder["empty.gz"], Gzip([]));
        Should.Throw<DataFormatException>(() => IdxReader.ReadLabels(folder["empty.gz"], 10)).Message.ShouldBe($"{folder["empty.gz"]}: is 0 bytes long, too short for an IDX header");
    }

    [Fact]
    public void Outside_the_repository_the_bundled_data_is_a_missing_file_explained_in_library_terms()
    {
        using var folder = new Scn.TempFolder();
        var e = Should.Throw<BundledDataNotFoundException>(() => BundledData.Locate([folder.Path]));
        e.ShouldBeAssignableTo<FileNotFoundException>();
        e.Message.ShouldContain($"is not in or above {folder.Path}");
        e.Message.ShouldContain("IdxReader.Load");
        e.Message.ShouldNotContain("--data"); // a command-line option means nothing to a library user
    }

    [Fact]
    public void A_header_whose_size_product_would_wrap_is_refused()
    {
        using var folder = new Scn.TempFolder();
        // 2^24 images of 2^20 x 2^20: the product is 2^64, 0 in a long, which a 16-byte file would satisfy.
        File.WriteAllBytes(folder["wrap.idx"], ImagesHeader(1 << 24, 1 << 20, 1 << 20));
        Should.Throw<DataFormatException>(() => IdxReader.ReadImages(folder["wrap.idx"])).Message
            .ShouldBe($"{folder["wrap.idx"]}: its header promises 16777216 images of 1048576x1048576 (18446744073709551616 bytes of data), more than one array can hold");
    }

    /// <summary>A decompression bomb: a small gzip whose header promises what it cannot hold is refused before anything
    /// is allocated, and one whose data runs on past its promise is refused after reading only the promise and a
    /// bounded count of the rest (it used to inflate everything, 4 GB for a 2.6 MB file, and end "Stream was too long").</summary>
    [Fact]
    public void A_gzip_that_inflates_past_its_header_is_refused_in_bounded_memory()
    {
        using var folder = new Scn.TempFolder();
        static byte[] Gzip(byte[] header, long zeros)
        {
            using var memory = new MemoryStream();
            using (var gzip = new GZipStream(memory, CompressionLevel.Optimal))
            {
                gzip.Write(header);
                var block = new byte[1 << 16];
                for (long left = zeros; left > 0; left -= block.Length) gzip.Write(block, 0, (int)Math.Min(block.Length, left));
            }
            return memory.ToArray();
        }
        // The header promises 60,000 images of 200x200 (2.4 GB); the file is a few KB.
        File.WriteAllBytes(folder["promise.gz"], Gzip(ImagesHeader(60_000, 200, 200), 1000));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => IdxReader.ReadImages(folder["promise.gz"])).Message
            .ShouldMatch($@"^{Regex.Escape(folder["promise.gz"])}: its header promises 60000 images of 200x200 \(2400000000 bytes of data\), more than a gzip file of \d+ bytes can hold$");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1 << 20);

        // The header promises 10 images of 28x28; 200 MB of zeros follow.
        File.WriteAllBytes(folder["bomb.gz"], Gzip(ImagesHeader(10, 28, 28), 10 * 28 * 28 + (200L << 20)));
        before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => IdxReader.ReadImages(folder["bomb.gz"])).Message
            .ShouldBe($"{folder["bomb.gz"]}: has more than 1048576 bytes after the 10 images of 28x28 its header promises");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1 << 20);

        // 2,000,000 images of 28x28 promised (1.57 GB: within deflate's 1032:1 of a 1.6 MB file), 1.6 MB of pixels that
        // do not compress given. Refused as truncated having held about what it inflated to, not the 1.57 GB promised.
        var pixels = new byte[1_600_000];
        new Random(3).NextBytes(pixels);
        File.WriteAllBytes(folder["short.gz"], Gzip([.. ImagesHeader(2_000_000, 28, 28), .. pixels], 0));
        new FileInfo(folder["short.gz"]).Length.ShouldBeGreaterThan(1_568_000_000 / 1032, "past the ratio check");
        before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => IdxReader.ReadImages(folder["short.gz"])).Message
            .ShouldBe($"{folder["short.gz"]}: is truncated: the header promises 2000000 images of 28x28 (1568000000 bytes of data), but only 1600000 follow");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L << 20);
    }

    [Fact]
    public void The_bundled_copy_is_verified_and_matches_the_shared_files()
    {
        var (train, valid) = BundledData.Load();
        train.Count.ShouldBe(11_840);
        valid.Count.ShouldBe(2_000);
        valid.CountPerClass(10).ShouldAllBe(n => n == 200);
    }

    [Fact]
    public void Writing_then_reading_gives_the_same_dataset()
    {
        using var folder = new Scn.TempFolder();
        var valid = IdxReader.Load(Shared("valid-images-idx3-ubyte.gz"), Shared("valid-labels-idx1-ubyte.gz"));
        IdxWriter.Write(valid, folder["i.gz"], folder["l.gz"]);
        var again = IdxReader.Load(folder["i.gz"], folder["l.gz"]);
        again.Images.ShouldBe(valid.Images);
        again.Labels.ShouldBe(valid.Labels);
        Directory.GetFiles(folder.Path).Length.ShouldBe(2, "no temporary files remain");
    }

    [Theory]
    [InlineData("wrong magic", "is not an IDX file of images (magic 0x00000803: unsigned bytes, 3 dimensions): magic number is 0x00000804")]
    [InlineData("truncated", "is truncated: the header promises 3 images of 28x28 (2352 bytes of data), but only 1000 follow")]
    [InlineData("trailing", "has 5 bytes after the 3 images of 28x28 its header promises")]
    [InlineData("short header", "is 10 bytes long, too short for an IDX header")]
    public void Malformed_image_files_are_refused_with_the_reason(string kind, string message)
    {
        using var folder = new Scn.TempFolder();
        var bytes = kind switch
        {
            "wrong magic" => Images(3, 28, 28, magic: 0x00000804),
            "truncated" => Images(3, 28, 28)[..(16 + 1000)],
            "trailing" => Images(3, 28, 28, extra: 5),
            _ => Images(3, 28, 28)[..10],
        };
        File.WriteAllBytes(folder["x.idx"], bytes);
        File.WriteAllBytes(folder["y.idx"], Labels(0, 1, 2));
        Should.Throw<DataFormatException>(() => IdxReader.Load(folder["x.idx"], folder["y.idx"])).Message.ShouldBe($"{folder["x.idx"]}: {message}");
    }

    [Fact]
    public void A_truncated_gzip_file_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var whole = File.ReadAllBytes(Shared("valid-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(folder["l.gz"], whole[..(whole.Length / 2)]);
        Should.Throw<DataFormatException>(() => IdxReader.ReadLabels(folder["l.gz"], 10)).Message.ShouldStartWith(folder["l.gz"] + ": is ");
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        using var folder = new Scn.TempFolder();
        File.WriteAllBytes(folder["x.idx"], Images(3, 28, 28));
        File.WriteAllBytes(folder["y.idx"], Labels(0, 1));
        Should.Throw<DataFormatException>(() => IdxReader.Load(folder["x.idx"], folder["y.idx"])).Message.ShouldBe($"{folder["y.idx"]}: has 2 labels, but x.idx has 3 images");
    }

    [Fact]
    public void Labels_out_of_range_are_refused()
    {
        using var folder = new Scn.TempFolder();
        File.WriteAllBytes(folder["y.idx"], Labels(0, 12, 2));
        Should.Throw<DataFormatException>(() => IdxReader.ReadLabels(folder["y.idx"], 10)).Message.ShouldBe($"{folder["y.idx"]}: label 12 at index 1 is out of range 0..9");
    }

    [Fact]
    public void Images_of_the_wrong_size_fail_training_with_both_sizes_named()
    {
        using var folder = new Scn.TempFolder();
        using (var gz = new GZipStream(File.Create(folder["train-images-idx3-ubyte.gz"]), CompressionLevel.Fastest)) gz.Write(Images(40, 14, 14));
        File.WriteAllBytes(folder["train-labels-idx1-ubyte"], Labels(Enumerable.Range(0, 40).Select(i => (byte)(i % 10)).ToArray()));
        Scn.Run("train", "arch2", "--data", folder.Path, "--steps", "5").ShouldBeCleanError("Arch2ConvPool takes 28x28x1 images, but the training data has 14x14x1");
    }
}
