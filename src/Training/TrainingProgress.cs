using System.Globalization;
using Spectre.Console;

namespace StaticConvNet.Training;

/// <summary>A live progress bar (step, loss, minibatch accuracy, learning rate, img/s, ETA) on a terminal;
/// plain lines, no escape codes and no wrapping, to <paramref name="plain"/> when the output is redirected or is not
/// a terminal.</summary>
internal sealed class TrainingProgress(IAnsiConsole console, TextWriter plain, TrainingOptions options)
{
    private readonly bool _live = console.Profile.Capabilities.Interactive && !(ReferenceEquals(console, AnsiConsole.Console) && Console.IsOutputRedirected);
    private readonly long _printEvery = Math.Max(1, options.EvalEvery > 0 ? Math.Min(options.EvalEvery, Math.Max(options.Steps / 10, 1)) : options.Steps / 10);
    private ProgressTask? _task;
    private long _firstStep = -1;

    public TrainingResult Run(Func<TrainingResult> train)
    {
        if (!_live) return train();
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
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
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {r.Step,6}/{r.LastStep}  loss {r.Loss,7:F4}  minibatch {r.MinibatchAccuracy,6:P1}  lr {r.LearningRate:G3}  {r.ImagesPerSecond,7:N0} img/s");
        if (_task is not null)
        {
            _task.Description = Markup.Escape(line);
            _task.Value = r.Step - _firstStep + 1;
        }
        else if ((r.Step - _firstStep) % _printEvery == 0 || r.Step == r.LastStep)
        {
            Line(line);
        }
    }

    public void Evaluation(EvalReport r)
        => Line(string.Create(CultureInfo.InvariantCulture, $"step {r.Step,6}  validation accuracy {r.ValidationAccuracy:P2}"));

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
}
