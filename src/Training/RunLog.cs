using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>Everything a run measured, step by step: kept for the plots, and appended to metrics.csv as training
/// goes (at every evaluation and at least every <see cref="FlushInterval"/>), so a run killed outright keeps its history
/// up to the last write and a resumed run continues the same file.</summary>
/// <remarks>Rows are written in batches, not one a step: a step then costs four list appends between two training
/// steps, and the formatting code is compiled at tier 1 once the first batch is written, not in the middle of every
/// short run (measured: the BCL's number formatting was a third of what the runtime recompiled during a run).</remarks>
internal sealed class RunLog : IDisposable
{
    public const string Header = "step,loss,minibatch_accuracy,learning_rate,validation_accuracy";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);
    /// <summary>Room for a row: a step of up to 19 digits and four floats of up to 15 characters each, with commas.</summary>
    private const int RowLength = 96;

    public List<double> Steps { get; } = [];
    public List<double> Losses { get; } = [];
    public List<double> MinibatchAccuracy { get; } = [];
    public List<double> LearningRates { get; } = [];
    public List<double> EvalSteps { get; } = [];
    public List<double> ValidationAccuracy { get; } = [];

    private StreamWriter? _writer;
    private int _rowsWritten;  // steps whose rows are in the file
    private int _evalsWritten; // evaluations in the file (each in its step's row)
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();

    /// <summary>Starts metrics.csv at <paramref name="path"/>: a new file, or for a run resumed before
    /// <paramref name="resumeBeforeStep"/> the earlier file's rows before that step (later ones, from a run that went on
    /// past its last checkpoint, are dropped), written atomically, then appended to.</summary>
    public static RunLog Start(string path, long? resumeBeforeStep)
    {
        var log = resumeBeforeStep is { } before ? LoadIfPresent(path, before) : new RunLog();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(Header + "\n");
            log.WriteRows(writer);
        });
        log._writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        return log;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // every step: never tier 0, never recompiled mid-run
    public void Add(StepReport report)
    {
        // Every row so far is final: a step's evaluation is reported before the next step.
        if (_sinceFlush.Elapsed >= FlushInterval) Flush();
        Steps.Add(report.Step);
        Losses.Add(report.Loss);
        MinibatchAccuracy.Add(report.MinibatchAccuracy);
        LearningRates.Add(report.LearningRate);
    }

    public void Add(EvalReport report)
    {
        EvalSteps.Add(report.Step);
        ValidationAccuracy.Add(report.ValidationAccuracy);
        Flush();
    }

    /// <summary>Writes the rows not yet written and closes the file.</summary>
    public void Dispose()
    {
        if (_writer is null) return;
        Flush();
        _writer.Dispose();
        _writer = null;
    }

    private void Flush()
    {
        if (_writer is null) return;
        WriteRows(_writer);
        _writer.Flush();
        _sinceFlush.Restart();
    }

    /// <summary>Writes the rows not yet written: step,loss,minibatch_accuracy,learning_rate,validation_accuracy (empty
    /// where not measured). The measurements are floats, written as the shortest text that reads back as the same
    /// float.</summary>
    private void WriteRows(TextWriter writer)
    {
        var invariant = CultureInfo.InvariantCulture;
        Span<char> row = stackalloc char[RowLength];
        for (; _rowsWritten < Steps.Count; _rowsWritten++)
        {
            var i = _rowsWritten;
            row.TryWrite(invariant, $"{(long)Steps[i]},{(float)Losses[i]},{(float)MinibatchAccuracy[i]},{(float)LearningRates[i]},", out var length);
            // Evaluations come in step order, each after its step's report: the next one unwritten is this row's or later.
            Debug.Assert(_evalsWritten >= EvalSteps.Count || EvalSteps[_evalsWritten] >= Steps[i], "an evaluation of a step with no row");
            if (_evalsWritten < EvalSteps.Count && EvalSteps[_evalsWritten] == Steps[i])
            {
                ((float)ValidationAccuracy[_evalsWritten++]).TryFormat(row[length..], out var written, default, invariant);
                length += written;
            }
            writer.Write(row[..length]);
            writer.Write('\n');
        }
    }

    /// <summary>The rows of an earlier run's metrics.csv before <paramref name="beforeStep"/>; empty when there is none.</summary>
    private static RunLog LoadIfPresent(string path, long beforeStep)
    {
        var log = new RunLog();
        if (!File.Exists(path)) return log;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length != 5 || !double.TryParse(fields[0], CultureInfo.InvariantCulture, out var step) || step >= beforeStep) continue;
            if (!float.TryParse(fields[1], CultureInfo.InvariantCulture, out var loss)
                || !float.TryParse(fields[2], CultureInfo.InvariantCulture, out var minibatch)
                || !float.TryParse(fields[3], CultureInfo.InvariantCulture, out var rate)) continue; // a row cut short by a kill
            log.Steps.Add(step);
            log.Losses.Add(loss);
            log.MinibatchAccuracy.Add(minibatch);
            log.LearningRates.Add(rate);
            if (fields[4].Length > 0 && float.TryParse(fields[4], CultureInfo.InvariantCulture, out var validation))
            {
                log.EvalSteps.Add(step);
                log.ValidationAccuracy.Add(validation);
            }
        }
        return log;
    }
}
