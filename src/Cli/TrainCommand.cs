using System.CommandLine;
using System.Globalization;
using StaticConvNet.Data;
using StaticConvNet.Gpu;
using StaticConvNet.Models;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary><c>scn train MODEL</c>: the notebook's experiment, with its recipe as defaults (or the best recipe); the
/// training flags and how they override a recipe are <see cref="TrainingFlags"/>'s.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "arch1..arch4, lenet5, or a network class name (see 'scn models'; with --assembly, your own)." };
        var data = new Option<string?>("--data") { Description = "A folder of IDX files, an image folder (ROOT/<class>/*.png|jpg, or the same under ROOT/train/ and ROOT/valid/), notMNIST's .tar.gz, or a notebook .pickle; default: the bundled notMNIST data." };
        var source = new DataCommand.SourceOptions();
        var flags = new TrainingFlags();
        var output = new Option<string?>("--out") { Description = "Folder for checkpoint.scnc, MODEL.scnw (weights to bake into an app), metrics.csv, loss.png, accuracy.png (default: runs/MODEL; with --resume, the checkpoint's folder)." };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint: its seed, data order and optimizer state; bit for bit when given the flags it was trained with (scn prints that command when a run stops), which the checkpoint does not hold." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start again in an --out folder that holds another run (its files are removed first)." };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "Stop when validation accuracy has not improved for this many evaluations (--eval-every apart); best.scnc keeps the best." };
        var device = DeviceChoice.CreateOption();

        var command = new Command("train", "Train a model and report validation accuracy, as the notebook did.")
        {
            model, data, output, resume, overwrite, earlyStopping, device,
        };
        flags.AddTo(command);
        source.AddTo(command);
        command.SetAction(result =>
        {
            var catalog = NetworkCatalog.From(result);
            var entry = catalog.Get(result.GetValue(model)!);
            var options = flags.Resolve(entry, result);
            var deviceKind = DeviceChoice.Parse(result.GetValue(device)!);
            if (result.GetValue(earlyStopping) is < 1) throw new UserError($"--early-stopping is a number of evaluations, at least 1; got {result.GetValue(earlyStopping)}");
            var resumePath = result.GetValue(resume);
            // A resumed run goes on in its own folder unless told otherwise: runs/MODEL may hold another run.
            var folder = result.GetValue(output) ?? (resumePath is not null ? Path.GetDirectoryName(Path.GetFullPath(resumePath))! : Path.Combine("runs", entry.Key));
            var run = new RunRequest(folder, resumePath, result.GetValue(overwrite),
                result.GetValue(earlyStopping), ExplicitSeed: flags.SeedGiven(result), deviceKind);
            return Run(catalog, entry, options, input => source.Load(result.GetValue(data), result, input), run);
        });
        return command;
    }

    /// <summary>Where and how a run goes, beside its training options; the folder is made once the checkpoint to resume
    /// (if any) has been read and checked, so that a refused resume leaves no folder behind.</summary>
    private sealed record RunRequest(string OutputFolder, string? ResumePath, bool Overwrite, int? EarlyStopping, bool ExplicitSeed, DeviceKind Device);

    /// <param name="load">Reads the data, its image files delivered at the network's input shape.</param>
    private static int Run(NetworkCatalog catalog, ModelEntry entry, TrainingOptions options, Func<LayerShape, LoadedData> load, RunRequest request)
    {
        var (resumePath, explicitSeed, deviceKind) = (request.ResumePath, request.ExplicitSeed, request.Device);
        if (request.Overwrite && resumePath is not null) throw new UserError("--overwrite starts again and --resume continues: give one of them");
        var network = entry.Create();
        var device = DeviceChoice.Open(deviceKind);
        using var context = device?.Context;
        using var accelerator = device?.Accelerator;
        Validate(network, options, onGpu: accelerator is not null);
        Checkpoint? resume = null;
        if (resumePath is not null)
        {
            resume = Checkpoint.Load(resumePath);
            if (resume.ModelName != entry.ClassName)
                throw new UserError($"{resumePath} is a checkpoint of {resume.ModelName}, not of {entry.ClassName}; resume it with 'scn train {catalog.Find(resume.ModelName)?.Key ?? resume.ModelName}'");
            if (explicitSeed && options.Seed != resume.Seed)
                throw new UserError($"{resumePath} was trained with --seed {resume.Seed}; a resumed run keeps its seed");
            resume.CheckFits(network, resumePath);
            if (resume.OptimizerMismatch(Optimizer.For(options, 0)) is { } mismatch)
                throw new UserError($"{resumePath} {mismatch}: resume it with the optimizer flags it was trained with (--optimizer, --momentum, --weight-decay, or the same --recipe)");
        }
        var outputFolder = OutputPaths.Folder(request.OutputFolder, "--out");
        // Before the data is read: a resume into another run's folder is refused at once.
        if (resumePath is not null && HeldByAnotherRun(entry.Key, outputFolder, resumePath) is { Count: > 0 } held)
        {
            throw new UserError($"{outputFolder} holds another run ({string.Join(", ", held)}) and {resumePath} is not its checkpoint: "
                + "resume into the checkpoint's folder (leave out --out) or into an empty one");
        }
        // The JIT compiles the network's passes on the other core while this one reads the data and sets the run up, so
        // the first step does not wait for it (arch3: a 75 ms first step of a two-core run).
        var compiling = accelerator is null ? Task.Run(() => network.CompilePasses(options)) : Task.CompletedTask;
        var data = load(network.Description.Input);
        if (data.Train.ImageLength != network.InputLength)
            throw new UserError($"{entry.ClassName} takes {network.Description.Input} images, but the training data has {data.Train.Height}x{data.Train.Width}x{data.Train.Channels}");
        if (data.Valid is { Count: 0 })
            throw new UserError($"{data.Description}'s validation split holds no images (where --valid-fraction made it, each class's share rounds to whole images: raise it, or add images)");
        if (request.EarlyStopping is not null && data.Valid is null)
            throw new UserError($"--early-stopping watches validation accuracy, but {data.Description} has no validation split");
        if (data.Train.Count <= options.BatchSize)
            throw new UserError($"--batch-size {options.BatchSize} needs a training split of more than one batch; {data.Description} has {data.Train.Count:N0} training images");
        if (LabelNames.OutputsProblem(data.ClassNames, data.Description, network.OutputLength, entry.ClassName) is { } outputsProblem)
            throw new UserError(outputsProblem);
        if (LabelNames.TrainedOnOther(resume?.ClassNames, resumePath ?? "the checkpoint", data.ClassNames, data.Description) is { } resumeProblem)
            throw new UserError(resumeProblem);

        using var gpu = accelerator is null ? null : DeviceChoice.GpuNetworkOf(network, accelerator, options.BatchSize);
        var run = new TrainingRun(network, data)
        {
            Options = options,
            Name = entry.Key,
            OutputFolder = outputFolder,
            Resume = resume,
            Device = gpu is null ? null : new GpuTrainingDevice(gpu),
            Overwrite = request.Overwrite,
            EarlyStoppingPatience = request.EarlyStopping,
        };
        compiling.GetAwaiter().GetResult();
        TrainingRunResult result;
        try
        {
            result = run.Fit();
        }
        catch (RunFolderInUseException e)
        {
            throw new UserError($"{e.Folder} already holds a run ({string.Join(", ", e.Files)}): continue it with --resume {Path.Combine(e.Folder, TrainingRun.CheckpointFile)}, "
                + "start again with --overwrite, or choose another --out");
        }
        if (result.Interrupted)
        {
            Console.WriteLine(result.CheckpointPath is { } kept
                ? $"to go on: {ResumeCommand.For(Environment.GetCommandLineArgs()[1..], kept, result.StepsLeft)}"
                : "no checkpoint was kept (the network had blown up), so there is nothing to resume");
            return result.Signal == System.Runtime.InteropServices.PosixSignal.SIGTERM ? ExitTerminated : ExitInterrupted;
        }
        if (result.Diverged)
        {
            Console.Error.WriteLine($"error: training diverged at step {result.Training.DivergedAtStep} (see above). "
                + $"Lower --learning-rate (now {options.Schedule.InitialRate.ToString(CultureInfo.InvariantCulture)}), or try another --seed.");
            return 2;
        }
        return 0;
    }

    /// <summary>Exit codes of a run stopped by a signal, as a shell reports one (128 + the signal's number), though this
    /// one stopped cleanly with everything written.</summary>
    public const int ExitInterrupted = 130, ExitTerminated = 143;

    /// <summary>The largest batch the ILGPU path takes (its buffers are allocated per run, not compiled in).</summary>
    private const int GpuBatchLimit = 4096;

    /// <summary>The run files in <paramref name="folder"/> when it is not the folder of the checkpoint being resumed: a
    /// resumed run continues the metrics and overwrites the checkpoint and weights of the folder it writes to.</summary>
    private static List<string> HeldByAnotherRun(string runName, string folder, string resumePath)
    {
        var own = Path.GetDirectoryName(Path.GetFullPath(resumePath));
        if (string.Equals(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar), own, StringComparison.Ordinal)) return [];
        return [.. TrainingRun.FilesOf(runName).Where(f => File.Exists(Path.Combine(folder, f)))];
    }

    /// <summary>The checks that belong to the command line (the ILGPU device's own limits); every option itself is
    /// checked by <see cref="TrainingOptions.Validate"/>, whose message this names by its flag.</summary>
    private static void Validate(IConvNet network, TrainingOptions options, bool onGpu)
    {
        if (onGpu && (options.BatchSize < 1 || options.BatchSize > GpuBatchLimit))
            throw new UserError($"--batch-size must be 1..{GpuBatchLimit} on an ILGPU device, got {options.BatchSize}");
        if (onGpu && options.Optimizer != OptimizerKind.Sgd) throw new UserError("the ILGPU devices train with SGD only; Adam runs on --device cpu");
        try
        {
            options.Validate(network, onGpu ? GpuBatchLimit : int.MaxValue, passCapacity: onGpu ? options.BatchSize : null);
        }
        catch (TrainingOptionsException e)
        {
            throw new UserError($"{TrainingFlags.FlagOf(e.Option)} {e.Problem}");
        }
    }
}
