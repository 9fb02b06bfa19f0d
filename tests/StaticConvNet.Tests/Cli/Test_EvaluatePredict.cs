using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Cli;

/// <summary>scn evaluate and scn predict on a checkpoint trained for the purpose, and their refusals.</summary>
public class Test_EvaluatePredict : IClassFixture<Test_EvaluatePredict.TrainedCheckpoint>
{
    public sealed class TrainedCheckpoint : IDisposable
    {
        public Scn.TempFolder Folder { get; } = new();
        public string Path => Folder["checkpoint.scnc"];

        public TrainedCheckpoint()
            => Scn.Run("train", "arch1", "--steps", "150", "--eval-every", "0", "--out", Folder.Path).ExitCode.ShouldBe(0);

        public void Dispose() => Folder.Dispose();
    }

    private readonly TrainedCheckpoint _trained;

    public Test_EvaluatePredict(TrainedCheckpoint trained) => _trained = trained;

    private static string Shared(string name) => System.IO.Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", name);

    [Fact]
    public void Evaluate_prints_accuracy_and_a_confusion_matrix_of_letters()
    {
        var run = Scn.Run("evaluate", "--checkpoint", _trained.Path,
            "--images", Shared("valid-images-idx3-ubyte.gz"), "--labels", Shared("valid-labels-idx1-ubyte.gz"));
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain("accuracy");
        run.Output.ShouldContain("of 2,000 images");
        run.Output.ShouldContain("confusion matrix");
        run.Output.ShouldContain(" J ");
    }

    /// <summary>A checkpoint that names no classes, evaluated on data with more classes than the network has outputs:
    /// one line, not an IndexOutOfRangeException's stack trace from the confusion matrix.</summary>
    [Fact]
    public void Evaluate_refuses_data_with_more_classes_than_the_network()
    {
        using var folder = new Scn.TempFolder();
        (Checkpoint.Load(_trained.Path) with { ClassNames = null }).Save(folder["nameless.scnc"]);
        for (var c = 0; c < 11; c++)
        {
            Directory.CreateDirectory(folder[$"eleven/c{c:00}"]);
            for (var i = 0; i < 2; i++) TestImages.WritePng(folder[$"eleven/c{c:00}/{i}.png"], 28, 28, (byte)(c * 20 + i));
        }
        Scn.Run("evaluate", "--checkpoint", folder["nameless.scnc"], "--data", folder["eleven"], "--split", "train")
            .ShouldBeCleanError("has labels up to 10, but Arch1StridedConv has 10 classes (labels 0..9)");
    }

    [Fact]
    public void Predict_writes_one_row_per_image_in_input_order()
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("predict", "--checkpoint", _trained.Path, "--input", Shared("valid-images-idx3-ubyte.gz"), "--output", folder["p.csv"]);
        run.ExitCode.ShouldBe(0, run.Error);
        var rows = File.ReadAllLines(folder["p.csv"]);
        rows[0].ShouldBe("index,source,label,class,confidence");
        rows.Length.ShouldBe(2001);
        rows.Skip(1).Select((r, i) => int.Parse(r.Split(',')[0])).ShouldBe(Enumerable.Range(0, 2000));
        rows[1].Split(',')[1].ShouldBe("valid-images-idx3-ubyte.gz#0");
        rows.Skip(1).ShouldAllBe(r => r.Split(',')[3].Length == 1 && r.Split(',')[3][0] >= 'A' && r.Split(',')[3][0] <= 'J');
    }

    [Fact]
    public void Evaluate_and_predict_read_every_source_train_reads_and_draw_the_pictures()
    {
        using var folder = new Scn.TempFolder();
        var pickle = Shared("pickles/udacity-protocol2-small.pickle");
        var evaluate = Scn.Run("evaluate", "--checkpoint", _trained.Path, "--data", pickle, "--split", "test", "--plots", folder["plots"]);
        evaluate.ExitCode.ShouldBe(0, evaluate.Error);
        evaluate.Output.ShouldContain($"images of notebook pickle {pickle}, test)");
        Scn.ShouldBeAPicture(folder["plots/confusion.png"], 570, 590);
        var mistakes = int.Parse(System.Text.RegularExpressions.Regex.Match(evaluate.Output, @"\((\d+) of 100 images").Groups[1].Value) is var right ? 100 - right : 0;
        Scn.ShouldBeAPicture(folder["plots/mistakes.png"], 810, 62 + Math.Max(1, (Math.Min(mistakes, 40) + 7) / 8) * 112);

        var tarball = Scn.Run("evaluate", "--checkpoint", _trained.Path, "--data", Shared("notMNIST_small-part.tar.gz"));
        tarball.ExitCode.ShouldBe(0, tarball.Error);
        tarball.Output.ShouldContain("skipped "); // the archive's two corrupt files, reported, not fatal

        var predict = Scn.Run("predict", "--checkpoint", _trained.Path, "--data", pickle, "--split", "valid", "--output", folder["p.csv"]);
        predict.ExitCode.ShouldBe(0, predict.Error);
        File.ReadAllLines(folder["p.csv"])[1].ShouldStartWith("0,valid#0,");

        Scn.Run("evaluate", "--checkpoint", _trained.Path, "--data", Shared("notMNIST_small-part.tar.gz"), "--split", "test")
            .ShouldBeCleanError("has no test split");
        Scn.Run("predict", "--checkpoint", _trained.Path).ShouldBeCleanError("give --input (images) or --data (a data source), one of them");
    }

    [Fact]
    public void Evaluate_and_predict_on_the_ilgpu_device_give_the_cpu_devices_answers()
    {
        // 40 validation images: ILGPU's CPU accelerator simulates every GPU thread, so the whole split would be slow.
        using var folder = new Scn.TempFolder();
        var valid = StaticConvNet.IdxReader.Load(Shared("valid-images-idx3-ubyte.gz"), Shared("valid-labels-idx1-ubyte.gz"));
        var few = new StaticConvNet.Dataset(valid.Images[..(40 * valid.ImageLength)], valid.Labels[..40], valid.Height, valid.Width);
        StaticConvNet.Data.IdxWriter.Write(few, folder["i.gz"], folder["l.gz"]);
        string[] Evaluate(string device)
        {
            var run = Scn.Run("evaluate", "--checkpoint", _trained.Path, "--images", folder["i.gz"], "--labels", folder["l.gz"], "--device", device);
            run.ExitCode.ShouldBe(0, run.Error);
            return run.Output.Split('\n');
        }
        Evaluate("ilgpu-cpu").ShouldBe(Evaluate("cpu"));

        string[][] Predict(string device)
        {
            var run = Scn.Run("predict", "--checkpoint", _trained.Path, "--input", folder["i.gz"], "--output", folder[$"{device}.csv"], "--device", device);
            run.ExitCode.ShouldBe(0, run.Error);
            return File.ReadAllLines(folder[$"{device}.csv"]).Skip(1).Select(row => row.Split(',')).ToArray();
        }
        var (cpu, gpu) = (Predict("cpu"), Predict("ilgpu-cpu"));
        gpu.Length.ShouldBe(40);
        for (var i = 0; i < cpu.Length; i++)
        {
            gpu[i][..4].ShouldBe(cpu[i][..4]);
            double.Parse(gpu[i][4], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(double.Parse(cpu[i][4], System.Globalization.CultureInfo.InvariantCulture), 1e-4);
        }
    }

    [Fact]
    public void Predict_skips_and_reports_bad_pngs_in_a_folder_and_names_each_image_by_its_file()
    {
        using var folder = new Scn.TempFolder();
        Directory.CreateDirectory(folder["in/sub"]);
        TestImages.WritePng(folder["in/b.png"], 28, 28);
        TestImages.WritePng(folder["in/sub/a.png"], 28, 28);
        File.WriteAllText(folder["in/broken.png"], "not a png");
        TestImages.WritePng(folder["in/wide.png"], 32, 28);
        File.CreateSymbolicLink(folder["in/zero.png"], "/dev/zero");
        var run = Scn.Run("predict", "--checkpoint", _trained.Path, "--input", folder["in"], "--output", folder["p.csv"]);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Error.ShouldContain($"skipped {folder["in/broken.png"]}: is not a readable image");
        run.Error.ShouldContain($"skipped {folder["in/wide.png"]}: is 32x28 pixels");
        run.Error.ShouldContain($"skipped {folder["in/zero.png"]}: is a symbolic link (to /dev/zero)");
        run.Output.ShouldContain("Wrote 2 predictions");
        File.ReadAllLines(folder["p.csv"]).Skip(1).Select(r => r.Split(',')[1]).ShouldBe(["b.png", "sub/a.png"]);
    }

    [Fact]
    public void Predict_without_output_prints_each_prediction()
    {
        using var folder = new Scn.TempFolder();
        var png = TestImages.WritePng(folder["letter.png"], 28, 28);
        var run = Scn.Run("predict", "--checkpoint", _trained.Path, "--input", png);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.Trim().ShouldMatch(@"^letter\.png\t[A-J]\t\d+\.\d %$");
    }

    [Fact]
    public void Predict_reads_a_png_file()
    {
        using var folder = new Scn.TempFolder();
        var png = TestImages.WritePng(folder["letter.png"], 28, 28);
        var run = Scn.Run("predict", "--checkpoint", _trained.Path, "--input", png, "--output", folder["p.csv"]);
        run.ExitCode.ShouldBe(0, run.Error);
        File.ReadAllLines(folder["p.csv"]).Length.ShouldBe(2);
    }

    [Fact]
    public void A_png_of_the_wrong_size_is_refused_naming_the_file()
    {
        using var folder = new Scn.TempFolder();
        var png = TestImages.WritePng(folder["big.png"], 32, 28);
        Scn.Run("predict", "--checkpoint", _trained.Path, "--input", png, "--output", folder["p.csv"])
            .ShouldBeCleanError("big.png: is 32x28 pixels; the network takes 28x28 (--resize scales images to it)");
        File.Exists(folder["p.csv"]).ShouldBeFalse("nothing is written on error");
        var resized = Scn.Run("predict", "--checkpoint", _trained.Path, "--input", png, "--resize");
        resized.ExitCode.ShouldBe(0, resized.Error);
        resized.Output.Trim().ShouldMatch(@"^big\.png\t[A-J]\t\d+\.\d %$");
    }

    [Fact]
    public void Paths_that_cannot_be_what_the_option_needs_are_one_line_each()
    {
        using var folder = new Scn.TempFolder();
        File.WriteAllText(folder["file"], "x");
        Scn.Run("train", "arch1", "--steps", "1", "--out", folder["file"]).ShouldBeCleanError($"--out {folder["file"]} is a file; it must be a folder");
        Scn.Run("train", "arch1", "--steps", "1", "--out", "/proc/scn-run").ShouldBeCleanError("--out /proc/scn-run: cannot create the folder");
        Scn.Run("evaluate", "--checkpoint", folder.Path).ShouldBeCleanError($"{folder.Path}: is a folder, not a checkpoint file");
        Scn.Run("predict", "--checkpoint", _trained.Path, "--input", Shared("valid-images-idx3-ubyte.gz"), "--output", _trained.Path)
            .ShouldBeCleanError("is also an input of this command; writing it would destroy that input");
        Checkpoint.Load(_trained.Path).StepsDone.ShouldBe(150, "the checkpoint is untouched");
        Scn.Run("predict", "--checkpoint", _trained.Path, "--input", Shared("valid-images-idx3-ubyte.gz"), "--output", folder.Path)
            .ShouldBeCleanError($"--output {folder.Path} is a folder; it must be a file");
        Scn.Run("export-weights", "--checkpoint", _trained.Path, "--output", folder["missing/w.scnw"])
            .ShouldBeCleanError("its folder");
    }

    [Fact]
    public void Evaluating_no_images_is_an_error_not_accuracy_NaN()
    {
        using var folder = new Scn.TempFolder();
        File.WriteAllBytes(folder["i"], [0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28]);
        File.WriteAllBytes(folder["l"], [0, 0, 8, 1, 0, 0, 0, 0]);
        var run = Scn.Run("evaluate", "--checkpoint", _trained.Path, "--images", folder["i"], "--labels", folder["l"]);
        run.ExitCode.ShouldBe(1);
        run.Error.ShouldStartWith("error: ");
        run.Error.ShouldNotContain("NaN");
        run.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var bytes = File.ReadAllBytes(_trained.Path);
        File.WriteAllBytes(folder["cut.scnc"], bytes[..(bytes.Length / 2)]);
        Scn.Run("evaluate", "--checkpoint", folder["cut.scnc"]).ShouldBeCleanError("cut.scnc: is corrupted or truncated");
    }

    [Fact]
    public void A_checkpoint_of_another_network_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var checkpoint = Checkpoint.Load(_trained.Path);
        // Same name, different layer stack: as if the class had been edited since the checkpoint was written.
        (checkpoint with { Fingerprint = checkpoint.Fingerprint.Replace("filters=16", "filters=32") }).Save(folder["edited.scnc"]);
        Scn.Run("evaluate", "--checkpoint", folder["edited.scnc"]).ShouldBeCleanError("which is not the layer stack of 'Arch1StridedConv'");
    }
}
