using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using StaticConvNet.Data;
using StaticConvNet.Interop;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Interop;

/// <summary>Weights from the notebook (np.savez, TensorFlow layout) come in exactly, and bad files are named.</summary>
public class Test_NotebookWeights
{
    /// <summary>An .npz as NumPy writes it: a zip of .npy files (format 1.0, little-endian, C order).</summary>
    internal static void WriteNpz(string path, IEnumerable<(string Name, long[] Shape, float[] Values, string Descr)> arrays)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, shape, values, descr) in arrays)
        {
            using var stream = zip.CreateEntry(name + ".npy").Open();
            var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
            var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
            header = header.PadRight((header.Length + 10 + 63) / 64 * 64 - 10 - 1) + "\n";
            stream.Write([0x93, .. "NUMPY"u8, 1, 0]);
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length);
            stream.Write(Encoding.ASCII.GetBytes(header));
            foreach (var v in values)
            {
                if (descr == "<f8") { var b = new byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(b, v); stream.Write(b); }
                else { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); stream.Write(b); }
            }
        }
    }

    /// <summary>Every parameter layer of <paramref name="network"/> as notebook arrays.</summary>
    internal static List<(string, long[], float[], string)> ArraysOf(IConvNet network, string descr = "<f4")
    {
        var p = network.Parameters.ToArray();
        return network.Description.Layers.OfType<ParameterizedLayer>().SelectMany(l => new[]
        {
            ($"{l.Name}_weights", l.WeightShape.Select(d => (long)d).ToArray(), p.AsSpan(l.ParameterOffset, l.WeightCount).ToArray(), descr),
            ($"{l.Name}_biases", new long[] { l.BiasCount }, p.AsSpan(l.BiasOffset, l.BiasCount).ToArray(), descr),
        }).ToList();
    }

    [Theory]
    [InlineData("<f4")]
    [InlineData("<f8")]
    public void Notebook_arrays_import_exactly(string descr)
    {
        using var folder = new Scn.TempFolder();
        var trained = new Arch4LeNet();
        trained.InitializeParameters(9);
        WriteNpz(folder["w.npz"], ArraysOf(trained, descr));
        var imported = new Arch4LeNet();
        NotebookWeights.Import(folder["w.npz"], imported);
        imported.Parameters.ToArray().ShouldBe(trained.Parameters.ToArray());
    }

    [Fact]
    public void The_CLI_imports_into_a_checkpoint_that_evaluates()
    {
        using var folder = new Scn.TempFolder();
        var trained = new Arch2ConvPool();
        trained.InitializeParameters(4);
        WriteNpz(folder["w.npz"], ArraysOf(trained));
        var run = Scn.Run("import", "arch2", "--npz", folder["w.npz"], "--out", folder["out"]);
        run.ExitCode.ShouldBe(0, run.Error);
        Checkpoint.Load(folder["out/checkpoint.scnc"]).Parameters.ShouldBe(trained.Parameters.ToArray());
        File.ReadAllText(folder["out/arch2.scnw"]).ShouldStartWith(WeightsFile.Header);
        Scn.Run("evaluate", "--checkpoint", folder["out/checkpoint.scnc"]).ExitCode.ShouldBe(0);

        // Not over a run without --overwrite, which replaces the whole run (no old metrics beside the new weights).
        File.WriteAllText(folder["out/metrics.csv"], "step\n");
        Scn.Run("import", "arch2", "--npz", folder["w.npz"], "--out", folder["out"]).ShouldBeCleanError(
            $"{folder["out"]} already holds a run (checkpoint.scnc, metrics.csv, arch2.scnw): import into another --out, or replace it with --overwrite");
        Scn.Run("import", "arch2", "--npz", folder["w.npz"], "--out", folder["out"], "--overwrite").ExitCode.ShouldBe(0);
        File.Exists(folder["out/metrics.csv"]).ShouldBeFalse();
        File.Exists(folder["out/checkpoint.scnc"]).ShouldBeTrue();
    }

    [Fact]
    public void An_entry_that_inflates_past_what_the_network_needs_is_refused_in_bounded_memory()
    {
        using var folder = new Scn.TempFolder();
        // 400 MB of zeros after a valid header: a few hundred KB compressed; arch2's arrays need under 0.5 MB as float64.
        using (var zip = ZipFile.Open(folder["w.npz"], ZipArchiveMode.Create))
        using (var stream = zip.CreateEntry("conv1_weights.npy", CompressionLevel.Optimal).Open())
        {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000,), }".PadRight(117) + "\n";
            stream.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0]);
            stream.Write(Encoding.ASCII.GetBytes(header));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 400; i++) stream.Write(zeros);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => NotebookWeights.Import(folder["w.npz"], new Arch2ConvPool()))
            .Message.ShouldBe($"{folder["w.npz"]}:conv1_weights.npy: inflates past {Arch2ConvPool.ParameterCount * 8L + 65536:N0} bytes, more than any array of this network's takes");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L << 20);
    }

    [Theory]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0, 0 }, "is truncated in its header")]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0, 0, 0, 0x80 }, "is truncated in its header")]
    public void A_version_2_header_cut_short_or_claiming_gigabytes_is_one_line(byte[] npy, string message)
    {
        using var folder = new Scn.TempFolder();
        using (var zip = ZipFile.Open(folder["w.npz"], ZipArchiveMode.Create))
        using (var stream = zip.CreateEntry("conv1_weights.npy").Open()) stream.Write(npy);
        Should.Throw<DataFormatException>(() => NotebookWeights.Import(folder["w.npz"], new Arch2ConvPool()))
            .Message.ShouldBe($"{folder["w.npz"]}:conv1_weights.npy: {message}");
    }

    [Theory]
    [InlineData("missing", "has no array 'hidden_biases'")]
    [InlineData("shape", "array 'conv1_weights' has shape (5, 5, 16, 1), but the layer needs (5, 5, 1, 16)")]
    [InlineData("extra", "has arrays conv9_weights that match no layer of Arch2ConvPool")]
    [InlineData("dtype", "has dtype <i4; expected little-endian float32 (<f4) or float64 (<f8)")]
    public void Bad_notebook_files_are_refused_with_the_array_named(string problem, string message)
    {
        using var folder = new Scn.TempFolder();
        var network = new Arch2ConvPool();
        var arrays = ArraysOf(network);
        switch (problem)
        {
            case "missing": arrays.RemoveAll(a => a.Item1 == "hidden_biases"); break;
            case "shape": arrays[0] = (arrays[0].Item1, [5, 5, 16, 1], arrays[0].Item3, "<f4"); break;
            case "extra": arrays.Add(("conv9_weights", [1], [0f], "<f4")); break;
            default: arrays[1] = (arrays[1].Item1, arrays[1].Item2, arrays[1].Item3, "<i4"); break;
        }
        WriteNpz(folder["w.npz"], arrays);
        Should.Throw<DataFormatException>(() => NotebookWeights.Import(folder["w.npz"], new Arch2ConvPool())).Message.ShouldContain(message);
    }

    /// <summary>A .npy header whose shape is not numbers, or numbers too large, is one line from the CLI (it was a
    /// FormatException's stack trace).</summary>
    [Theory]
    [InlineData("(16, x)", "conv1_weights.npy: has shape (16, x) in its header: 'x' is not a dimension")]
    [InlineData("(4294967296, 2)", "'4294967296' is not a dimension")]
    [InlineData("(2147483647, 2147483647)", "more values than any array holds")]
    public void A_header_shape_that_is_not_a_shape_is_one_line(string shape, string message)
    {
        using var folder = new Scn.TempFolder();
        using (var zip = ZipFile.Open(folder["w.npz"], ZipArchiveMode.Create))
        using (var stream = zip.CreateEntry("conv1_weights.npy").Open())
        {
            var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}".PadRight(117) + "\n";
            stream.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0]);
            stream.Write(Encoding.ASCII.GetBytes(header));
        }
        Scn.Run("import", "arch2", "--npz", folder["w.npz"], "--out", folder["out"]).ShouldBeCleanError(message);
    }
}
