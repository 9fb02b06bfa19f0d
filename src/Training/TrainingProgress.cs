using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Spectre.Console;

namespace StaticConvNet.Training;

/// <summary>A live progress line on a terminal: step, loss, minibatch accuracy and the recent img/s, a bar and the
/// time left, within 80 columns; plain lines (no escape codes, no wrapping) to <paramref name="plain"/> when the output
/// is redirected or is not a terminal. Steps are shown as done/total ("300/300" for --steps 300).</summary>
internal sealed class TrainingProgress(IAnsiConsole console, TextWriter plain, TrainingOptions options)
{
    /// <summary>Steps the img/s figure averages over: recent enough to follow changes, long enough to be steady.</summary>
    private const int RateWindow = 64;

    private readonly bool _live = console.Profile.Capabilities.Interactive && !(ReferenceEquals(console, AnsiConsole.Console) && Console.IsOutputRedirected);
    private readonly long _printEvery = Math.Max(1, options.EvalEvery > 0 ? Math.Min(options.EvalEvery, Math.Max(options.Steps / 10, 1)) : options.Steps / 10);
    /// <summary>How often the live line is redrawn: often enough to read as live, seldom enough that drawing it (on the
    /// training thread, between two steps, while the other core waits) costs well under a percent. Spectre's own
    /// refresh thread, ten times a second, and a new description every step took a fifth of a two-core arch1 run.</summary>
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(250);

    private readonly long[] _stepTimes = new long[RateWindow];
    private int _timedSteps;
    private ProgressContext? _context;
    private ProgressTask? _task;
    private long _drawnAt;
    private StepReport? _lastStep; // the live line shows it once more before an evaluation's line and at the end
    private long _firstStep = -1;

    public TrainingResult Run(Func<TrainingResult> train)
    {
        if (!_live) return train();
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .AutoRefresh(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 12 }, new RemainingTimeColumn())
            .Start(context =>
            {
                _context = context;
                _task = context.AddTask("starting", maxValue: options.Steps);
                // Drawn once before the first step: the first drawing compiles Spectre's layout code (80 ms here).
                context.Refresh();
                result = train();
                if (_lastStep is { } last) Show(last); // a run that stopped early may not have drawn its last step
                _task.Value = _task.MaxValue;
            });
        return result!;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // every step: never tier 0, never recompiled mid-run
    public void Step(StepReport r)
    {
        if (_firstStep < 0) _firstStep = r.Step;
        var now = Stopwatch.GetTimestamp();
        _stepTimes[_timedSteps++ % RateWindow] = now;
        // Formatted only for what is shown: between two training steps, on the core the next step waits for.
        if (_task is not null)
        {
            _lastStep = r;
            if (r.Step != r.LastStep && Stopwatch.GetElapsedTime(_drawnAt, now) < RedrawEvery) return;
            _drawnAt = now;
            Show(r);
            _context!.Refresh();
        }
        else if ((r.Step - _firstStep) % _printEvery == 0 || r.Step == r.LastStep)
        {
            Line(Text(r, RecentImagesPerSecond(options.BatchSize)) + string.Create(CultureInfo.InvariantCulture, $"  lr {r.LearningRate:G3}"));
        }
    }

    /// <summary>Puts <paramref name="r"/> on the live line, for its next drawing.</summary>
    private void Show(StepReport r)
    {
        _task!.Description = Markup.Escape(Text(r, RecentImagesPerSecond(options.BatchSize)));
        _task.Value = r.Step - _firstStep + 1;
    }

    private static string Text(StepReport r, double rate) => string.Create(CultureInfo.InvariantCulture,
        $"step {r.Step + 1,6}/{r.LastStep + 1}  loss {r.Loss,6:F3}  acc {r.MinibatchAccuracy * 100,5:F1}%  {(rate > 0 ? rate.ToString("N0", CultureInfo.InvariantCulture) : "-"),6} img/s");

    public void Evaluation(EvalReport r)
    {
        // The live line is drawn again with the line above it: with the step evaluated, not one up to 250 ms older.
        if (_task is not null && _lastStep is { } last) Show(last);
        // Counted as the progress line counts: steps done (metrics.csv's step column is the notebook's 0-based index).
        Line(string.Create(CultureInfo.InvariantCulture, $"after {r.Step + 1,6} steps  validation accuracy {r.ValidationAccuracy:P2}"));
        _timedSteps = 0; // the evaluation's time is not training's
    }

    /// <summary>A line of text: above the live bar while it shows, else as it is.</summary>
    public void Line(string text)
    {
        if (_task is not null) console.MarkupLine(Markup.Escape(text));
        else
        {
            plain.WriteLine(text);
            plain.Flush();
        }
    }

    /// <summary>Images per second over the last steps timed (up to <see cref="RateWindow"/>); 0 until two are.</summary>
    private double RecentImagesPerSecond(int batchSize)
    {
        var span = Math.Min(_timedSteps, RateWindow) - 1;
        if (span < 1) return 0;
        var newest = _stepTimes[(_timedSteps - 1) % RateWindow];
        var oldest = _stepTimes[(_timedSteps - 1 - span) % RateWindow];
        return span * batchSize / Stopwatch.GetElapsedTime(oldest, newest).TotalSeconds;
    }
}
