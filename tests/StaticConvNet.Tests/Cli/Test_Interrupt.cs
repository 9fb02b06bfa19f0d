using System.Diagnostics;
using System.Globalization;
using StaticConvNet.Data;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Cli;

/// <summary>Stopping scn train from outside, in a child process: Ctrl-C or SIGTERM finish the step, write
/// everything and print how to resume; a second signal ends it at once; kill -9 keeps metrics.csv up to its last
/// flush, and a resumed run continues that file. Stale temporary files of killed writes are cleaned up.</summary>
public class Test_Interrupt
{
    /// <summary>A long arch1 run whose progress can be watched: a line and a validation at every 100 steps.</summary>
    private sealed class TrainingProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();
        private readonly Task<string> _error;

        public TrainingProcess(string folder)
        {
            // `env --default-signal` so SIGINT reaches scn even when this test runs where SIGINT is ignored (a
            // background job), as it would from a terminal.
            var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "scn.dll"),
                         "train", "arch1", "--steps", "200000", "--eval-every", "100", "--out", folder]) info.ArgumentList.Add(a);
            _process = Process.Start(info)!;
            _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _error = _process.StandardError.ReadToEndAsync();
        }

        public string Output { get { lock (_output) return _output.ToString(); } }

        public void WaitFor(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!Output.Contains(text))
            {
                if (_process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"never saw '{text}':\n{Output}{_error.Result}");
                Thread.Sleep(20);
            }
        }

        public void Signal(string signal) => Processes.Run("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]).ExitCode.ShouldBe(0);

        public (int ExitCode, string Output, string Error) WaitForExit()
        {
            _process.WaitForExit(TimeSpan.FromMinutes(1)).ShouldBeTrue("it stops after the step under way");
            _process.WaitForExit(); // the output's end
            return (_process.ExitCode, Output, _error.Result);
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }

    private static string[] Rows(string metrics) => File.ReadAllLines(metrics);

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void The_first_signal_finishes_the_step_writes_everything_and_says_how_to_resume(string signal, int exitCode)
    {
        using var folder = new Scn.TempFolder();
        using (var run = new TrainingProcess(folder.Path))
        {
            run.WaitFor("after    101 steps  validation accuracy");
            run.Signal(signal);
            var (code, output, error) = run.WaitForExit();
            code.ShouldBe(exitCode, output + error);
            error.ShouldBeEmpty();
            output.ShouldContain($"SIG{signal}: stopping after this step and writing the run; interrupt again to quit at once");
            output.ShouldContain("Interrupted after ");
            output.ShouldContain($"to go on: scn train arch1 --eval-every 100 --out {folder.Path} --resume {folder["checkpoint.scnc"]} --steps ");
        }
        var stepsDone = Checkpoint.Load(folder["checkpoint.scnc"]).StepsDone;
        stepsDone.ShouldBeGreaterThan(100);
        Rows(folder["metrics.csv"]).Length.ShouldBe((int)stepsDone + 1, "every finished step, and the header");
        foreach (var file in new[] { "arch1.scnw", "loss.png", "accuracy.png" }) File.Exists(folder[file]).ShouldBeTrue(file);

        var resumed = Scn.Run("train", "arch1", "--eval-every", "100", "--out", folder.Path, "--resume", folder["checkpoint.scnc"], "--steps", "7");
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        Checkpoint.Load(folder["checkpoint.scnc"]).StepsDone.ShouldBe(stepsDone + 7);
        var rows = Rows(folder["metrics.csv"]);
        rows.Length.ShouldBe((int)stepsDone + 8);
        rows.Skip(1).Select(r => long.Parse(r.Split(',')[0], CultureInfo.InvariantCulture)).ShouldBe(Enumerable.Range(0, (int)stepsDone + 7).Select(i => (long)i));
    }

    /// <summary>The second signal is left to the system (it ends the process at once). Tested on the handler itself:
    /// between two real signals a stopping run may already have finished, so a child process cannot show it reliably.</summary>
    [Fact]
    public void The_first_signal_stops_the_run_and_the_second_is_left_to_the_system()
    {
        var told = new List<System.Runtime.InteropServices.PosixSignal>();
        using var interrupts = new Interrupts(told.Add, register: false);
        var first = new System.Runtime.InteropServices.PosixSignalContext(System.Runtime.InteropServices.PosixSignal.SIGTERM);
        interrupts.Handle(first);
        first.Cancel.ShouldBeTrue("the process goes on to finish the step and write the run");
        interrupts.Token.IsCancellationRequested.ShouldBeTrue();
        interrupts.Signal.ShouldBe(System.Runtime.InteropServices.PosixSignal.SIGTERM);
        told.ShouldBe([System.Runtime.InteropServices.PosixSignal.SIGTERM]);

        var second = new System.Runtime.InteropServices.PosixSignalContext(System.Runtime.InteropServices.PosixSignal.SIGINT);
        interrupts.Handle(second);
        second.Cancel.ShouldBeFalse("the default action: the process ends now");
        interrupts.Signal.ShouldBe(System.Runtime.InteropServices.PosixSignal.SIGTERM);
        told.Count.ShouldBe(1);
    }

    [Fact]
    public void Kill_9_keeps_the_metrics_up_to_the_last_flush_and_a_resumed_run_continues_them()
    {
        using var folder = new Scn.TempFolder();
        using (var run = new TrainingProcess(folder.Path))
        {
            run.WaitFor("after    101 steps  validation accuracy");
            run.Signal("KILL");
            run.WaitForExit();
        }
        var rows = Rows(folder["metrics.csv"]);
        rows[0].ShouldBe("step,loss,minibatch_accuracy,learning_rate,validation_accuracy");
        rows.Length.ShouldBeGreaterThan(101, "flushed at every evaluation");
        var checkpoint = Checkpoint.Load(folder["checkpoint.scnc"]);

        var resumed = Scn.Run("train", "arch1", "--eval-every", "100", "--out", folder.Path, "--resume", folder["checkpoint.scnc"], "--steps", "5");
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        rows = Rows(folder["metrics.csv"]);
        rows.Skip(1).Select(r => long.Parse(r.Split(',')[0], CultureInfo.InvariantCulture))
            .ShouldBe(Enumerable.Range(0, (int)checkpoint.StepsDone + 5).Select(i => (long)i), "rows after the checkpoint the killed run wrote are replaced");
    }

    [Fact]
    public void A_write_removes_temporary_files_killed_writers_of_that_file_left_and_only_those()
    {
        using var folder = new Scn.TempFolder();
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        File.WriteAllText(folder[$".metrics.csv.{gone.Id}.tmp"], "half");
        File.WriteAllText(folder[$".notes.{gone.Id}.tmp"], "another file's, perhaps another program's");
        File.WriteAllText(folder[".metrics.csv.x.tmp"], "not a temporary of ours");
        AtomicFile.WriteAllLines(folder["metrics.csv"], ["x"]);
        File.Exists(folder[$".metrics.csv.{gone.Id}.tmp"]).ShouldBeFalse();
        File.Exists(folder[$".notes.{gone.Id}.tmp"]).ShouldBeTrue();
        File.Exists(folder[".metrics.csv.x.tmp"]).ShouldBeTrue();
    }

    [Fact]
    public void The_resume_command_drops_overwrite_which_a_resume_refuses()
        => StaticConvNet.Cli.ResumeCommand.For(["train", "arch2", "--overwrite", "--steps", "900", "--out", "runs/a b"], "runs/a b/checkpoint.scnc", 450)
            .ShouldBe("scn train arch2 --out 'runs/a b' --resume 'runs/a b/checkpoint.scnc' --steps 450");

    [Fact]
    public void The_resume_command_drops_an_overwrite_given_a_value_too()
        => StaticConvNet.Cli.ResumeCommand.For(["train", "arch2", "--overwrite", "true", "--seed", "3"], "c.scnc", 7)
            .ShouldBe("scn train arch2 --seed 3 --resume c.scnc --steps 7");
}
