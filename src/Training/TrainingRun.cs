using System.Globalization;
using System.Runtime.CompilerServices;
using Spectre.Console;
using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>
/// <c>scn train</c> for C# callers: trains a network on loaded data with the same live progress, and writes the same
/// run folder: <c>checkpoint.scnc</c> at every evaluation point, then <c>metrics.csv</c>, <c>loss.png</c>,
/// <c>accuracy.png</c> and <c>NAME.scnw</c> (the weights to bake into an app).
/// <code>
/// var result = new TrainingRun(new TinyNet(), DataSources.LoadBundled())
/// {
///     Options = new TrainingOptions { Steps = 2001, Momentum = 0.9f },
///     OutputFolder = "runs/tiny",
/// }.Fit();
/// </code>
/// The loop itself is <see cref="Trainer.Run"/>; this class adds what a person running it wants to see and keep.
/// </summary>
public sealed class TrainingRun(IConvNet network, LoadedData data)
{
    public const string CheckpointFile = "checkpoint.scnc";
    /// <summary>The checkpoint of the best validation accuracy so far (written when the data has a validation split).</summary>
    public const string BestCheckpointFile = "best.scnc";
    public const string MetricsFile = "metrics.csv";
    public const string LossPlotFile = "loss.png";
    public const string AccuracyPlotFile = "accuracy.png";

    public IConvNet Network => network;
    public LoadedData Data => data;

    /// <summary>Steps, batch, learning-rate schedule, momentum, seed, evaluation interval, dropout.</summary>
    public TrainingOptions Options { get; init; } = new();

    /// <summary>The name on the plots and of the weights file (<c>NAME.scnw</c>); default: the network's class name.</summary>
    public string Name { get; init; } = network.Description.Name;

    /// <summary>Where the run's files go; default <c>runs/NAME</c>. Created if missing.</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Continue from this checkpoint, bit for bit (its seed wins); the folder's metrics.csv is continued.</summary>
    public Checkpoint? Resume { get; init; }

    /// <summary>What runs the steps; default: the network's generated CPU code.</summary>
    public ITrainingDevice? Device { get; init; }

    /// <summary>Your own reporting: called after the run's own handling of each step, evaluation and checkpoint.</summary>
    public TrainingCallbacks? Callbacks { get; init; }

    /// <summary>Where the header, progress and summary go: null (the default) is the console, with a live progress
    /// bar on a terminal and plain lines when redirected; <see cref="TextWriter.Null"/> keeps the run quiet.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Ctrl-C or SIGTERM during <see cref="Fit"/> stops the run after the step under way and writes checkpoint,
    /// weights, metrics and plots (a second one ends the process at once); default true. The result says
    /// <see cref="TrainingRunResult.Interrupted"/>. Cancelling Fit's token does the same without a signal.</summary>
    public bool StopOnInterrupt { get; init; } = true;

    /// <summary>Stop when validation accuracy has not improved for this many evaluations in a row (null: never).
    /// The run ends as after an interruption, with <see cref="TrainingRunResult.StoppedEarly"/> set.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>A folder that already holds a run (any of <see cref="RunFiles"/>) is refused unless the run resumes it
    /// (<see cref="Resume"/>) or this is set, which removes that run's files first: two runs never mix in one folder.</summary>
    public bool Overwrite { get; init; }

    /// <summary>The files a run writes, by name; what <see cref="Overwrite"/> removes.</summary>
    public IReadOnlyList<string> RunFiles => FilesOf(Name);

    /// <summary>The files a run named <paramref name="name"/> writes (<see cref="RunFiles"/>).</summary>
    public static IReadOnlyList<string> FilesOf(string name) => [CheckpointFile, BestCheckpointFile, MetricsFile, LossPlotFile, AccuracyPlotFile,
        EvaluationPlots.ConfusionFile, EvaluationPlots.MistakesFile, name + ".scnw"];

    public string Folder => OutputFolder ?? Path.Combine("runs", Name);

    /// <summary>Trains, writes the run folder and returns what happened. A run whose loss diverges writes its metrics
    /// and plots, keeps the last good checkpoint, writes no weights file and says so in the result.</summary>
    public TrainingRunResult Fit(CancellationToken cancellationToken = default)
    {
        var console = CreateConsole(Output);
        var plain = Output ?? Console.Out;
        // A cosine decay to the end of the run gets its length here, so the header shows the rates the run will use.
        var options = (Resume is null ? Options : Options with { Seed = Resume.Seed }).ForRun(Resume?.StepsDone ?? 0);
        if (EarlyStoppingPatience is < 1) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Early stopping needs a patience of at least one evaluation.");
        if (EarlyStoppingPatience is not null && data.Valid is null)
            throw new ArgumentException($"Early stopping watches validation accuracy, but {data.Description} has no validation split.", nameof(EarlyStoppingPatience));
        var device = Device ?? new CpuTrainingDevice(network);
        // Everything the run would refuse, refused before the folder is touched: a refused run removes or mixes nothing.
        Trainer.Check(device, network, data.Train, data.Valid, options, Resume);
        CheckClassNames();
        PrepareFolder();
        var checkpointPath = Path.Combine(Folder, CheckpointFile);
        var bestPath = Path.Combine(Folder, BestCheckpointFile);
        var metricsPath = Path.Combine(Folder, MetricsFile);
        var progress = new TrainingProgress(console, plain, options);
        using var interrupts = StopOnInterrupt
            ? new Interrupts(signal => progress.Line($"{signal}: stopping after this step and writing the run; interrupt again to quit at once"))
            : null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interrupts?.Token ?? CancellationToken.None);

        WriteHeader(progress, options, device);
        var log = RunLog.Start(metricsPath, Resume?.StepsDone);
        long? lastCheckpointStep = null;
        // The best so far, a resumed run's history included; a checkpoint is "best" when its evaluation improved on it.
        var best = log.ValidationAccuracy.DefaultIfEmpty(double.NegativeInfinity).Max();
        // Early stopping's count goes on from the history too, so a resumed run stops where it would have.
        var sinceImprovement = log.ValidationAccuracy.Count - 1 - log.ValidationAccuracy.IndexOf(best);
        long? improvedAt = null; // the step whose evaluation improved on the best, until its checkpoint is written
        var bestSaved = best;    // the accuracy of the state in best.scnc (a refused checkpoint leaves it behind best)
        var stoppedEarly = false;
        var callbacks = new TrainingCallbacks
        {
            // Every step: never tier 0, never recompiled mid-run (as RunLog.Add and TrainingProgress.Step).
            Step = [MethodImpl(MethodImplOptions.AggressiveOptimization)] (report) =>
            {
                log.Add(report);
                progress.Step(report);
                Callbacks?.Step?.Invoke(report);
            },
            Evaluation = report =>
            {
                log.Add(report);
                progress.Evaluation(report);
                improvedAt = report.ValidationAccuracy > best ? report.Step : null;
                if (improvedAt is not null) (best, sinceImprovement) = (report.ValidationAccuracy, 0);
                else if (++sinceImprovement >= EarlyStoppingPatience && !stop.IsCancellationRequested)
                {
                    stoppedEarly = true;
                    progress.Line($"validation accuracy has not improved for {sinceImprovement} evaluations (best {best:P2}): stopping early");
                    stop.Cancel();
                }
                Callbacks?.Evaluation?.Invoke(report);
            },
            Checkpoint = captured =>
            {
                var checkpoint = captured with { ClassNames = data.ClassNames };
                checkpoint.Save(checkpointPath);
                // Only the state that was evaluated: a checkpoint refused after an improving evaluation leaves best as it was.
                if (improvedAt == checkpoint.StepsDone - 1)
                {
                    checkpoint.Save(bestPath);
                    bestSaved = best; // the evaluation just before this checkpoint set it
                }
                improvedAt = null;
                lastCheckpointStep = checkpoint.StepsDone - 1;
                Callbacks?.Checkpoint?.Invoke(checkpoint);
            },
        };
        TrainingResult result;
        using (log)
        {
            result = progress.Run(() => Trainer.Run(device, network, data.Train, data.Valid, options, Resume, callbacks, stop.Token));
        }

        var title = Name == network.Description.Name ? $"{Name}, seed {options.Seed}" : $"{Name} ({network.Description.Name}), seed {options.Seed}";
        var lossPath = Path.Combine(Folder, LossPlotFile);
        var accuracyPath = Path.Combine(Folder, AccuracyPlotFile);
        Plots.Loss(lossPath, log.Steps, log.Losses, title);
        Plots.Accuracy(accuracyPath, log.Steps, log.MinibatchAccuracy, log.EvalSteps, log.ValidationAccuracy, title);

        // Early stopping ends with the best weights, not the last (Keras's restore_best_weights): they are what the
        // weights file, the pictures and the test accuracy are about.
        if (stoppedEarly && File.Exists(bestPath)) Checkpoint.Load(bestPath).LoadInto(network, bestPath);
        string? weightsPath = null;
        float? testAccuracy = null;
        (string Confusion, string Mistakes)? evaluationPlots = null;
        if (!result.Diverged)
        {
            weightsPath = Path.Combine(Folder, Name + ".scnw");
            WeightsFile.Save(weightsPath, network, data.ClassNames);
            if (data.Valid is { Count: > 0 } valid) evaluationPlots = EvaluationPlots.Write(Folder, network, valid, Evaluation.Predictions(network, valid), $"{title}, validation", data.ClassNames);
            if (data.Test is { Count: > 0 } test && (!result.Interrupted || stoppedEarly)) testAccuracy = Evaluation.Accuracy(network, test);
        }
        var outcome = new TrainingRunResult(result, testAccuracy, Folder, lastCheckpointStep is null ? null : checkpointPath,
            lastCheckpointStep, metricsPath, lossPath, accuracyPath, weightsPath)
        {
            ConfusionPlotPath = evaluationPlots?.Confusion,
            MistakesPlotPath = evaluationPlots?.Mistakes,
            Signal = stoppedEarly ? null : interrupts?.Signal,
            StoppedEarly = stoppedEarly,
            BestCheckpointPath = File.Exists(bestPath) ? bestPath : null,
            BestValidationAccuracy = File.Exists(bestPath) && double.IsFinite(bestSaved) ? (float)bestSaved : null,
            StepsLeft = (Resume?.StepsDone ?? 0) + options.Steps - result.StepsDone,
        };
        WriteSummary(console, progress, outcome);
        return outcome;
    }

    private static string Describe(TrainingOptions options) => options.Optimizer switch
    {
        OptimizerKind.Adam => "Adam",
        OptimizerKind.AdamW => string.Create(CultureInfo.InvariantCulture, $"AdamW (weight decay {options.WeightDecay})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"momentum {options.Momentum}"),
    };

    /// <summary>Named classes must be the network's outputs, one name each, and a resumed run's classes the checkpoint's:
    /// the names go into the checkpoint, the weights file and the baked classifier, where a mismatch would misname.</summary>
    private void CheckClassNames()
    {
        if (LabelNames.OutputsProblem(data.ClassNames, data.Description, network.OutputLength, network.Description.Name) is { } outputsProblem)
            throw new ArgumentException(outputsProblem);
        if (LabelNames.TrainedOnOther(Resume?.ClassNames, "The checkpoint to resume", data.ClassNames, data.Description) is { } resumeProblem)
            throw new ArgumentException(resumeProblem);
    }

    /// <summary>Creates the folder; refuses one holding another run unless resuming it or overwriting it.</summary>
    private void PrepareFolder()
    {
        Directory.CreateDirectory(Folder);
        if (Resume is not null) return;
        var existing = RunFiles.Where(f => File.Exists(Path.Combine(Folder, f))).ToList();
        if (existing.Count == 0) return;
        if (!Overwrite) throw new RunFolderInUseException(Folder, existing);
        foreach (var file in existing) File.Delete(Path.Combine(Folder, file));
    }

    private void WriteHeader(TrainingProgress lines, TrainingOptions options, ITrainingDevice device)
    {
        foreach (var note in data.Notes) lines.Line($"note: {note}");
        foreach (var skipped in data.Skipped) lines.Line($"skipped {skipped.Path}: {skipped.Reason}");
        var who = Name == network.Description.Name ? $"{Name} (" : $"{Name} ({network.Description.Name}, ";
        lines.Line($"Training {who}{network.ParameterCount:N0} parameters) on {data.Train.Count:N0} images of {data.Description}"
            + (data.Valid is null ? ", no validation split" : $", validating on {data.Valid.Count:N0}") + ".");
        lines.Line((Resume is null ? "" : $"resuming after {Resume.StepsDone:N0} steps, ")
            + string.Create(CultureInfo.InvariantCulture, $"steps {options.Steps}, batch {options.BatchSize}, learning rate {options.Schedule}, {Describe(options)}, seed {options.Seed}")
            + (options.RandomShift > 0 ? string.Create(CultureInfo.InvariantCulture, $", shifts up to {options.RandomShift} px") : "")
            + (options.DropoutRate is { } d ? string.Create(CultureInfo.InvariantCulture, $", dropout {d}") : ""));
        lines.Line($"device: {device.Name}");
    }

    private void WriteSummary(IAnsiConsole console, TrainingProgress lines, TrainingRunResult outcome)
    {
        var result = outcome.Training;
        if (result.Diverged)
        {
            var kept = outcome.CheckpointPath is { } path ? $"the last good checkpoint (after step {outcome.LastCheckpointStep}) is kept in {path}" : "no checkpoint was written before it";
            lines.Line($"Training diverged at step {result.DivergedAtStep}: {result.DivergenceReason}; {kept}. No weights file was written.");
            return;
        }
        if (outcome.StoppedEarly)
        {
            lines.Line($"Stopped early after {result.StepsDone:N0} steps; the best validation accuracy, {outcome.BestValidationAccuracy:P2}, is in {outcome.BestCheckpointPath}.");
        }
        else if (result.Interrupted)
        {
            lines.Line($"Interrupted after {result.StepsDone:N0} steps ({outcome.StepsLeft:N0} left): {outcome.CheckpointPath}, "
                + $"{MetricsFile}, the plots and {Path.GetFileName(outcome.WeightsPath)} are written. Resume from the checkpoint to go on.");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{Name} trained"));
        table.AddColumn("");
        table.AddColumn("");
        table.HideHeaders();
        table.AddRow("steps done", result.StepsDone.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("final minibatch loss", result.FinalLoss.ToString("F4", CultureInfo.InvariantCulture));
        table.AddRow("validation accuracy", float.IsNaN(result.ValidationAccuracy) ? "(no validation split)" : result.ValidationAccuracy.ToString("P2", CultureInfo.InvariantCulture));
        if (outcome.BestCheckpointPath is not null && outcome.BestValidationAccuracy is { } bestAccuracy && bestAccuracy > result.ValidationAccuracy)
            table.AddRow("best validation accuracy", Markup.Escape($"{bestAccuracy.ToString("P2", CultureInfo.InvariantCulture)} ({outcome.BestCheckpointPath})"));
        if (outcome.TestAccuracy is { } test) table.AddRow("test accuracy", test.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("time", $"{result.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s ({result.ImagesPerSecond.ToString("N0", CultureInfo.InvariantCulture)} img/s training)");
        table.AddRow("written", Markup.Escape($"{outcome.CheckpointPath ?? "(no checkpoint)"}, {MetricsFile}, {LossPlotFile}, {AccuracyPlotFile}"
            + (outcome.ConfusionPlotPath is null ? "" : $", {EvaluationPlots.ConfusionFile}, {EvaluationPlots.MistakesFile}")));
        table.AddRow("to bake into an app", Markup.Escape($"{outcome.WeightsPath} (see docs/embedding.md)"));
        console.Write(table);
    }

    /// <summary>The console as it is, or a plain one over <paramref name="output"/> (no colours, no live display).</summary>
    private static IAnsiConsole CreateConsole(TextWriter? output)
        => output is null
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
}
