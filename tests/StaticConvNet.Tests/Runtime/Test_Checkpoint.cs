using System.Buffers.Binary;
using System.Security.Cryptography;
using StaticConvNet.Data;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The checkpoint format round-trips exactly and refuses every damaged or foreign file with a clear reason.</summary>
public class Test_Checkpoint
{
    private static Checkpoint Sample(bool velocity = true)
    {
        var network = new Arch1StridedConv();
        network.InitializeParameters(3);
        var optimizer = new SgdOptimizer(Arch1StridedConv.ParameterCount, velocity ? 0.9f : 0f);
        if (velocity) ReferenceNets.Random(Arch1StridedConv.ParameterCount, 1, 0.01f).CopyTo(optimizer.Velocity, 0);
        return Checkpoint.Capture(network, 1234, seed: 7, optimizer);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trips_bit_for_bit(bool velocity)
    {
        var original = Sample(velocity);
        var copy = Checkpoint.Parse(original.ToBytes(), "x");
        copy.ModelName.ShouldBe("Arch1StridedConv");
        copy.Fingerprint.ShouldBe(Arch1StridedConv.LayerFingerprint);
        copy.StepsDone.ShouldBe(1234);
        copy.Seed.ShouldBe(7);
        copy.Parameters.ShouldBe(original.Parameters);
        copy.Velocity.ShouldBe(original.Velocity);
    }

    [Fact]
    public void Save_is_atomic_and_leaves_no_temporary_file()
    {
        using var folder = new Scn.TempFolder();
        Sample().Save(folder["a.scnc"]);
        Directory.GetFiles(folder.Path).Select(Path.GetFileName).ShouldBe(["a.scnc"]);
        Checkpoint.Load(folder["a.scnc"]).StepsDone.ShouldBe(1234);
    }

    /// <summary>A file whose SHA-256 is right but whose fields are not: every field is checked before use, and
    /// each refusal is one line naming the file (before: partial loads, stack traces, a model evaluating at 10 %).</summary>
    [Fact]
    public void Consistent_hash_inconsistent_fields_are_refused_by_name()
    {
        var good = Sample();
        string Refusal(Checkpoint crafted) => Should.Throw<DataFormatException>(() => Checkpoint.Parse(crafted.ToBytes(), "c.scnc")).Message;

        var nan = good.Parameters.ToArray();
        nan[5] = float.NaN;
        Refusal(good with { Parameters = nan }).ShouldBe("c.scnc: parameter 5 is NaN: the checkpoint holds a diverged run");
        var infinite = good.Velocity!.ToArray();
        infinite[9] = float.PositiveInfinity;
        Refusal(good with { Velocity = infinite }).ShouldBe("c.scnc: velocity value 9 is infinite: the checkpoint holds a diverged run");
        Refusal(good with { StepsDone = -3 }).ShouldBe("c.scnc: records -3 steps done; a count of steps is never negative");
        Refusal(good with { StepsDone = (1L << 53) + 1 }).ShouldBe("c.scnc: records 9007199254740993 steps done, more than 9007199254740992 (2^53): not a count a run reaches");
        Refusal(good with { Momentum = float.NaN }).ShouldBe("c.scnc: records momentum NaN; it must be in [0, 1)");

        // Fewer parameters than the network has parse (the file is self-consistent) but do not load into it.
        var fewer = Checkpoint.Parse((good with { Parameters = good.Parameters[..^100], Velocity = null }).ToBytes(), "c.scnc");
        Should.Throw<DataFormatException>(() => fewer.LoadInto(new Arch1StridedConv(), "c.scnc"))
            .Message.ShouldBe($"c.scnc: holds {Arch1StridedConv.ParameterCount - 100} parameters; 'Arch1StridedConv' has {Arch1StridedConv.ParameterCount}");
    }

    [Theory]
    [InlineData("fingerprint length", "is truncated: it ends inside the fingerprint")]
    [InlineData("parameter count", "is truncated: it ends inside the parameters")]
    public void A_huge_length_is_a_truncated_file_not_a_crash(string field, string message)
    {
        var bytes = Sample().ToBytes();
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(12));
        var fingerprintAt = 14 + nameLength;
        var fingerprintLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(fingerprintAt));
        var at = field == "fingerprint length" ? fingerprintAt : fingerprintAt + 4 + fingerprintLength + 8 + 4 + 4;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), field == "fingerprint length" ? uint.MaxValue : int.MaxValue);
        var body = bytes[..^32];
        byte[] rehashed = [.. body, .. System.Security.Cryptography.SHA256.HashData(body)];
        Should.Throw<DataFormatException>(() => Checkpoint.Parse(rehashed, "c.scnc")).Message.ShouldBe($"c.scnc: {message}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Class_names_round_trip_in_format_3_and_a_checkpoint_without_them_keeps_its_format(bool adam)
    {
        var network = new Arch1StridedConv();
        network.InitializeParameters(3);
        Optimizer optimizer = adam ? new AdamOptimizer(Arch1StridedConv.ParameterCount) : new SgdOptimizer(Arch1StridedConv.ParameterCount, 0.9f);
        var plain = Checkpoint.Capture(network, 5, seed: 2, optimizer);
        plain.ToBytes()[8].ShouldBe((byte)(adam ? 2 : 1));
        string[] names = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "chat noir"];
        var named = plain with { ClassNames = names };
        var bytes = named.ToBytes();
        bytes[8].ShouldBe((byte)3);
        var copy = Checkpoint.Parse(bytes, "x");
        copy.ClassNames.ShouldBe(names);
        copy.Parameters.ShouldBe(plain.Parameters);
        (copy.Adam is null).ShouldBe(!adam);
        if (adam) copy.Adam!.SecondMoment.ShouldBe(plain.Adam!.SecondMoment);
        else copy.Velocity.ShouldBe(plain.Velocity);
        Checkpoint.Parse(plain.ToBytes(), "x").ClassNames.ShouldBeNull();
    }

    [Fact]
    public void Repeated_class_names_behind_a_good_hash_are_refused()
    {
        var bytes = (Sample() with { ClassNames = ["x", "y"] }).ToBytes();
        bytes[^33] = (byte)'x'; // the last name's only byte: "x", "x"
        var body = bytes[..^32];
        Should.Throw<DataFormatException>(() => Checkpoint.Parse([.. body, .. SHA256.HashData(body)], "f.scnc"))
            .Message.ShouldBe("f.scnc: has class names that cannot be: the class name 'x' appears twice");
    }

    [Fact]
    public void Bad_magic_is_not_a_checkpoint()
        => Should.Throw<DataFormatException>(() => Checkpoint.Parse("PK\u0003\u0004 a zip file"u8, "f.scnc"))
            .Message.ShouldBe("f.scnc: is not a StaticConvNet checkpoint (bad magic number)");

    [Fact]
    public void A_newer_format_is_named()
    {
        var bytes = Sample().ToBytes();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Checkpoint.FormatVersion + 1);
        Should.Throw<DataFormatException>(() => Checkpoint.Parse(bytes, "f.scnc"))
            .Message.ShouldBe($"f.scnc: was written in checkpoint format {Checkpoint.FormatVersion + 1} by a newer StaticConvNet; this one reads format {Checkpoint.FormatVersion}");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(1000)]
    [InlineData(-1)]
    public void Truncation_anywhere_is_detected(int keep)
    {
        var bytes = Sample().ToBytes();
        var cut = keep < 0 ? bytes[..^1] : bytes[..keep];
        Should.Throw<DataFormatException>(() => Checkpoint.Parse(cut, "f.scnc")).Message.ShouldContain("truncated");
    }

    [Fact]
    public void A_flipped_bit_is_detected()
    {
        var bytes = Sample().ToBytes();
        bytes[bytes.Length / 2] ^= 0x10;
        Should.Throw<DataFormatException>(() => Checkpoint.Parse(bytes, "f.scnc"))
            .Message.ShouldBe("f.scnc: is corrupted or truncated: its SHA-256 does not match its contents");
    }

    [Fact]
    public void A_well_formed_file_with_inconsistent_fields_is_refused()
    {
        // Valid hash over a body whose parameter count runs past the end: a hand-made or buggy writer.
        var body = Sample(velocity: false).ToBytes()[..^SHA256.HashSizeInBytes];
        var countOffset = body.Length - 1 - Arch1StridedConv.ParameterCount * 4 - 4;
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(countOffset), Arch1StridedConv.ParameterCount + 10);
        byte[] bytes = [.. body, .. SHA256.HashData(body)];
        Should.Throw<DataFormatException>(() => Checkpoint.Parse(bytes, "f.scnc")).Message.ShouldBe("f.scnc: is truncated: it ends inside the parameters");
    }

    [Fact]
    public void Loading_into_a_different_network_names_both()
    {
        var error = Should.Throw<DataFormatException>(() => Sample().LoadInto(new Arch2ConvPool(), "f.scnc"));
        error.Message.ShouldStartWith("f.scnc: holds weights for 'Arch1StridedConv' (scn2; in 28x28x1; Conv2D filters=16 patch=5 stride=2 padding=same");
        error.Message.ShouldContain("which is not the layer stack of 'Arch2ConvPool'");
    }

    /// <summary>Arch1StridedConv's identity as checkpoints written before fingerprint format 2 carry it.</summary>
    private const string Arch1LegacyFingerprint = "in 28x28x1; conv1 Conv2D 16 filters, 5x5, stride 2, SAME -> 14x14x16; relu1 ReLU max(x, 0) -> 14x14x16; conv2 Conv2D 16 filters, 5x5, stride 2, SAME -> 7x7x16; relu2 ReLU max(x, 0) -> 7x7x16; hidden Dense 64 units -> 1x1x64; relu3 ReLU max(x, 0) -> 1x1x64; logits Dense 10 units -> 1x1x10";

    [Fact]
    public void A_checkpoint_written_before_fingerprint_format_2_still_loads()
    {
        var old = Sample() with { Fingerprint = Arch1LegacyFingerprint };
        var network = new Arch1StridedConv();
        Checkpoint.Parse(old.ToBytes(), "old.scnc").LoadInto(network, "old.scnc");
        network.Parameters.ToArray().ShouldBe(old.Parameters);
        Arch1StridedConv.LayerDescription.LegacyFingerprint.ShouldBe(Arch1LegacyFingerprint);
    }
}
