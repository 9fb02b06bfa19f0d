using StaticConvNet.Data;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Samples;

/// <summary>samples/ColourShapes: a user's own colour images in class folders (PNG and JPEG, 40x40), their class names
/// through training, evaluation, prediction and the weights file, from C# and through scn. The data is drawn once for
/// the class (2,400 small files, about a second).</summary>
public sealed class Test_ColourShapes : IDisposable
{
    private static string Root => GeneratorHarness.RepositoryRoot();
    private static string SampleAssembly => Path.Combine(Root, "samples", "ColourShapes", "bin", Processes.Configuration, "net10.0", "ColourShapes.dll");
    private static readonly string[] Shapes = ["circle", "cross", "square", "triangle"];

    private readonly Scn.TempFolder _folder = new();
    private string Data => _folder["shapes"];

    public Test_ColourShapes()
    {
        var make = Processes.Run("dotnet", [SampleAssembly, "make", Data], Root);
        make.ExitCode.ShouldBe(0, make.Output + make.Error);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_sample_draws_class_folders_and_trains_on_them_from_code()
    {
        foreach (var shape in Shapes)
        {
            Directory.GetFiles(Path.Combine(Data, "train", shape), "*.png").Length.ShouldBe(250);
            Directory.GetFiles(Path.Combine(Data, "train", shape), "*.jpg").Length.ShouldBe(250);
        }
        var run = Processes.Run("dotnet", [SampleAssembly, "train", Data, _folder["run"]], Root);
        run.ExitCode.ShouldBe(0, run.Output + run.Error);
        run.Output.ShouldContain("2000 training images of circle, cross, square, triangle");
        run.Output.ShouldMatch(@"validation image 0 is a circle; ShapeNet says (circle|cross|square|triangle)");
        Checkpoint.Load(_folder["run/checkpoint.scnc"]).ClassNames.ShouldBe(Shapes);
        File.ReadAllText(_folder["run/ShapeNet.scnw"]).ShouldContain("classes: 4\nclass 0: circle\nclass 1: cross\nclass 2: square\nclass 3: triangle\n");
        // The shapes are easy (98.5 % here): a network that learned nothing would sit at 25 %.
        var accuracy = File.ReadAllLines(_folder["run/metrics.csv"]).Last(l => l.Split(',') is { Length: 5 } f && f[4].Length > 0).Split(',')[4];
        double.Parse(accuracy, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0.9);
    }

    [Fact]
    public void Scn_trains_evaluates_predicts_and_exports_with_the_folders_class_names()
    {
        var size = Scn.Run("train", "ShapeNet", "--assembly", SampleAssembly, "--data", Data, "--steps", "5", "--out", _folder["refused"]);
        size.ShouldBeCleanError($"{Path.Combine(Data, "train", "circle", "circle-0000.png")}: is 40x40 pixels; the network takes 32x32 (--resize scales images to it)");

        var train = Scn.Run("train", "ShapeNet", "--assembly", SampleAssembly, "--data", Data, "--resize", "--optimizer", "adam", "--learning-rate", "0.002",
            "--shift", "3", "--steps", "301", "--eval-every", "150", "--out", _folder["scn"]);
        train.ExitCode.ShouldBe(0, train.Output + train.Error);
        Checkpoint.Load(_folder["scn/checkpoint.scnc"]).ClassNames.ShouldBe(Shapes);

        var evaluate = Scn.Run("evaluate", "--checkpoint", _folder["scn/checkpoint.scnc"], "--assembly", SampleAssembly, "--data", Data, "--resize", "--plots", _folder["plots"]);
        evaluate.ExitCode.ShouldBe(0, evaluate.Error);
        evaluate.Output.ShouldContain("triangle");
        evaluate.Output.ShouldContain("images of image folder");
        File.ReadAllBytes(_folder["plots/confusion.png"])[..4].ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });

        var predict = Scn.Run("predict", "--checkpoint", _folder["scn/checkpoint.scnc"], "--assembly", SampleAssembly,
            "--input", Path.Combine(Data, "valid", "cross"), "--resize", "--output", _folder["crosses.csv"]);
        predict.ExitCode.ShouldBe(0, predict.Error);
        var rows = File.ReadAllLines(_folder["crosses.csv"]);
        rows[0].ShouldBe("index,source,label,class,confidence");
        rows.Length.ShouldBe(101);
        rows.Skip(1).ShouldAllBe(r => Shapes[int.Parse(r.Split(',')[2])] == r.Split(',')[3], "the class is the label's name");

        var export = Scn.Run("export-weights", "--checkpoint", _folder["scn/checkpoint.scnc"], "--assembly", SampleAssembly, "--output", _folder["w.scnw"]);
        export.ExitCode.ShouldBe(0, export.Error);
        export.Output.ShouldContain("classes circle, cross, square, triangle");
        File.ReadAllText(_folder["w.scnw"]).ShouldContain("class 3: triangle\n");
    }

    [Fact]
    public void A_folder_whose_classes_do_not_fit_the_network_or_the_checkpoint_is_one_line()
    {
        var train = Scn.Run("train", "ShapeNet", "--assembly", SampleAssembly, "--data", Data, "--resize", "--steps", "2", "--eval-every", "1", "--out", _folder["four"]);
        train.ExitCode.ShouldBe(0, train.Output + train.Error);
        // The checkpoint of the four shapes, evaluated on a folder whose classes are others.
        var other = _folder["other"];
        foreach (var name in new[] { "circle", "cross", "square", "star" })
        {
            Directory.CreateDirectory(Path.Combine(other, name));
            File.Copy(Directory.GetFiles(Path.Combine(Data, "valid", "circle"))[0], Path.Combine(other, name, "a.png"));
        }
        Scn.Run("evaluate", "--checkpoint", _folder["four/checkpoint.scnc"], "--assembly", SampleAssembly, "--data", other, "--resize")
            .ShouldBeCleanError($"{Path.Combine(other, "star")}: is not one of the classes circle, cross, square, triangle");

        Directory.Delete(Path.Combine(Data, "train", "cross"), recursive: true);
        Directory.Delete(Path.Combine(Data, "valid", "cross"), recursive: true);
        Scn.Run("train", "ShapeNet", "--assembly", SampleAssembly, "--data", Data, "--resize", "--steps", "5", "--out", _folder["three"])
            .ShouldBeCleanError($"image folder {Data} has 3 classes (circle, square, triangle); ShapeNet classifies 4");
    }
}
