using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Cli;

/// <summary>scn data inspect and convert, and training from every source format.</summary>
public class Test_DataCommands
{
    private static string Shared(string name) => Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", name);

    [Fact]
    public void Inspect_reports_counts_skipped_files_duplicates_and_overlap()
    {
        var run = Scn.Run("data", "inspect", Shared("notMNIST_small-part.tar.gz"));
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain("images 28x28 grayscale");
        run.Output.ShouldContain("9,422");
        run.Output.ShouldContain("duplicates within split");
        run.Output.ShouldContain("also in train");
        run.Output.ShouldContain("skipped 2 unreadable file(s)");
        run.Output.ShouldContain("RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png");
    }

    [Fact]
    public void Convert_writes_IDX_files_that_load_back_identically()
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("data", "convert", Shared("pickles/udacity-protocol2-small.pickle"), "--out", folder.Path);
        run.ExitCode.ShouldBe(0, run.Error);
        var converted = DataSources.Load(folder.Path);
        var original = NotebookPickle.Load(Shared("pickles/udacity-protocol2-small.pickle"));
        converted.Train.Labels.ShouldBe(original.Train.Labels);
        converted.Test!.Count.ShouldBe(100);
        converted.Train.Images.Zip(original.Train.Images).ShouldAllBe(p => Math.Abs(p.First - p.Second) <= 0.5f / 255f);
        // The pickle is notMNIST's: its letters go into classes.txt; IDX files without one name no classes.
        converted.ClassNames.ShouldBe(LabelNames.Letters);
        File.Delete(Path.Combine(folder.Path, DataSources.ClassNamesFile));
        DataSources.Load(folder.Path).ClassNames.ShouldBeNull();
    }

    /// <summary>An image folder of the user's own classes: inspect names them; convert keeps them in classes.txt,
    /// which loading the IDX folder reads back; colour images, which IDX cannot hold, are refused in one line.</summary>
    [Fact]
    public void Image_folders_are_inspected_and_converted_with_their_class_names()
    {
        using var folder = new Scn.TempFolder();
        foreach (var (name, shade) in new[] { ("cat", (byte)40), ("dog", (byte)200) })
        {
            Directory.CreateDirectory(folder[$"grey/{name}"]);
            Directory.CreateDirectory(folder[$"colour/{name}"]);
            for (var i = 0; i < 4; i++)
            {
                TestImages.WritePng(folder[$"grey/{name}/{i}.png"], 10, 8, (byte)(shade + i));
                TestImages.WriteColour(folder[$"colour/{name}/{i}.jpg"], 10, 8, (x, y) => (shade, 0, 0));
            }
        }
        var inspect = Scn.Run("data", "inspect", folder["colour"], "--valid-fraction", "0.5");
        inspect.ExitCode.ShouldBe(0, inspect.Error);
        inspect.Output.ShouldContain($"image folder {folder["colour"]}: images 8x10x3, 2 classes");
        inspect.Output.ShouldMatch(@"│ cat\s+│\s+2 │\s+2 │");

        // Into a folder an earlier convert filled with train, valid and test: this source has no test split, so the
        // earlier one goes rather than be read as this data's.
        Scn.Run("data", "convert", Shared("pickles/udacity-protocol2-small.pickle"), "--out", folder["idx"]).ExitCode.ShouldBe(0);
        var convert = Scn.Run("data", "convert", folder["grey"], "--valid-fraction", "0.5", "--out", folder["idx"]);
        convert.ExitCode.ShouldBe(0, convert.Error);
        convert.Output.ShouldContain("wrote classes.txt: cat, dog");
        convert.Output.ShouldContain("removed test: the source has no test split");
        var loaded = DataSources.Load(folder["idx"]);
        loaded.Test.ShouldBeNull();
        loaded.ClassNames.ShouldBe(["cat", "dog"]);
        (loaded.Train.Height, loaded.Train.Width).ShouldBe((8, 10));

        Scn.Run("data", "convert", folder["colour"], "--valid-fraction", "0.5", "--out", folder["idx2"])
            .ShouldBeCleanError($"image folder {folder["colour"]} has 3-channel images; IDX files hold one value a pixel (train on the image folder itself)");
    }

    [Fact]
    public void More_classes_than_an_IDX_label_byte_holds_are_refused_before_writing()
    {
        using var folder = new Scn.TempFolder();
        for (var c = 0; c < 257; c++)
        {
            Directory.CreateDirectory(folder[$"many/c{c:000}"]);
            for (var i = 0; i < 2; i++) TestImages.WritePng(folder[$"many/c{c:000}/{i}.png"], 4, 4, (byte)(c + i));
        }
        Scn.Run("data", "convert", folder["many"], "--valid-fraction", "0.5", "--out", folder["idx"])
            .ShouldBeCleanError($"image folder {folder["many"]} has 257 classes; IDX label files hold one byte per label, so at most 256 (train on the source itself)");
        Directory.Exists(folder["idx"]).ShouldBeFalse();
    }

    [Fact]
    public void A_bad_pickle_fails_convert_cleanly_and_writes_nothing()
    {
        using var folder = new Scn.TempFolder();
        Scn.Run("data", "convert", Shared("pickles/udacity-protocol4-badlabels.pickle"), "--out", folder["out"])
            .ShouldBeCleanError("'train_labels' index 332 is 108");
        Directory.Exists(folder["out"]).ShouldBeFalse();
    }

    [Fact]
    public void Training_reads_a_tarball_and_a_pickle()
    {
        using var folder = new Scn.TempFolder();
        var tar = Scn.Run("train", "arch1", "--data", Shared("notMNIST_small-part.tar.gz"), "--steps", "20", "--out", folder["t"]);
        tar.ExitCode.ShouldBe(0, tar.Error);
        tar.Output.ShouldContain("skipped ");
        tar.Output.ShouldContain("validating on 1,046");
        var pickle = Scn.Run("train", "arch1", "--data", Shared("pickles/udacity-protocol4-badlabels.pickle"), "--drop-bad-labels", "--steps", "20", "--out", folder["p"]);
        pickle.ExitCode.ShouldBe(0, pickle.Error);
        pickle.Output.ShouldContain("note: train: dropped 3 rows with labels outside 0..9");
    }
}
