using System.Diagnostics;
using System.Globalization;
using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>Everything a run measured, step by step: kept for the plots, and appended to metrics.csv as training
/// goes (flushed at every evaluation and at least every <see cref="FlushInterval"/>), so a run killed outright keeps
/// its history up to the last flush and a resumed run continues the same file.</summary>
internal sealed class RunLog : IDisposable
{
    public const string Header = "step,loss,minibatch_accuracy,learning_rate,validation_accuracy";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);

    public List<double> Steps { get; } = [];
    public List<double> Losses { get; } = [];
    public List<double> MinibatchAccuracy { get; } = [];
    public List<double> LearningRates { get; } = [];
    public List<double> EvalSteps { get; } = [];
    public List<double> ValidationAccuracy { get; } = [];

    private StreamWriter? _writer;
    private int _pendingRow = -1; // a step's row waits for that step's evaluation, if it has one
    private double? _pendingValidation;
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();

    /// <summary>Starts metrics.csv at <paramref name="path"/>: a new file, or for a run resumed before
    /// <paramref name="resumeBeforeStep"/> the earlier file's rows before that step (later ones, from a run that went on
    /// past its last checkpoint, are dropped), written atomically, then appended to.</summary>
    public static RunLog Start(string path, long? resumeBeforeStep)
    {
        var log = resumeBeforeStep is { } before ? LoadIfPresent(path, before) : new RunLog();
        AtomicFile.WriteAllLines(path, [Header, .. Enumerable.Range(0, log.Steps.Count).Select(i => log.Row(i))]);
        log._writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        return log;
    }

    public void Add(StepReport report)
    {
        WritePending();
        Steps.Add(report.Step);
        Losses.Add(report.Loss);
        MinibatchAccuracy.Add(report.MinibatchAccuracy);
        LearningRates.Add(report.LearningRate);
        _pendingRow = Steps.Count - 1;
        if (_sinceFlush.Elapsed >= FlushInterval) Flush();
    }

    public void Add(EvalReport report)
    {
        EvalSteps.Add(report.Step);
        ValidationAccuracy.Add(report.ValidationAccuracy);
        if (_pendingRow >= 0 && Steps[_pendingRow] == report.Step) _pendingValidation = report.ValidationAccuracy;
        WritePending();
        Flush();
    }

    /// <summary>Writes what is pending and closes the file.</summary>
    public void Dispose()
    {
        if (_writer is null) return;
        WritePending();
        _writer.Flush();
        _writer.Dispose();
        _writer = null;
    }

    private void WritePending()
    {
        if (_pendingRow < 0 || _writer is null) return;
        _writer.Write(Row(_pendingRow, _pendingValidation) + "\n");
        (_pendingRow, _pendingValidation) = (-1, null);
    }

    private void Flush()
    {
        _writer?.Flush();
        _sinceFlush.Restart();
    }

    private string Row(int i) => Row(i, EvalSteps.IndexOf(Steps[i]) is var e and >= 0 ? ValidationAccuracy[e] : null);

    /// <summary>step,loss,minibatch_accuracy,learning_rate,validation_accuracy (empty where not measured).</summary>
    private string Row(int i, double? validation)
        => string.Create(CultureInfo.InvariantCulture, $"{Steps[i]},{Losses[i]:R},{MinibatchAccuracy[i]:R},{LearningRates[i]:R},{validation?.ToString("R", CultureInfo.InvariantCulture)}");

    /// <summary>The rows of an earlier run's metrics.csv before <paramref name="beforeStep"/>; empty when there is none.</summary>
    private static RunLog LoadIfPresent(string path, long beforeStep)
    {
        var log = new RunLog();
        if (!File.Exists(path)) return log;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length != 5 || !double.TryParse(fields[0], CultureInfo.InvariantCulture, out var step) || step >= beforeStep) continue;
            if (!double.TryParse(fields[1], CultureInfo.InvariantCulture, out var loss)
                || !double.TryParse(fields[2], CultureInfo.InvariantCulture, out var minibatch)
                || !double.TryParse(fields[3], CultureInfo.InvariantCulture, out var rate)) continue; // a row cut short by a kill
            log.Steps.Add(step);
            log.Losses.Add(loss);
            log.MinibatchAccuracy.Add(minibatch);
            log.LearningRates.Add(rate);
            if (fields[4].Length > 0 && double.TryParse(fields[4], CultureInfo.InvariantCulture, out var validation))
            {
                log.EvalSteps.Add(step);
                log.ValidationAccuracy.Add(validation);
            }
        }
        return log;
    }
}
