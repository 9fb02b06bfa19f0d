using System.CommandLine;
using System.Globalization;
using StaticConvNet.Data;
using StaticConvNet.Models;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary><c>scn train MODEL</c>: the notebook's experiment on the bundled data, with its recipe as defaults.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "arch1..arch4 or a network class name (see 'scn models')." };
        var steps = new Option<int?>("--steps") { Description = "Training steps (default: the notebook's for the model)." };
        var batch = new Option<int?>("--batch-size") { Description = "Images per step, up to the model's compiled batch capacity." };
        var rate = new Option<float?>("--learning-rate") { Description = "Initial learning rate." };
        var decaySteps = new Option<int?>("--decay-steps") { Description = "Decay the learning rate every this many steps (TensorFlow exponential_decay)." };
        var decayRate = new Option<float?>("--decay-rate") { Description = "Multiply the learning rate by this per decay period." };
        var staircase = new Option<bool?>("--staircase") { Description = "Decay in whole periods rather than continuously." };
        var momentum = new Option<float?>("--momentum") { Description = "SGD momentum (0 = the notebook's plain SGD)." };
        var seed = new Option<int>("--seed") { Description = "Seed of initial weights, data order and dropout.", DefaultValueFactory = _ => 1 };
        var evalEvery = new Option<int?>("--eval-every") { Description = "Print validation accuracy every this many steps." };
        var output = new Option<string?>("--out") { Description = "Folder for metrics.csv." };

        var command = new Command("train", "Train a model on the bundled notMNIST data and report validation accuracy.")
        {
            model, steps, batch, rate, decaySteps, decayRate, staircase, momentum, seed, evalEvery, output,
        };
        command.SetAction(result =>
        {
            var entry = ModelCatalog.Find(result.GetValue(model)!)
                ?? throw new UserError($"unknown model '{result.GetValue(model)}'; known: {string.Join(", ", ModelCatalog.All.Select(m => m.Key))} (see 'scn models')");
            var recipe = entry.NotebookRecipe;
            var schedule = recipe.Schedule;
            schedule = schedule with
            {
                InitialRate = result.GetValue(rate) ?? schedule.InitialRate,
                DecaySteps = result.GetValue(decaySteps) ?? schedule.DecaySteps,
                DecayRate = result.GetValue(decayRate) ?? schedule.DecayRate,
                Staircase = result.GetValue(staircase) ?? schedule.Staircase,
            };
            var options = recipe with
            {
                Steps = result.GetValue(steps) ?? recipe.Steps,
                BatchSize = result.GetValue(batch) ?? recipe.BatchSize,
                Schedule = schedule,
                Momentum = result.GetValue(momentum) ?? recipe.Momentum,
                Seed = result.GetValue(seed),
                EvalEvery = result.GetValue(evalEvery) ?? recipe.EvalEvery,
            };
            return Run(entry, options, result.GetValue(output));
        });
        return command;
    }

    private static int Run(ModelEntry entry, TrainingOptions options, string? outputFolder)
    {
        var network = entry.Create();
        if (options.Steps < 1) throw new UserError($"--steps must be at least 1, got {options.Steps}");
        if (options.BatchSize < 1 || options.BatchSize > network.BatchCapacity)
            throw new UserError($"--batch-size must be 1..{network.BatchCapacity} ({entry.ClassName} was compiled with BatchCapacity = {network.BatchCapacity}), got {options.BatchSize}");

        var (train, valid) = BundledData.Load();
        Console.WriteLine($"Training {entry.Key} ({entry.ClassName}, {network.ParameterCount:N0} parameters) on {train.Count:N0} images, validating on {valid.Count:N0}.");
        Console.WriteLine($"steps {options.Steps}, batch {options.BatchSize}, learning rate {Describe(options.Schedule)}, momentum {options.Momentum}, seed {options.Seed}");

        var metrics = new List<string> { "step,loss,minibatch_accuracy,learning_rate,validation_accuracy" };
        var lastReport = default(StepReport);
        var printEvery = Math.Max(1, options.EvalEvery > 0 ? options.EvalEvery : options.Steps / 10);
        var result = Trainer.Train(network, train, valid, options,
            onStep: report =>
            {
                lastReport = report;
                metrics.Add(string.Create(CultureInfo.InvariantCulture, $"{report.Step},{report.Loss},{report.MinibatchAccuracy},{report.LearningRate},"));
                if (report.Step % printEvery == 0)
                    Console.WriteLine($"step {report.Step,6}  loss {report.Loss,8:F4}  minibatch {report.MinibatchAccuracy,6:P1}  lr {report.LearningRate:G3}  {report.ImagesPerSecond,8:N0} img/s");
            },
            onEval: eval =>
            {
                metrics[^1] += eval.ValidationAccuracy.ToString(CultureInfo.InvariantCulture);
                Console.WriteLine($"step {eval.Step,6}  validation accuracy {eval.ValidationAccuracy:P1}");
            });

        if (result.Diverged)
        {
            Console.Error.WriteLine($"error: training diverged at step {result.StepsDone}: the loss became {result.FinalLoss}. Lower --learning-rate or try another --seed.");
            return 2;
        }
        Console.WriteLine($"Done: {result.StepsDone} steps in {result.Elapsed.TotalSeconds:F1} s ({lastReport.ImagesPerSecond:N0} img/s), validation accuracy {result.ValidationAccuracy:P2}.");
        if (outputFolder is not null)
        {
            Directory.CreateDirectory(outputFolder);
            AtomicFile.WriteAllLines(Path.Combine(outputFolder, "metrics.csv"), metrics);
            Console.WriteLine($"Wrote {Path.Combine(outputFolder, "metrics.csv")}");
        }
        return 0;
    }

    private static string Describe(LearningRateSchedule s)
        => s.DecaySteps > 0 && s.DecayRate != 1f
            ? $"{s.InitialRate} x {s.DecayRate}^(step/{s.DecaySteps}{(s.Staircase ? ", staircase" : "")})"
            : s.InitialRate.ToString(CultureInfo.InvariantCulture);
}
