using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Data;

/// <summary>The notebook pickle reader: the real shared files, and every way a pickle can be bad or hostile.</summary>
public class Test_Pickle
{
    private static string Shared(string name) => Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", "pickles", name);

    private static string Write(Scn.TempFolder folder, byte[] bytes, string name = "x.pickle")
    {
        File.WriteAllBytes(folder[name], bytes);
        return folder[name];
    }

    [Fact]
    public void Reads_the_python2_protocol2_notebook_pickle()
    {
        var splits = NotebookPickle.Load(Shared("udacity-protocol2-small.pickle"));
        splits.Train.Count.ShouldBe(100);
        splits.Valid!.Count.ShouldBe(100);
        splits.Test!.Count.ShouldBe(100);
        splits.Train.Height.ShouldBe(28);
        splits.Train.Images.Min().ShouldBe(-0.5f);
        splits.Train.Images.Max().ShouldBe(0.5f);
        splits.Train.Labels.ShouldAllBe(l => l >= 0 && l <= 9);
    }

    [Fact]
    public void Labels_out_of_range_are_an_error_naming_split_and_index()
        => Should.Throw<DataFormatException>(() => NotebookPickle.Load(Shared("udacity-protocol4-badlabels.pickle")))
            .Message.ShouldEndWith("udacity-protocol4-badlabels.pickle: 'train_labels' index 332 is 108, outside 0..9 (pass --drop-bad-labels to drop such rows)");

    [Fact]
    public void Bad_label_rows_can_be_dropped_and_are_reported()
    {
        var splits = NotebookPickle.Load(Shared("udacity-protocol4-badlabels.pickle"), dropBadRows: true);
        splits.Train.Count.ShouldBe(820);
        splits.Notes.ShouldBe(["train: dropped 3 rows with labels outside 0..9"]);
    }

    [Fact]
    public void A_pickle_written_here_round_trips()
    {
        using var folder = new Scn.TempFolder();
        var splits = NotebookPickle.Load(Write(folder, PickleBuilder.Notebook(12, pixel: i => (i % 7) / 14f)));
        splits.Train.Count.ShouldBe(12);
        splits.Train.Labels.ShouldBe([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
        splits.Train.Images[3].ShouldBe(3 / 14f);
        splits.Valid.ShouldBeNull();
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    public void A_global_other_than_numpy_reconstruction_is_refused_before_anything_runs(string module, string name)
    {
        using var folder = new Scn.TempFolder();
        var marker = folder["pwned"];
        // The classic exploit: GLOBAL os.system, then REDUCE with a shell command.
        var hostile = new PickleBuilder().Protocol(2).Global(module, name).Mark().Unicode($"touch {marker}").Tuple().Reduce().Stop().ToArray();
        var error = Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, hostile)));
        error.Message.ShouldContain($"names the Python global {module}.{name}");
        error.Message.ShouldContain("refused");
        File.Exists(marker).ShouldBeFalse();
    }

    [Fact]
    public void A_stack_global_is_checked_like_a_global()
    {
        using var folder = new Scn.TempFolder();
        var hostile = new PickleBuilder().Protocol(4).Unicode("posix").Unicode("system").Op(0x93).Stop().ToArray();
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, hostile))).Message.ShouldContain("posix.system");
    }

    [Fact]
    public void Reduce_on_an_allowed_global_with_unexpected_arguments_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var odd = new PickleBuilder().Protocol(2).Global("_codecs", "encode").Mark().Unicode("x").Unicode("rot13").Tuple().Reduce().Stop().ToArray();
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, odd))).Message.ShouldContain("calls _codecs.encode with arguments this reader does not accept");
    }

    [Fact]
    public void An_opcode_a_notebook_pickle_never_uses_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var inst = new PickleBuilder().Protocol(2).Mark().Text("i").Text("os\nsystem\n").Stop().ToArray(); // INST
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, inst))).Message.ShouldContain("uses pickle opcode 0x69 ('i')");
    }

    [Theory]
    [InlineData("f8", "'train_dataset' is a f8 array of shape (4, 28, 28); expected float32 (N, 28, 28)")]
    public void Wrong_dtype_is_an_error(string dtype, string message)
    {
        using var folder = new Scn.TempFolder();
        var bytes = new PickleBuilder().Protocol(2).Op((byte)'}').Mark()
            .Unicode("train_dataset").Array(dtype, [4, 28, 28], new byte[4 * 784 * 8])
            .Unicode("train_labels").Array("i8", [4], PickleBuilder.Int64s([0, 1, 2, 3]))
            .Op((byte)'u').Stop().ToArray();
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes))).Message.ShouldEndWith(message);
    }

    [Fact]
    public void Wrong_shape_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var bytes = PickleBuilder.Notebook(4, shape: [4, 784]);
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes))).Message.ShouldEndWith("'train_dataset' is a f4 array of shape (4, 784); expected float32 (N, 28, 28)");
    }

    /// <summary>A shape whose element count overflows a 64-bit product (16 · 2^30 · 2^30 = 2^64, which wrapped to 0)
    /// is refused from the shape, before any data is looked at.</summary>
    [Fact]
    public void A_shape_whose_product_would_wrap_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var bytes = PickleBuilder.Notebook(16, shape: [16, 1 << 30, 1 << 30]);
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes)))
            .Message.ShouldEndWith("holds an array of shape (16, 1073741824, 1073741824): 1.84E+19 elements, more than any array holds");
    }

    [Fact]
    public void Popping_below_an_open_mark_is_malformed_not_a_crash()
    {
        using var folder = new Scn.TempFolder();
        // PROTO 2, NONE, NONE, MARK, TUPLE2 (pops both, below the mark), TUPLE (closes the mark), STOP.
        byte[] bytes = [0x80, 2, (byte)'N', (byte)'N', (byte)'(', 0x86, (byte)'t', (byte)'.'];
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes))).Message.ShouldEndWith("is malformed: it popped below an open mark");
    }

    [Fact]
    public void NaN_and_infinity_are_errors()
    {
        using var folder = new Scn.TempFolder();
        var bytes = PickleBuilder.Notebook(3, pixel: i => i == 900 ? float.NaN : 0f);
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes))).Message.ShouldEndWith("'train_dataset' image 1 holds NaN; images must be finite");
    }

    [Fact]
    public void A_truncated_pickle_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var bytes = PickleBuilder.Notebook(3);
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes[..(bytes.Length - 100)]))).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Something_that_is_not_a_dict_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var bytes = new PickleBuilder().Protocol(2).Unicode("hello").Stop().ToArray();
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes))).Message.ShouldContain("does not hold a dict");
    }

    [Fact]
    public void A_dict_that_contains_itself_is_refused()
    {
        using var folder = new Scn.TempFolder();
        // PROTO 2, EMPTY_DICT, BINPUT 0, BININT1 1, BINGET 0, SETITEM (d[1] = d), STOP: ten bytes.
        byte[] bytes = [0x80, 2, (byte)'}', (byte)'q', 0, (byte)'K', 1, (byte)'h', 0, (byte)'s', (byte)'.'];
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, bytes))).Message.ShouldEndWith("holds a dict or tuple that contains itself");
    }

    [Fact]
    public void Nesting_too_deep_to_walk_is_refused()
    {
        using var folder = new Scn.TempFolder();
        // None wrapped in a one-tuple (TUPLE1) 100,000 times over: a walk of one frame a level would overflow the stack.
        var builder = new PickleBuilder().Protocol(2).None();
        for (var i = 0; i < 100_000; i++) builder.Op(0x85);
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, builder.Stop().ToArray())))
            .Message.ShouldEndWith("nests dicts and tuples more than 64 deep");
    }

    [Fact]
    public void A_dict_the_file_refers_to_many_times_is_read_once()
    {
        using var folder = new Scn.TempFolder();
        // Level i is {'a': level i − 1, 'b': level i − 1}, recalled from the memo: 2^50 paths to the innermost dict, so
        // this finishes only if each dict is read once.
        var builder = new PickleBuilder().Protocol(2).Op((byte)'}').Op((byte)'q').Op(0);
        for (byte level = 1; level <= 50; level++)
        {
            builder.Op((byte)'}').Mark().Unicode("a").Op((byte)'h').Op((byte)(level - 1)).Unicode("b").Op((byte)'h').Op((byte)(level - 1))
                .Op((byte)'u').Op((byte)'q').Op(level);
        }
        Should.Throw<DataFormatException>(() => NotebookPickle.Load(Write(folder, builder.Stop().ToArray())))
            .Message.ShouldContain("'train_dataset'");
    }
}
