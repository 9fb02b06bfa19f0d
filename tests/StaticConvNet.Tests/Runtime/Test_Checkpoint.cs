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

    [Fact]
    public void Bad_magic_is_not_a_checkpoint()
        => Should.Throw<DataFormatException>(() => Checkpoint.Parse("PK\u0003\u0004 a zip file"u8, "f.scnc"))
            .Message.ShouldBe("f.scnc: is not a StaticConvNet checkpoint (bad magic number)");

    [Fact]
    public void A_newer_format_is_named()
    {
        var bytes = Sample().ToBytes();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        Should.Throw<DataFormatException>(() => Checkpoint.Parse(bytes, "f.scnc"))
            .Message.ShouldBe("f.scnc: was written in checkpoint format 2 by a newer StaticConvNet; this one reads format 1");
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
