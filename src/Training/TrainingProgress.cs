using System.Diagnostics;
using System.Globalization;
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
    private readonly long[] _stepTimes = new long[RateWindow];
    private int _timedSteps;
    private ProgressTask? _task;
    private long _firstStep = -1;

    public TrainingResult Run(Func<TrainingResult> train)
    {
        if (!_live) return train();
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 12 }, new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask("starting", maxValue: options.Steps);
                result = train();
                _task.Value = _task.MaxValue;
            });
        return result!;
    }

    public void Step(StepReport r)
    {
        if (_firstStep < 0) _firstStep = r.Step;
        var rate = RecentImagesPerSecond(options.BatchSize);
        if (_task is not null)
        {
            _task.Description = Markup.Escape(Text(r, rate));
            _task.Value = r.Step - _firstStep + 1;
        }
        else if ((r.Step - _firstStep) % _printEvery == 0 || r.Step == r.LastStep)
        {
            // Formatted only for the lines printed: between two training steps, on the core the next step waits for.
            Line(Text(r, rate) + string.Create(CultureInfo.InvariantCulture, $"  lr {r.LearningRate:G3}"));
        }
    }

    private static string Text(StepReport r, double rate) => string.Create(CultureInfo.InvariantCulture,
        $"step {r.Step + 1,6}/{r.LastStep + 1}  loss {r.Loss,6:F3}  acc {r.MinibatchAccuracy * 100,5:F1}%  {(rate > 0 ? rate.ToString("N0", CultureInfo.InvariantCulture) : "-"),6} img/s");

    public void Evaluation(EvalReport r)
    {
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

    /// <summary>Images per second over the last steps (up to <see cref="RateWindow"/>); 0 until two steps are timed.</summary>
    private double RecentImagesPerSecond(int batchSize)
    {
        var now = Stopwatch.GetTimestamp();
        _stepTimes[_timedSteps % RateWindow] = now;
        _timedSteps++;
        var span = Math.Min(_timedSteps, RateWindow) - 1;
        if (span < 1) return 0;
        var oldest = _stepTimes[(_timedSteps - 1 - span) % RateWindow];
        return span * batchSize / Stopwatch.GetElapsedTime(oldest, now).TotalSeconds;
    }
}
