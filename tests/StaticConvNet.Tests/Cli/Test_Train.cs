using System.Globalization;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Cli;

/// <summary>scn train end to end on the real bundled notMNIST data.</summary>
public class Test_Train
{
    [Fact]
    public void A_short_run_learns_well_above_chance_and_writes_its_files()
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("train", "arch1", "--steps", "200", "--eval-every", "100", "--out", folder.Path);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain("validation accuracy");
        run.Output.ShouldNotContain("\u001b[", customMessage: "no escape codes when the output is not a terminal");

        var rows = File.ReadAllLines(folder["metrics.csv"]);
        rows[0].ShouldBe("step,loss,minibatch_accuracy,learning_rate,validation_accuracy");
        rows.Length.ShouldBe(201);
        var validation = rows.Skip(1).Select(r => r.Split(',')[4]).Where(v => v.Length > 0)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        validation.Count.ShouldBe(3); // steps 0, 100, 199
        validation[0].ShouldBeLessThan(0.3, "an untrained network is near chance (10 %)");
        validation[^1].ShouldBeGreaterThan(0.7, "200 steps of arch1 reach well above chance");

        Scn.PngSize(folder["loss.png"]).ShouldBe((900, 540));
        Scn.PngSize(folder["accuracy.png"]).ShouldBe((900, 540));
        Checkpoint.Load(folder["checkpoint.scnc"]).StepsDone.ShouldBe(200);
    }

    [Fact]
    public void A_resumed_cosine_run_decays_over_the_whole_run_and_bad_recipe_flags_are_one_line()
    {
        using var folder = new Scn.TempFolder();
        string[] recipe = ["--momentum", "0.9", "--learning-rate", "0.01", "--schedule", "cosine", "--warmup-steps", "5", "--shift", "2", "--eval-every", "0"];
        Scn.Run(["train", "arch1", "--steps", "20", "--out", folder["split"], .. recipe]).ExitCode.ShouldBe(0);
        var resumed = Scn.Run(["train", "arch1", "--steps", "21", "--out", folder["split"], "--resume", folder["split/checkpoint.scnc"], .. recipe]);
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        // Over the whole run, the resumed part included, so an interrupted run resumed with the steps it had left gets
        // the rates it would have had (bit for bit: Test_SchedulesAndAugmentation).
        resumed.Output.ShouldContain("learning rate 0.01 cosine to 0 over 36 steps after 5 warm-up");

        Scn.Run("train", "arch1", "--schedule", "linear").ShouldBeCleanError("--schedule is exponential or cosine, not 'linear'");
        Scn.Run("train", "arch1", "--shift", "28").ShouldBeCleanError("--shift must be 0..27 pixels for 28x28x1 images, got 28");
        Scn.Run("train", "arch1", "--optimizer", "rmsprop").ShouldBeCleanError("--optimizer is sgd, adam or adamw, not 'rmsprop'");
        Scn.Run("train", "arch1", "--optimizer", "adam", "--momentum", "0.9").ShouldBeCleanError("--momentum is SGD's; Adam keeps its own moments");
        Scn.Run("train", "arch1", "--weight-decay", "0.01").ShouldBeCleanError("--weight-decay is AdamW's, but the optimizer is Sgd");
        Scn.Run("train", "arch1", "--optimizer", "adam", "--device", "ilgpu-cpu").ShouldBeCleanError("the ILGPU devices train with SGD only");
    }

    /// <summary>--recipe best starts from the model's best recipe and each flag overrides one value of it; a flag that
    /// switches the optimizer drops the recipe's weight decay with it. Seen in the run's header, after one step.</summary>
    [Theory]
    [InlineData(new string[0], "steps 1, batch 32, learning rate 0.002 cosine to 0 over 1 steps, AdamW (weight decay 0.05), seed 1, shifts up to 3 px")]
    [InlineData(new[] { "--learning-rate", "0.001", "--batch-size", "16" }, "steps 1, batch 16, learning rate 0.001 cosine to 0 over 1 steps, AdamW (weight decay 0.05)")]
    [InlineData(new[] { "--schedule", "exponential", "--weight-decay", "0.2" }, "steps 1, batch 32, learning rate 0.002, AdamW (weight decay 0.2), seed 1, shifts up to 3 px")]
    [InlineData(new[] { "--optimizer", "sgd", "--momentum", "0.9", "--shift", "0" }, "steps 1, batch 32, learning rate 0.002 cosine to 0 over 1 steps, momentum 0.9, seed 1")]
    public void The_best_recipe_is_a_starting_point_each_flag_overrides(string[] flags, string header)
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run(["train", "arch2", "--recipe", "best", "--steps", "1", "--out", folder.Path, .. flags]);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain(header);
    }

    /// <summary>The networks of blocks train, checkpoint (with BatchNorm's running statistics) and resume like the others.</summary>
    [Theory]
    [InlineData("inception")]
    [InlineData("resnet")]
    public void The_models_of_blocks_train_and_resume_through_scn(string model)
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("train", model, "--recipe", "best", "--steps", "3", "--eval-every", "2", "--out", folder.Path);
        run.ExitCode.ShouldBe(0, run.Error);
        var checkpoint = Path.Combine(folder.Path, "checkpoint.scnc");
        var resumed = Scn.Run("train", model, "--recipe", "best", "--steps", "2", "--resume", checkpoint, "--out", folder.Path);
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        Checkpoint.Load(checkpoint).StepsDone.ShouldBe(5);
        File.Exists(Path.Combine(folder.Path, model + ".scnw")).ShouldBeTrue();
    }

    [Fact]
    public void A_recipe_that_does_not_exist_or_was_not_measured_is_one_line()
    {
        Scn.Run("train", "arch2", "--recipe", "fast").ShouldBeCleanError("--recipe is notebook or best, not 'fast'");
        Scn.Run("train", "lenet5", "--recipe", "best").ShouldBeCleanError("lenet5 has no best recipe: --recipe best is measured for arch1, arch2, arch3, arch4, inception, resnet; give its flags yourself");
    }

    [Fact]
    public void Training_again_into_a_folder_that_holds_a_run_needs_resume_or_overwrite()
    {
        using var folder = new Scn.TempFolder();
        Scn.Run("train", "arch1", "--steps", "5", "--out", folder.Path).ExitCode.ShouldBe(0);
        Scn.Run("train", "arch1", "--steps", "5", "--out", folder.Path).ShouldBeCleanError(
            $"{folder.Path} already holds a run (checkpoint.scnc, best.scnc, metrics.csv, loss.png, accuracy.png, confusion.png, mistakes.png, arch1.scnw): "
            + $"continue it with --resume {folder["checkpoint.scnc"]}, start again with --overwrite, or choose another --out");
        Scn.Run("train", "arch1", "--steps", "5", "--out", folder.Path, "--overwrite").ExitCode.ShouldBe(0);
        Scn.Run("train", "arch1", "--steps", "5", "--out", folder.Path, "--overwrite", "--resume", folder["checkpoint.scnc"])
            .ShouldBeCleanError("--overwrite starts again and --resume continues: give one of them");
    }

    /// <summary>A resumed run goes on in its checkpoint's folder, never in another run's; a run refused at the start
    /// (a batch larger than the data, a resume with another optimizer) removes and changes nothing, even with --overwrite.</summary>
    [Fact]
    public void A_resumed_run_stays_in_its_folder_and_a_refused_run_touches_nothing()
    {
        using var folder = new Scn.TempFolder();
        Scn.Run("train", "arch1", "--steps", "5", "--eval-every", "0", "--out", folder["a"]).ExitCode.ShouldBe(0);
        Scn.Run("train", "arch1", "--steps", "4", "--eval-every", "0", "--out", folder["b"]).ExitCode.ShouldBe(0);
        var resumed = Scn.Run("train", "arch1", "--steps", "3", "--eval-every", "0", "--resume", folder["a/checkpoint.scnc"]);
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        Checkpoint.Load(folder["a/checkpoint.scnc"]).StepsDone.ShouldBe(8);
        File.ReadAllLines(folder["a/metrics.csv"]).Length.ShouldBe(9);

        Scn.Run("train", "arch1", "--steps", "3", "--resume", folder["a/checkpoint.scnc"], "--out", folder["b"]).ShouldBeCleanError(
            $"{folder["b"]} holds another run (checkpoint.scnc, best.scnc, metrics.csv, loss.png, accuracy.png, confusion.png, mistakes.png, arch1.scnw) "
            + $"and {folder["a/checkpoint.scnc"]} is not its checkpoint: resume into the checkpoint's folder (leave out --out) or into an empty one");
        Checkpoint.Load(folder["b/checkpoint.scnc"]).StepsDone.ShouldBe(4);
        Scn.Run("train", "arch1", "--resume", folder["typo/checkpoint.scnc"]).ShouldBeCleanError($"{folder["typo/checkpoint.scnc"]}: does not exist");
        Directory.Exists(folder["typo"]).ShouldBeFalse("a refused resume makes no folder");

        var before = Directory.GetFiles(folder["a"]).Order().Select(File.ReadAllBytes).ToList();
        Scn.Run("train", "arch1", "--steps", "3", "--resume", folder["a/checkpoint.scnc"], "--optimizer", "adam").ShouldBeCleanError(
            $"{folder["a/checkpoint.scnc"]} was trained with SGD (momentum 0), not Adam(β1 0.9, β2 0.999, ε 1E-08, weight decay 0): "
            + "resume it with the optimizer flags it was trained with (--optimizer, --momentum, --weight-decay, or the same --recipe)");
        Scn.Run("train", "arch1", "--steps", "3", "--out", folder["a"], "--overwrite", "--batch-size", "10000000")
            .ShouldBeCleanError("--batch-size 10000000 needs a training split of more than one batch;");
        Directory.GetFiles(folder["a"]).Order().Select(File.ReadAllBytes).ToList().ShouldBe(before);
    }

    [Fact]
    public void Data_that_cannot_be_validated_on_is_one_line_before_training()
    {
        using var folder = new Scn.TempFolder();
        // Ten classes of four images: --valid-fraction 0.1 holds out none of any class.
        for (var c = 0; c < 10; c++)
        {
            Directory.CreateDirectory(folder[$"tiny/c{c}"]);
            for (var i = 0; i < 4; i++) TestImages.WritePng(folder[$"tiny/c{c}/{i}.png"], 28, 28, (byte)(c * 20 + i));
        }
        Scn.Run("train", "arch1", "--data", folder["tiny"], "--steps", "3", "--out", folder["a"])
            .ShouldBeCleanError($"image folder {folder["tiny"]}'s validation split holds no images");
        // An IDX folder of training files alone has no validation split to stop on.
        Directory.CreateDirectory(folder["trainonly"]);
        foreach (var file in Directory.GetFiles(BundledData.Locate(), "train-*")) File.Copy(file, Path.Combine(folder["trainonly"], Path.GetFileName(file)));
        Scn.Run("train", "arch1", "--data", folder["trainonly"], "--early-stopping", "1", "--steps", "3", "--out", folder["b"])
            .ShouldBeCleanError("--early-stopping watches validation accuracy, but");
        Directory.GetFiles(folder["a"]).ShouldBeEmpty();
    }

    [Fact]
    public void Five_hundred_steps_plus_a_resumed_five_hundred_and_one_equal_one_thousand_and_one_in_one_go()
    {
        // arch4 has dropout (masks must replay) and momentum keeps optimizer state (it must be saved):
        // the strictest case for bit-for-bit resumption. Fewer steps than the issue's 500 + 501 keep the suite
        // fast; the mechanism does not depend on the count.
        using var folder = new Scn.TempFolder();
        string[] common = ["--momentum", "0.9", "--learning-rate", "0.01", "--eval-every", "40", "--seed", "5"];
        Scn.Run(["train", "arch4", "--steps", "50", "--out", folder["split"], .. common]).ExitCode.ShouldBe(0);
        var resumed = Scn.Run(["train", "arch4", "--steps", "51", "--out", folder["split"], "--resume", folder["split/checkpoint.scnc"],
            "--momentum", "0.9", "--learning-rate", "0.01", "--eval-every", "40"]);
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        Scn.Run(["train", "arch4", "--steps", "101", "--out", folder["whole"], .. common]).ExitCode.ShouldBe(0);

        var split = Checkpoint.Load(folder["split/checkpoint.scnc"]);
        var whole = Checkpoint.Load(folder["whole/checkpoint.scnc"]);
        split.StepsDone.ShouldBe(101);
        split.Parameters.ShouldBe(whole.Parameters);
        split.Velocity.ShouldBe(whole.Velocity);
        // The split run also evaluated at its first half's last step; losses and accuracies per step are the same.
        static IEnumerable<string> Losses(string path) => File.ReadAllLines(path).Select(l => string.Join(',', l.Split(',')[..4]));
        Losses(folder["split/metrics.csv"]).ShouldBe(Losses(folder["whole/metrics.csv"]));
    }

    [Fact]
    public void The_same_seed_gives_the_same_checkpoint_and_another_seed_does_not()
    {
        using var folder = new Scn.TempFolder();
        foreach (var (name, seed) in new[] { ("a", "3"), ("b", "3"), ("c", "4") })
        {
            Scn.Run("train", "arch2", "--steps", "30", "--eval-every", "0", "--seed", seed, "--out", folder[name]).ExitCode.ShouldBe(0);
        }
        File.ReadAllBytes(folder["a/checkpoint.scnc"]).ShouldBe(File.ReadAllBytes(folder["b/checkpoint.scnc"]));
        File.ReadAllBytes(folder["a/checkpoint.scnc"]).ShouldNotBe(File.ReadAllBytes(folder["c/checkpoint.scnc"]));
    }

    [Fact]
    public void A_diverging_run_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint()
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("train", "arch2", "--steps", "200", "--learning-rate", "40", "--eval-every", "1", "--out", folder.Path);
        run.ShouldBeCleanError("training diverged at step", exitCode: 2);
        run.Error.ShouldContain("Lower --learning-rate");
        run.Output.ShouldContain("the mean loss grew to");
        var kept = Checkpoint.Load(folder["checkpoint.scnc"]);
        kept.Parameters.All(float.IsFinite).ShouldBeTrue("only finite parameters are checkpointed");
    }

    [Fact]
    public void The_notebooks_LRN_network_at_five_times_its_learning_rate_is_still_reported_as_diverged()
    {
        // The notebook's real divergence: arch4 blew up at lr 0.1 with its first biases at 1.0 (now 0.1, and lr 0.1 trains
        // on every seed since the stable softmax). Five times that still blows up within a few steps (step 3 or 4), and
        // must be said.
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("train", "arch4", "--steps", "100", "--learning-rate", "0.5", "--seed", "1", "--eval-every", "0", "--out", folder.Path);
        run.ShouldBeCleanError("training diverged at step", exitCode: 2);
        var step = int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @"Training diverged at step (\d+): the mean loss grew to").Groups[1].Value,
            CultureInfo.InvariantCulture);
        step.ShouldBeLessThan(10, "within the first few steps");
    }

    [Theory]
    [InlineData(new[] { "train", "arch9" }, "unknown model 'arch9'")]
    [InlineData(new[] { "train", "arch2", "--data", "/no/such/folder" }, "/no/such/folder: does not exist")]
    [InlineData(new[] { "train", "arch2", "--batch-size", "0" }, "--batch-size must be at least 1, got 0")]
    [InlineData(new[] { "train", "arch2", "--dropout", "0.5" }, "has no dropout layer")]
    [InlineData(new[] { "train", "arch2", "--learning-rate", "-1" }, "--learning-rate must be a positive number")]
    [InlineData(new[] { "evaluate", "--checkpoint", "/no/such.scnc" }, "/no/such.scnc: does not exist")]
    [InlineData(new[] { "evaluate", "--checkpoint", "/dev/zero" }, "/dev/zero: is empty or not a regular file")]
    [InlineData(new[] { "predict", "--checkpoint", "/no/such.scnc", "--input", "x", "--output", "y" }, "/no/such.scnc: does not exist")]
    public void User_errors_exit_non_zero_with_one_line(string[] arguments, string message)
        => Scn.Run(arguments).ShouldBeCleanError(message);

    /// <summary>A weights file that is a link to a device that never ends is refused before it is read (it grew a
    /// buffer until memory ran out).</summary>
    [Fact]
    public void A_weights_file_linked_to_dev_zero_is_refused_unread()
    {
        using var folder = new Scn.TempFolder();
        File.CreateSymbolicLink(folder["zero.scnw"], "/dev/zero");
        Scn.Run("evaluate", "--checkpoint", folder["zero.scnw"]).ShouldBeCleanError($"{folder["zero.scnw"]}: is empty or not a regular file");
    }
}
