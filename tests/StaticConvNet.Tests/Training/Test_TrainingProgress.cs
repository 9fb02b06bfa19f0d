using System.Text.RegularExpressions;
using Spectre.Console;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Training;

/// <summary>The live progress line on an 80-column terminal: bar, steps done of total, loss, accuracy, img/s and the
/// time left all fit, with no line wrapped.</summary>
public class Test_TrainingProgress
{
    private static readonly Regex Escape = new(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", RegexOptions.Compiled);

    [Theory]
    [InlineData(300)]
    [InlineData(100_001)]
    public void Everything_fits_in_80_columns(int steps)
    {
        var (screen, console) = Terminal();
        var options = new TrainingOptions { Steps = steps, EvalEvery = 0 };
        var progress = new TrainingProgress(console, TextWriter.Null, options);
        progress.Run(() =>
        {
            for (var step = 0; step < 200; step++)
            {
                progress.Step(new StepReport(steps - 200 + step, steps - 1, 12.3456f, 0.9375f, 0.05f, 99_999));
                Thread.Sleep(1); // a measurable rate
            }
            return new TrainingResult(steps, 0.1f, 0.9f, TimeSpan.FromSeconds(1), 1000, false, null);
        });

        var lines = Escape.Replace(screen.ToString(), "").Split('\n', '\r').Where(l => l.Trim().Length > 0).ToList();
        lines.ShouldNotBeEmpty();
        lines.ShouldAllBe(l => l.Length <= 80);
        var last = lines[^1];
        last.ShouldContain($"step {steps,6}/{steps}", customMessage: "steps done of the total, as --steps counts them");
        last.ShouldContain("loss 12.346");
        last.ShouldContain("acc  93.8%");
        last.ShouldMatch(@"\d img/s", "the recent rate, measured by the progress line itself");
        last.ShouldContain("━", customMessage: "the bar");
        last.ShouldMatch(@"\d:\d\d:\d\d", "the time left");
    }

    /// <summary>The line is redrawn a few times a second, not every step; an evaluation's line and the end of a run
    /// that stopped early still show the last step, not the last one drawn.</summary>
    [Fact]
    public void An_evaluation_and_an_early_stop_show_the_last_step()
    {
        var (screen, console) = Terminal();
        var progress = new TrainingProgress(console, TextWriter.Null, new TrainingOptions { Steps = 1000, EvalEvery = 50 });
        progress.Run(() =>
        {
            for (var step = 0; step < 50; step++) progress.Step(new StepReport(step, 999, 1f, 0.5f, 0.05f, 0)); // well within 250 ms
            progress.Evaluation(new EvalReport(49, 0.5f));
            return new TrainingResult(50, 1f, 0.5f, TimeSpan.FromSeconds(1), 1000, false, null, Interrupted: true);
        });

        var text = Escape.Replace(screen.ToString(), "");
        text.ShouldContain("step      1/1000", customMessage: "the first step is drawn at once");
        text.ShouldNotContain("step      2/1000", customMessage: "not every step is drawn");
        var afterEvaluation = text[text.IndexOf("validation accuracy", StringComparison.Ordinal)..];
        afterEvaluation.ShouldContain("step     50/1000");
        text.Split('\n', '\r').Last(l => l.Contains("step ")).ShouldContain("step     50/1000");
    }

    private static (StringWriter Screen, IAnsiConsole Console) Terminal()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 80;
        return (screen, console);
    }
}
