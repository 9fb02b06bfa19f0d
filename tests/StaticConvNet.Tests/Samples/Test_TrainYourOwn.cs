using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Samples;

/// <summary>samples/TrainYourOwn: a user's own network trained from C# (TrainingRun), and the same network through
/// scn with --assembly. The test project builds the sample first (a ProjectReference), so nothing is built here.</summary>
public class Test_TrainYourOwn
{
    private static string Root => GeneratorHarness.RepositoryRoot();

    private static string SampleAssembly => Path.Combine(Root, "samples", "TrainYourOwn", "bin", Processes.Configuration, "net10.0", "TrainYourOwn.dll");

    [Fact]
    public void The_sample_trains_its_network_from_code_and_writes_the_run_folder()
    {
        using var folder = new Scn.TempFolder();
        var run = Processes.Run("dotnet", [SampleAssembly, "120", folder["run"]], Root);
        run.ExitCode.ShouldBe(0, run.Output + run.Error);
        run.Output.ShouldContain("Parameters: 51,050 (204,200 bytes as float32)", customMessage: "it prints its Summary() first");
        run.Output.ShouldContain("TinyNet trained");
        run.Output.ShouldMatch(@"best validation accuracy \d+\.\d\d %; the reloaded checkpoint scores \d+\.\d\d %");
        foreach (var file in new[] { "checkpoint.scnc", "metrics.csv", "loss.png", "accuracy.png", "TinyNet.scnw" })
            File.Exists(folder[Path.Combine("run", file)]).ShouldBeTrue(file);

        var bad = Processes.Run("dotnet", [SampleAssembly, "many"], Root);
        bad.ShouldBeCleanError("STEPS must be a positive whole number, got 'many'");
    }

    [Fact]
    public void Scn_trains_evaluates_and_exports_a_users_network_given_its_assembly()
    {
        using var folder = new Scn.TempFolder();
        var models = Scn.Run("models", "--assembly", SampleAssembly);
        models.ExitCode.ShouldBe(0, models.Error);
        models.Output.ShouldContain("TinyNet  TinyNet: from TrainYourOwn.dll");
        models.Output.ShouldContain("arch2", customMessage: "scn's own models stay listed");

        var train = Scn.Run("train", "tinynet", "--assembly", SampleAssembly, "--steps", "60", "--eval-every", "30", "--out", folder.Path);
        train.ExitCode.ShouldBe(0, train.Output + train.Error);
        train.Output.ShouldContain("Training TinyNet (51,050 parameters) on");
        Checkpoint.Load(folder["checkpoint.scnc"]).StepsDone.ShouldBe(60);
        File.Exists(folder["TinyNet.scnw"]).ShouldBeTrue();

        var evaluate = Scn.Run("evaluate", "--checkpoint", folder["checkpoint.scnc"], "--assembly", SampleAssembly);
        evaluate.ExitCode.ShouldBe(0, evaluate.Error);
        evaluate.Output.ShouldStartWith("TinyNet: accuracy ");

        Scn.Run("evaluate", "--checkpoint", folder["checkpoint.scnc"])
            .ShouldBeCleanError("is a checkpoint of 'TinyNet', which scn does not know: pass --assembly with the .dll that defines it");
        Scn.Run("train", "TinyNet", "--steps", "1").ShouldBeCleanError("your own networks: pass --assembly with the .dll that defines them");
    }

    [Fact]
    public void An_assembly_that_is_missing_not_dotnet_or_without_networks_is_one_line()
    {
        using var folder = new Scn.TempFolder();
        Scn.Run("models", "--assembly", folder["none.dll"]).ShouldBeCleanError($"--assembly {folder["none.dll"]}: no such file");
        File.WriteAllText(folder["text.dll"], "not an assembly");
        Scn.Run("models", "--assembly", folder["text.dll"]).ShouldBeCleanError($"{folder["text.dll"]}: is not a .NET assembly");
        var noNetworks = Path.Combine(AppContext.BaseDirectory, "StaticConvNet.Interop.dll");
        Scn.Run("models", "--assembly", noNetworks).ShouldBeCleanError("has no public [Network] class with a parameterless constructor");
    }
}
