using System.Formats.Tar;
using System.IO.Compression;
using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Data;

/// <summary>notMNIST's own archive, a .tar.gz read without unpacking, and its 28x28 PNG rule (an unpacked tree is an
/// image folder: Test_ImageFolder).</summary>
public class Test_PngTree
{
    private static readonly string SharedTarball = Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", "notMNIST_small-part.tar.gz");

    [Fact]
    public void The_shared_tarball_streams_in_and_its_two_unreadable_files_are_skipped_and_named()
    {
        var result = PngTree.LoadTarball(SharedTarball);
        result.Data.Count.ShouldBe(10_468);
        result.Skipped.Select(s => s.Path.Split(':')[^1]).ShouldBe([
            "notMNIST_small/A/RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png",
            "notMNIST_small/F/Q3Jvc3NvdmVyIEJvbGRPYmxpcXVlLnR0Zg==.png"]);
        result.Skipped.ShouldAllBe(s => s.Reason.StartsWith("is not a readable PNG image"));
    }

    /// <summary>Cut inside the chunk after the header (its length and type there, its data and CRC not): refused before
    /// the decoder, which allocated 13 MB for such a 42-byte file (Test_Fuzz found it).</summary>
    [Fact]
    public void A_png_cut_inside_a_chunk_is_refused_before_decoding()
    {
        using var folder = new Scn.TempFolder();
        var bytes = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28))[..42];
        var before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => PngImage.Decode(bytes, "cut.png")).Message.ShouldStartWith("cut.png: is not a readable PNG image (a chunk at byte 33 claims");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 16);
    }

    /// <summary>A PNG's size is read from its header: a 20000x20000 image (a few kilobytes compressed, 400 MB decoded)
    /// is refused without decoding it.</summary>
    [Fact]
    public void A_huge_png_is_refused_from_its_header()
    {
        using var folder = new Scn.TempFolder();
        var bytes = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 20000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 20000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => PngImage.Decode(bytes, "huge.png")).Message.ShouldBe("huge.png: is 20000x20000 pixels; notMNIST images are 28x28");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 20);
    }

    [Fact]
    public void A_truncated_tarball_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var bytes = File.ReadAllBytes(SharedTarball);
        File.WriteAllBytes(folder["cut.tar.gz"], bytes[..(bytes.Length / 3)]);
        Should.Throw<DataFormatException>(() => PngTree.LoadTarball(folder["cut.tar.gz"])).Message.ShouldStartWith($"{folder["cut.tar.gz"]}: is truncated or not a valid .tar.gz");
    }

    /// <summary>A PAX header whose mtime is past any date (Test_Fuzz found one): the tar reader overflows converting it;
    /// that is a bad file, named, not a crash. The archive holds A/a.png with mtime 10^26 s, written by Python's tarfile.</summary>
    [Fact]
    public void A_tarball_whose_header_dates_overflow_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        File.WriteAllBytes(folder["dates.tar.gz"], Convert.FromBase64String(
            "H4sIAAAAAAACA+3TsQrCMBCA4Zt9ijxBcmlDxUHQraOvEDCIQ0VqhTy+FodSpGME9f+WO2656bfOut0h5jbFY+qlCH1ZmqohTPt491r5WkyWD7jfhtg/38t/qhvTDecubTeLVoKftXfRXi+noj/GqJup8ff+1c/717WGSozSf3GZBAAAAAAAAAAAAAAAAL7aA+490f4AKAAA"));
        Should.Throw<DataFormatException>(() => PngTree.LoadTarball(folder["dates.tar.gz"])).Message.ShouldStartWith($"{folder["dates.tar.gz"]}: is truncated or not a valid .tar.gz");
    }

    /// <summary>A PAX extended-attributes header whose size field is past what an array holds (Test_Fuzz found one): the
    /// tar reader throws InvalidOperationException for it; that is a bad file, named, not a crash.</summary>
    [Fact]
    public void A_tarball_whose_extended_header_claims_gigabytes_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var header = new byte[512];
        void Field(int offset, string text) => System.Text.Encoding.ASCII.GetBytes(text).CopyTo(header, offset);
        Field(0, "PaxHeaders/a.png");
        Field(100, "0000644\0");
        Field(108, "0000000\0");
        Field(116, "0000000\0");
        Field(124, "77777777777\0"); // 8 GiB of extended attributes
        Field(136, "00000000000\0");
        Field(156, "x");
        Field(257, "ustar\0");
        Field(263, "00");
        Field(148, "        ");
        Field(148, Convert.ToString(header.Sum(b => b), 8).PadLeft(6, '0') + "\0 ");
        using (var file = File.Create(folder["pax.tar.gz"]))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(header);
            gzip.Write(new byte[1024]);
        }
        Should.Throw<DataFormatException>(() => PngTree.LoadTarball(folder["pax.tar.gz"])).Message.ShouldStartWith($"{folder["pax.tar.gz"]}: is truncated or not a valid .tar.gz");
    }

    /// <summary>An entry far larger than any glyph (here 64 MiB of zeros, which compress to almost nothing) is skipped
    /// unread: the archive costs the time to read past it, not the memory to hold it.</summary>
    [Fact]
    public void A_huge_entry_inside_a_tarball_is_skipped_without_holding_it()
    {
        using var folder = new Scn.TempFolder();
        var png = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28));
        using (var file = File.Create(folder["bomb.tar.gz"]))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var letter in PngTree.Letters) tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"small/{letter}/a.png") { DataStream = new MemoryStream(png) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "small/A/bomb.png") { DataStream = new MemoryStream(new byte[64 << 20]) });
        }
        new FileInfo(folder["bomb.tar.gz"]).Length.ShouldBeLessThan(1 << 20);
        // The archive is read on this thread (the decoders only get what it hands them): its allocations are this thread's.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = PngTree.LoadTarball(folder["bomb.tar.gz"]);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L << 20, "not the 64 MiB entry");
        result.Data.Count.ShouldBe(10);
        result.Skipped.ShouldHaveSingleItem().Reason.ShouldBe($"is {64 << 20:N0} bytes; a 28x28 image file is at most {PngImage.MaxFileBytes:N0}");
    }

    [Theory]
    [InlineData("notMNIST_small/../../evil/A/x.png")]
    [InlineData("/etc/A/x.png")]
    public void A_tar_entry_outside_the_tree_is_refused(string entryName)
    {
        using var folder = new Scn.TempFolder();
        var png = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28));
        using (var file = File.Create(folder["evil.tar.gz"]))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entryName) { DataStream = new MemoryStream(png) });
        }
        Should.Throw<DataFormatException>(() => PngTree.LoadTarball(folder["evil.tar.gz"]))
            .Message.ShouldBe($"{folder["evil.tar.gz"]}: has an entry '{entryName}' that points outside the archive's tree; refusing to read it");
    }

    [Fact]
    public void A_stratified_split_keeps_class_proportions_and_is_seeded()
    {
        var data = PngTree.LoadTarball(SharedTarball).Data;
        var (train, valid) = Splitting.Stratified(data, 0.1, seed: 4);
        (train.Count + valid.Count).ShouldBe(data.Count);
        var perClass = data.CountPerClass(10);
        var validPerClass = valid.CountPerClass(10);
        for (var c = 0; c < 10; c++) validPerClass[c].ShouldBe((int)Math.Round(perClass[c] * 0.1));
        Splitting.Stratified(data, 0.1, seed: 4).Valid.Images.ShouldBe(valid.Images);
        Splitting.Stratified(data, 0.1, seed: 5).Valid.Images.ShouldNotBe(valid.Images);
    }
}

public class Test_PngTreeTarball
{
    [Fact]
    public void A_wrong_size_png_inside_a_large_tarball_fails_cleanly_without_hanging()
    {
        using var folder = new Scn.TempFolder();
        var good = File.ReadAllBytes(TestImages.WritePng(folder["g.png"], 28, 28));
        var bad = File.ReadAllBytes(TestImages.WritePng(folder["b.png"], 28, 40));
        using (var file = File.Create(folder["x.tar.gz"]))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            // Many entries after the bad one: more than the bounded queue holds, so a stuck reader would hang.
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "t/A/0000.png") { DataStream = new MemoryStream(bad) });
            for (var i = 1; i < 3000; i++)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"t/{PngTree.Letters[i % 10]}/{i:D4}.png") { DataStream = new MemoryStream(good) });
        }
        var load = Task.Run(() => PngTree.LoadTarball(folder["x.tar.gz"]));
        Should.Throw<AggregateException>(() => load.Wait(TimeSpan.FromSeconds(60))).InnerException.ShouldBeOfType<DataFormatException>()
            .Message.ShouldBe($"{folder["x.tar.gz"]}:t/A/0000.png: is 28x40 pixels; notMNIST images are 28x28");
    }
}
