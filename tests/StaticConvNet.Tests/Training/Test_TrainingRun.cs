using StaticConvNet.Data;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Training;

/// <summary>Training from C#, end to end, on a colour network: a 12x12x3 stack, a <see cref="Dataset"/> of 3-channel
/// images, <see cref="TrainingRun"/> (what scn train does: progress, metrics.csv, plots, checkpoint, weights) or
/// <see cref="Trainer.Train"/> (the loop alone), then accuracy on images it has not seen.</summary>
[Network(Height = 12, Width = 12, Channels = 3, Classes = 3)]
[Conv2D(16, Patch = 3)]
[ReLU]
[MaxPool(2)]
[Dense(3)]
public sealed partial class ColourNet;

public class Test_TrainingRun
{
    /// <summary>Class c: a blob brighter in channel c than in the other two, somewhere in the image, over noise.</summary>
    internal static Dataset Blobs(int count, int seed)
    {
        var random = new Random(seed);
        var (images, labels) = (new float[count * 12 * 12 * 3], new int[count]);
        for (var n = 0; n < count; n++)
        {
            labels[n] = random.Next(3);
            var (cy, cx) = (random.Next(2, 10), random.Next(2, 10));
            for (var y = 0; y < 12; y++)
            for (var x = 0; x < 12; x++)
            for (var c = 0; c < 3; c++)
            {
                var inBlob = Math.Abs(y - cy) <= 2 && Math.Abs(x - cx) <= 2;
                images[((n * 12 + y) * 12 + x) * 3 + c] = (float)(random.NextDouble() * 0.3 - 0.15) + (inBlob && c == labels[n] ? 0.4f : 0f);
            }
        }
        return new Dataset(images, labels, 12, 12, channels: 3);
    }

    private static LoadedData Data(bool withTest = false)
        => new(Blobs(600, 1), Blobs(300, 2), withTest ? Blobs(200, 3) : null, "blobs", [], []);

    [Fact]
    public void A_three_channel_network_trains_from_code_learns_and_writes_what_scn_train_writes()
    {
        using var folder = new Scn.TempFolder();
        var output = new StringWriter();
        var (steps, evaluations, checkpoints) = (new List<long>(), new List<EvalReport>(), new List<long>());
        var result = new TrainingRun(new ColourNet(), Data(withTest: true))
        {
            Options = new TrainingOptions { Steps = 300, EvalEvery = 100 },
            OutputFolder = folder.Path,
            Output = output,
            Callbacks = new TrainingCallbacks
            {
                Step = r => steps.Add(r.Step),
                Evaluation = evaluations.Add,
                Checkpoint = c => checkpoints.Add(c.StepsDone),
            },
        }.Fit();

        result.ValidationAccuracy.ShouldBeGreaterThan(0.9f, "chance is 1/3");
        result.TestAccuracy!.Value.ShouldBeGreaterThan(0.9f, "the test split is measured at the end");
        steps.ShouldBe(Enumerable.Range(0, 300).Select(i => (long)i));
        evaluations.Select(e => e.Step).ShouldBe([0L, 100, 200, 299]);
        evaluations[^1].ValidationAccuracy.ShouldBe(result.ValidationAccuracy);
        checkpoints.ShouldBe([1L, 101, 201, 300]);

        result.CheckpointPath.ShouldBe(folder["checkpoint.scnc"]);
        result.WeightsPath.ShouldBe(folder["ColourNet.scnw"]);
        var reloaded = new ColourNet();
        Checkpoint.Load(result.CheckpointPath!).LoadInto(reloaded, result.CheckpointPath!);
        Evaluation.Accuracy(reloaded, Data().Valid!).ShouldBe(result.ValidationAccuracy);
        File.ReadAllLines(result.MetricsPath).Length.ShouldBe(301);
        Scn.ShouldBeAPicture(result.LossPlotPath, 900, 540);
        Scn.ShouldBeAPicture(result.AccuracyPlotPath, 900, 540);
        Scn.ShouldBeAPicture(result.ConfusionPlotPath!, 70 + 3 * 48 + 20, 80 + 3 * 48 + 30);
        var (width, height) = Scn.PngSize(result.MistakesPlotPath!);
        Scn.ShouldBeAPicture(result.MistakesPlotPath!, 810, height);

        var text = output.ToString();
        text.ShouldStartWith("Training ColourNet (2,179 parameters) on 600 images of blobs, validating on 300.\n"
            + "steps 300, batch 16, learning rate 0.05, momentum 0, seed 1\ndevice: cpu (generated SIMD code)\n");
        text.ShouldContain("after    300 steps  validation accuracy");
        text.ShouldContain("test accuracy");
        text.ShouldNotContain("\u001b[", customMessage: "a writer gets plain text");
    }

    [Fact]
    public void A_resumed_run_continues_the_same_metrics_and_ends_where_one_run_would()
    {
        using var folder = new Scn.TempFolder();
        var options = new TrainingOptions { Steps = 60, EvalEvery = 30, Momentum = 0.5f, Seed = 4 };
        new TrainingRun(new ColourNet(), Data()) { Options = options, OutputFolder = folder["split"], Output = TextWriter.Null }.Fit();
        var resumed = new TrainingRun(new ColourNet(), Data())
        {
            Options = options with { Steps = 40, Seed = 99 }, // the checkpoint's seed wins
            OutputFolder = folder["split"],
            Resume = Checkpoint.Load(folder["split/checkpoint.scnc"]),
            Output = TextWriter.Null,
        }.Fit();
        var whole = new TrainingRun(new ColourNet(), Data()) { Options = options with { Steps = 100 }, OutputFolder = folder["whole"], Output = TextWriter.Null }.Fit();

        resumed.Training.StepsDone.ShouldBe(100);
        Checkpoint.Load(resumed.CheckpointPath!).Parameters.ShouldBe(Checkpoint.Load(whole.CheckpointPath!).Parameters);
        static IEnumerable<string> Losses(string path) => File.ReadAllLines(path).Select(l => string.Join(',', l.Split(',')[..4]));
        Losses(resumed.MetricsPath).ShouldBe(Losses(whole.MetricsPath));
    }

    /// <summary>Named classes go into the checkpoint, best checkpoint and weights file; names that are not one per
    /// output, or not those a resumed checkpoint was trained on, are refused before anything is written.</summary>
    [Fact]
    public void Class_names_travel_into_the_run_and_must_fit_the_network_and_the_resumed_checkpoint()
    {
        using var folder = new Scn.TempFolder();
        string[] colours = ["red", "green", "blue"];
        LoadedData Named(IReadOnlyList<string> names) => new(Blobs(600, 1).WithClassNames(names), Blobs(300, 2).WithClassNames(names), null, "blobs", [], []);
        var options = new TrainingOptions { Steps = 20, EvalEvery = 10, Momentum = 0.9f };
        var result = new TrainingRun(new ColourNet(), Named(colours)) { Options = options, OutputFolder = folder["run"], Output = TextWriter.Null }.Fit();
        Checkpoint.Load(result.CheckpointPath!).ClassNames.ShouldBe(colours);
        File.ReadAllText(result.WeightsPath!).ShouldContain("classes: 3\nclass 0: red\nclass 1: green\nclass 2: blue\n");

        Should.Throw<ArgumentException>(() => new TrainingRun(new ColourNet(), Named(["red", "green", "blue", "grey"])) { OutputFolder = folder["four"], Output = TextWriter.Null }.Fit())
            .Message.ShouldBe("blobs has 4 classes (red, green, blue, grey); ColourNet classifies 3");
        Directory.Exists(folder["four"]).ShouldBeFalse("nothing is written");
        Should.Throw<ArgumentException>(() => new TrainingRun(new ColourNet(), Named(["cyan", "magenta", "yellow"]))
            {
                Options = options with { Steps = 10 }, OutputFolder = folder["run"], Resume = Checkpoint.Load(result.CheckpointPath!), Output = TextWriter.Null,
            }.Fit())
            .Message.ShouldBe("The checkpoint to resume was trained on the classes red, green, blue; blobs has cyan, magenta, yellow");
    }

    [Fact]
    public void Early_stopping_without_a_validation_split_or_an_empty_split_is_refused_before_anything_runs()
    {
        using var folder = new Scn.TempFolder();
        Should.Throw<ArgumentException>(() => new TrainingRun(new ColourNet(), new LoadedData(Blobs(60, 1), null, null, "blobs", [], []))
        {
            Options = new TrainingOptions { Steps = 5 }, OutputFolder = folder.Path, Output = TextWriter.Null, EarlyStoppingPatience = 2,
        }.Fit()).Message.ShouldStartWith("Early stopping watches validation accuracy, but blobs has no validation split.");
        Should.Throw<ArgumentException>(() => new TrainingRun(new ColourNet(), new LoadedData(Blobs(60, 1), Blobs(0, 2), null, "blobs", [], []))
        {
            Options = new TrainingOptions { Steps = 5 }, OutputFolder = folder.Path, Output = TextWriter.Null,
        }.Fit()).Message.ShouldBe("The validation split holds no images: its accuracy would be 0/0; give one with images, or none.");
        Directory.GetFiles(folder.Path).ShouldBeEmpty();
    }

    [Fact]
    public void A_folder_holding_a_run_is_refused_unless_resumed_or_overwritten()
    {
        using var folder = new Scn.TempFolder();
        TrainingRun Run(bool overwrite = false, TrainingOptions? options = null, Checkpoint? resume = null) => new(new ColourNet(), Data())
        {
            Options = options ?? new TrainingOptions { Steps = 20, EvalEvery = 10 },
            OutputFolder = folder.Path,
            Output = TextWriter.Null,
            Overwrite = overwrite,
            Resume = resume,
        };
        Run().Fit();
        var e = Should.Throw<RunFolderInUseException>(() => Run().Fit());
        e.Files.ShouldContain("checkpoint.scnc");
        e.Message.ShouldStartWith($"{folder.Path} already holds a run (checkpoint.scnc, best.scnc, metrics.csv");
        File.WriteAllText(folder["notes.txt"], "mine");
        var again = Run(overwrite: true).Fit();
        File.ReadAllLines(again.MetricsPath).Length.ShouldBe(21, "the earlier run's rows are gone, not mixed in");
        File.ReadAllText(folder["notes.txt"]).ShouldBe("mine", "only the run's own files are removed");

        // A run the trainer refuses (a batch larger than the training set, a checkpoint of another optimizer) is refused
        // before the folder is touched, even with Overwrite or a resume that would rewrite metrics.csv.
        var files = Directory.GetFiles(folder.Path).Order().Select(File.ReadAllBytes).ToList();
        Should.Throw<ArgumentException>(() => Run(overwrite: true, new TrainingOptions { Steps = 20, BatchSize = 600 }).Fit())
            .Message.ShouldBe("The training set has 600 images; it needs more than one batch of 600.");
        Should.Throw<ArgumentException>(() => Run(options: new TrainingOptions { Steps = 5, Optimizer = OptimizerKind.Adam }, resume: Checkpoint.Load(again.CheckpointPath!)).Fit())
            .Message.ShouldStartWith("The checkpoint to resume was trained with SGD (momentum 0), not Adam");
        Directory.GetFiles(folder.Path).Order().Select(File.ReadAllBytes).ToList().ShouldBe(files);
    }

    [Fact]
    public void The_best_checkpoint_is_kept_and_early_stopping_ends_a_run_that_stopped_improving()
    {
        using var folder = new Scn.TempFolder();
        var evaluations = new List<EvalReport>();
        var network = new ColourNet();
        var result = new TrainingRun(network, Data())
        {
            // A learning rate this small barely moves the network: validation stops improving at once.
            Options = new TrainingOptions { Steps = 5000, EvalEvery = 5, Schedule = new(1e-7f) },
            OutputFolder = folder.Path,
            Output = TextWriter.Null,
            EarlyStoppingPatience = 3,
            Callbacks = new TrainingCallbacks { Evaluation = evaluations.Add },
        }.Fit();
        result.StoppedEarly.ShouldBeTrue();
        result.Interrupted.ShouldBeFalse("an early stop is a normal end");
        result.Training.StepsDone.ShouldBeLessThan(5000);
        var bestIndex = evaluations.FindIndex(e => e.ValidationAccuracy == evaluations.Max(x => x.ValidationAccuracy));
        evaluations.Count.ShouldBe(bestIndex + 1 + 3, "three evaluations without improvement after the best");
        result.BestValidationAccuracy.ShouldBe(evaluations[bestIndex].ValidationAccuracy);
        var best = new ColourNet();
        Checkpoint.Load(result.BestCheckpointPath!).LoadInto(best, "best");
        Checkpoint.Load(result.BestCheckpointPath!).StepsDone.ShouldBe(evaluations[bestIndex].Step + 1);
        Evaluation.Accuracy(best, Data().Valid!).ShouldBe(result.BestValidationAccuracy!.Value);
        File.Exists(result.WeightsPath).ShouldBeTrue();
        network.Parameters.ToArray().ShouldBe(Checkpoint.Load(result.BestCheckpointPath!).Parameters, "the run ends with the best weights, not the last");
    }

    [Fact]
    public void Early_stopping_counts_a_resumed_runs_earlier_evaluations()
    {
        using var folder = new Scn.TempFolder();
        // A learning rate this small leaves validation accuracy where it starts: no evaluation improves on the first.
        var options = new TrainingOptions { Steps = 16, EvalEvery = 5, Schedule = new(1e-9f) };
        new TrainingRun(new ColourNet(), Data()) { Options = options, OutputFolder = folder.Path, Output = TextWriter.Null }.Fit(); // evaluations at 0, 5, 10, 15
        var resumed = new TrainingRun(new ColourNet(), Data())
        {
            Options = options with { Steps = 100 },
            OutputFolder = folder.Path,
            Output = TextWriter.Null,
            Resume = Checkpoint.Load(folder["checkpoint.scnc"]),
            EarlyStoppingPatience = 4,
        }.Fit();
        resumed.StoppedEarly.ShouldBeTrue();
        resumed.Training.StepsDone.ShouldBe(21, "three evaluations without improvement before, the fourth at step 20");
    }

    [Fact]
    public void A_diverged_run_keeps_its_last_good_checkpoint_writes_no_weights_and_says_so()
    {
        using var folder = new Scn.TempFolder();
        var output = new StringWriter();
        var result = new TrainingRun(new ColourNet(), Data())
        {
            Options = new TrainingOptions { Steps = 200, EvalEvery = 1, Schedule = new(1e6f) },
            OutputFolder = folder.Path,
            Output = output,
        }.Fit();
        result.Diverged.ShouldBeTrue();
        result.WeightsPath.ShouldBeNull();
        File.Exists(folder["ColourNet.scnw"]).ShouldBeFalse();
        File.Exists(result.MetricsPath).ShouldBeTrue("what was measured before is kept");
        output.ToString().ShouldContain($"Training diverged at step {result.Training.DivergedAtStep}");
        if (result.CheckpointPath is { } path) Checkpoint.Load(path).StepsDone.ShouldBe(result.LastCheckpointStep!.Value + 1);
    }

    [Fact]
    public void A_batch_larger_than_the_compiled_capacity_trains_as_several_passes_and_is_the_same_on_one_core_or_two()
    {
        // 64 images on a network compiled for 16: four passes a step. The same run with the team forced onto one
        // thread (a team asked for from inside a team job runs inline) ends on the same bits.
        var options = new TrainingOptions { Steps = 5, BatchSize = 64, EvalEvery = 0 };
        var two = new ColourNet();
        Trainer.Train(two, Blobs(200, 1), null, options).StepsDone.ShouldBe(5);
        var one = new ColourNet();
        CoreTeam.Run(half => { if (half == 0) Trainer.Train(one, Blobs(200, 1), null, options); });
        one.Parameters.ToArray().ShouldBe(two.Parameters.ToArray());
        Should.Throw<TrainingOptionsException>(() => Trainer.Train(new ColourNet(), Blobs(200, 1), null, options with { BatchSize = 0 }))
            .Message.ShouldBe("BatchSize must be at least 1, got 0");
    }

    [Fact]
    public void Filling_the_next_batch_beside_the_update_trains_the_same_bits_on_one_core_or_two()
    {
        // Each step's update runs beside the fill and shifts of the next batch, both split over the two cores (StepBatches):
        // with Adam, shifts and dropout's per-step masks, the run must end where the same run on one thread ends, and where
        // it ends when resumed half way (the first batch of a resumed run is filled afresh).
        var options = new TrainingOptions { Steps = 9, BatchSize = 8, EvalEvery = 0, Optimizer = OptimizerKind.Adam, Schedule = new(0.003f), RandomShift = 2 };
        var two = new ColourNet();
        Trainer.Train(two, Blobs(200, 1), null, options);
        var one = new ColourNet();
        CoreTeam.Run(half => { if (half == 0) Trainer.Train(one, Blobs(200, 1), null, options); });
        one.Parameters.ToArray().ShouldBe(two.Parameters.ToArray());

        var resumed = new ColourNet();
        Checkpoint? halfway = null;
        Trainer.Train(resumed, Blobs(200, 1), null, options with { Steps = 4 }, callbacks: new TrainingCallbacks { Checkpoint = c => halfway = c });
        Trainer.Train(resumed, Blobs(200, 1), null, options with { Steps = 5 }, resume: halfway);
        resumed.Parameters.ToArray().ShouldBe(two.Parameters.ToArray());
    }

    [Fact]
    public void Colour_data_without_its_channel_count_says_how_many_values_per_pixel_it_has()
    {
        var e = Should.Throw<ArgumentException>(() => new Dataset(new float[2 * 12 * 12 * 3], new int[2], 12, 12));
        e.Message.ShouldBe("2 labels of 12x12x1 images need 288 image values, got 864. That is 3 values per pixel: pass channels: 3.");
        var grey = new Dataset(new float[4 * 12 * 12], new int[4], 12, 12);
        Should.Throw<ArgumentException>(() => Trainer.Train(new ColourNet(), grey, null, new TrainingOptions { Steps = 1, BatchSize = 2 }))
            .Message.ShouldBe("Training images are 12x12x1; ColourNet takes 12x12x3.");
    }
}

/// <summary>What a training run keeps when the network blows up, and what a failed write names.</summary>
public class Test_WhatIsKept
{
    /// <summary>A device whose updates make the weights huge but finite, and whose losses stay finite: only the logits
    /// (infinite or NaN) show the network is gone.</summary>
    private sealed class BlowingUp(IConvNet network) : ITrainingDevice
    {
        private readonly CpuTrainingDevice _cpu = new(network);
        public string Name => "blowing up";
        public int MaxBatchSize => _cpu.MaxBatchSize;
        public void Start(IConvNet host, Optimizer optimizer, ulong dropoutSeed, float? dropoutRate) => _cpu.Start(host, optimizer, dropoutSeed, dropoutRate);
        public (float Loss, int Correct) ComputeGradients(float[] images, int[] labels, int count, long step) => (1f, 0);
        public float[] TrainingLogits(int count) => _cpu.TrainingLogits(count);
        public void Update(float learningRate) => network.Parameters.Fill(1e30f);
        public void Synchronise(IConvNet host, Optimizer optimizer) { }
        public float Evaluate(Dataset data) => Evaluation.Accuracy(network, data);
    }

    /// <summary>A device whose updates are the CPU's, after which Adam's second moment holds +∞ (what a gradient past
    /// 5.8e20 gives): the weights and logits stay finite, but a checkpoint of that state would not load back.</summary>
    private sealed class InfiniteMoment(IConvNet network) : ITrainingDevice
    {
        private readonly CpuTrainingDevice _cpu = new(network);
        private AdamOptimizer? _adam;
        public string Name => "infinite moment";
        public int MaxBatchSize => _cpu.MaxBatchSize;
        public void Start(IConvNet host, Optimizer optimizer, ulong dropoutSeed, float? dropoutRate)
        {
            _adam = (AdamOptimizer)optimizer;
            _cpu.Start(host, optimizer, dropoutSeed, dropoutRate);
        }
        public (float Loss, int Correct) ComputeGradients(float[] images, int[] labels, int count, long step) => _cpu.ComputeGradients(images, labels, count, step);
        public float[] TrainingLogits(int count) => _cpu.TrainingLogits(count);
        public void Update(float learningRate)
        {
            _cpu.Update(learningRate);
            _adam!.SecondMoment[0] = float.PositiveInfinity;
        }
        public void Synchronise(IConvNet host, Optimizer optimizer) { }
        public float Evaluate(Dataset data) => Evaluation.Accuracy(network, data);
    }

    [Fact]
    public void A_checkpoint_whose_optimizer_state_is_not_finite_is_not_kept()
    {
        var network = new ColourNet();
        var kept = new List<Checkpoint>();
        Trainer.Run(new InfiniteMoment(network), network, Test_TrainingRun.Blobs(40, 1), Test_TrainingRun.Blobs(20, 2),
            new TrainingOptions { Steps = 3, EvalEvery = 1, Optimizer = OptimizerKind.Adam, Schedule = new(0.001f) },
            callbacks: new TrainingCallbacks { Checkpoint = kept.Add });
        kept.ShouldBeEmpty();
    }

    [Fact]
    public void A_checkpoint_whose_weights_are_finite_but_whose_logits_are_not_is_not_kept()
    {
        var network = new ColourNet();
        var kept = new List<long>();
        Trainer.Run(new BlowingUp(network), network, Test_TrainingRun.Blobs(40, 1), Test_TrainingRun.Blobs(20, 2),
            new TrainingOptions { Steps = 3, EvalEvery = 1 }, callbacks: new TrainingCallbacks { Checkpoint = c => kept.Add(c.StepsDone) });
        network.Parameters[0].ShouldBe(1e30f, "finite weights");
        kept.ShouldBeEmpty();
    }

    [Fact]
    public void A_write_that_fails_names_the_file_not_its_temporary()
    {
        using var folder = new Scn.TempFolder();
        var target = folder["missing/model.onnx"];
        var e = Should.Throw<IOException>(() => AtomicFile.Write(target, s => s.WriteByte(1)));
        e.Message.ShouldStartWith($"{target}: cannot write it");
        e.Message.ShouldNotContain(".tmp");
    }
}
