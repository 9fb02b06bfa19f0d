using StaticConvNet;
using StaticConvNet.Data;
using StaticConvNet.Training;
using TrainYourOwn;

// dotnet run -c Release [-- STEPS [OUT]]: trains TinyNet on the bundled notMNIST data.
var steps = 2001;
if (args.Length > 0 && (!int.TryParse(args[0], out steps) || steps < 1))
{
    Console.Error.WriteLine($"error: STEPS must be a positive whole number, got '{args[0]}'");
    return 1;
}
var folder = args.Length > 1 ? args[1] : Path.Combine("runs", nameof(TinyNet));

// Any source scn reads: DataSources.Load("notMNIST_small.tar.gz"), a PNG folder tree, a notebook .pickle, a folder
// of IDX files. The bundled data is found above the working directory.
var data = DataSources.LoadBundled();
var network = new TinyNet();
Console.WriteLine(network.Summary());

var best = 0f;
var result = new TrainingRun(network, data)
{
    Options = new TrainingOptions { Steps = steps, BatchSize = 16, Schedule = new(0.01f), Momentum = 0.9f, EvalEvery = 500 },
    OutputFolder = folder,
    Overwrite = true, // each run of the sample starts again (without it, a folder holding a run is refused)
    // Your own reporting, beside the run's: here, the best validation accuracy seen.
    Callbacks = new TrainingCallbacks { Evaluation = e => best = Math.Max(best, e.ValidationAccuracy) },
}.Fit();
if (result.Diverged) return 2;

// The checkpoint is everything needed to evaluate (or resume) later, in another process.
var reloaded = new TinyNet();
Checkpoint.Load(result.CheckpointPath!).LoadInto(reloaded, result.CheckpointPath!);
Console.WriteLine($"best validation accuracy {best:P2}; the reloaded checkpoint scores {Evaluation.Accuracy(reloaded, data.Valid!):P2}");
return 0;
