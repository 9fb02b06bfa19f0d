using System.CommandLine;
using StaticConvNet.Models;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary>The flags of <c>scn train</c> that set <see cref="TrainingOptions"/>, and the one rule that turns them into
/// options: start from the model's recipe (<c>--recipe notebook</c>, its notebook settings, or <c>best</c>, the one
/// measured in docs/results.md), then let each flag given override its value. Every option is then checked by
/// <see cref="TrainingOptions.Validate"/>, whose messages <see cref="FlagOf"/> names by the flag.</summary>
internal sealed class TrainingFlags
{
    private readonly Option<int?> _steps = new("--steps") { Description = "Steps to run (default: the notebook's for the model). With --resume: steps to add." };
    private readonly Option<int?> _batch = new("--batch-size") { Description = "Images per step: any number on the cpu device (past the model's compiled batch capacity a step runs as several passes), up to 4,096 on an ILGPU device." };
    private readonly Option<float?> _rate = new("--learning-rate") { Description = "Initial learning rate." };
    private readonly Option<int?> _decaySteps = new("--decay-steps") { Description = "Decay the learning rate every this many steps (TensorFlow exponential_decay)." };
    private readonly Option<float?> _decayRate = new("--decay-rate") { Description = "Multiply the learning rate by this per decay period." };
    private readonly Option<bool?> _staircase = new("--staircase") { Description = "Decay in whole periods rather than continuously." };
    private readonly Option<float?> _momentum = new("--momentum") { Description = "SGD momentum (0 = the notebook's plain SGD)." };
    private readonly Option<float?> _dropout = new("--dropout") { Description = "Dropout rate (probability of dropping = 1 - TensorFlow's keep_prob) for every dropout layer." };
    private readonly Option<int?> _seed = new("--seed") { Description = "Seed of initial weights, data order and dropout (default 1)." };
    private readonly Option<int?> _evalEvery = new("--eval-every") { Description = "Validation accuracy and a checkpoint every this many steps." };
    private readonly Option<string?> _schedule = new("--schedule") { Description = "exponential (TensorFlow's exponential_decay, the notebook's) or cosine (from --learning-rate to 0 over the run's steps); default: the recipe's." };
    private readonly Option<int?> _warmup = new("--warmup-steps") { Description = "Raise the learning rate linearly over this many first steps." };
    private readonly Option<int?> _shift = new("--shift") { Description = "Augment: move each training image by up to this many pixels (seeded per image and step; 0 = off)." };
    private readonly Option<string?> _optimizer = new("--optimizer") { Description = "sgd (the notebook's, with --momentum), adam, or adamw (Adam with decoupled --weight-decay); default: the recipe's." };
    private readonly Option<string> _recipe = new("--recipe") { Description = "notebook (the notebook's settings for the model) or best (the one measured to beat PyTorch's best on valid: docs/results.md); any flag overrides its value.", DefaultValueFactory = _ => "notebook" };
    private readonly Option<float?> _weightDecay = new("--weight-decay") { Description = "AdamW's decoupled weight decay (e.g. 0.01)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _recipe, _steps, _batch, _rate, _decaySteps, _decayRate, _staircase, _schedule, _warmup, _momentum, _optimizer, _weightDecay, _dropout, _shift, _seed, _evalEvery })
            command.Options.Add(option);
    }

    /// <summary>Whether --seed was given (a resumed run keeps its own, and refuses another).</summary>
    public bool SeedGiven(ParseResult result) => result.GetValue(_seed) is not null;

    /// <summary>The options of a run of <paramref name="entry"/>: its recipe, each flag given overriding its value.</summary>
    public TrainingOptions Resolve(ModelEntry entry, ParseResult result)
    {
        var recipe = result.GetValue(_recipe) switch
        {
            "notebook" => entry.NotebookRecipe,
            "best" => entry.BestRecipe ?? throw new UserError($"{entry.Key} has no best recipe: --recipe best is measured for {string.Join(", ", ModelCatalog.All.Where(m => m.BestRecipe is not null).Select(m => m.Key))}; give its flags yourself"),
            var other => throw new UserError($"--recipe is notebook or best, not '{other}'"),
        };
        // Flags override the recipe's values one by one; --schedule switches its kind, keeping its rate and warm-up.
        var (rate0, warmup0) = (result.GetValue(_rate) ?? recipe.Schedule.InitialRate, result.GetValue(_warmup) ?? recipe.Schedule.WarmupSteps);
        // The recipe's exponential decay, or none (a constant rate) when the recipe decays by cosine.
        var exponential = recipe.Schedule.Kind == ScheduleKind.Exponential ? recipe.Schedule : new LearningRateSchedule(rate0);
        var rates = (result.GetValue(_schedule) ?? (recipe.Schedule.Kind == ScheduleKind.Cosine ? "cosine" : "exponential")) switch
        {
            // A cosine run has no exponential decay: a --decay-* flag beside it is refused (by TrainingOptions.Validate).
            "cosine" => (recipe.Schedule.Kind == ScheduleKind.Cosine ? recipe.Schedule : LearningRateSchedule.CosineOverTheRun(rate0))
                with { InitialRate = rate0, WarmupSteps = warmup0, DecaySteps = result.GetValue(_decaySteps) ?? 0, DecayRate = result.GetValue(_decayRate) ?? 1f, Staircase = result.GetValue(_staircase) ?? false },
            "exponential" => exponential with
            {
                WarmupSteps = warmup0,
                InitialRate = rate0,
                DecaySteps = result.GetValue(_decaySteps) ?? exponential.DecaySteps,
                DecayRate = result.GetValue(_decayRate) ?? exponential.DecayRate,
                Staircase = result.GetValue(_staircase) ?? exponential.Staircase,
            },
            var other => throw new UserError($"--schedule is exponential or cosine, not '{other}'"),
        };
        var optimizerKind = result.GetValue(_optimizer) switch
        {
            null => recipe.Optimizer,
            "sgd" => OptimizerKind.Sgd,
            "adam" => OptimizerKind.Adam,
            "adamw" => OptimizerKind.AdamW,
            var other => throw new UserError($"--optimizer is sgd, adam or adamw, not '{other}'"),
        };
        return recipe with
        {
            Steps = result.GetValue(_steps) ?? recipe.Steps,
            BatchSize = result.GetValue(_batch) ?? recipe.BatchSize,
            Schedule = rates,
            RandomShift = result.GetValue(_shift) ?? recipe.RandomShift,
            Optimizer = optimizerKind,
            // The recipe's weight decay goes with its optimizer: --optimizer adam on an AdamW recipe has none.
            WeightDecay = result.GetValue(_weightDecay) ?? (optimizerKind == recipe.Optimizer ? recipe.WeightDecay : 0f),
            Momentum = result.GetValue(_momentum) ?? recipe.Momentum,
            Seed = result.GetValue(_seed) ?? 1,
            EvalEvery = result.GetValue(_evalEvery) ?? recipe.EvalEvery,
            DropoutRate = result.GetValue(_dropout) ?? recipe.DropoutRate,
        };
    }

    /// <summary>The options <see cref="TrainingOptions.Validate"/> checks, by the flags that set them.</summary>
    private static readonly Dictionary<string, string> Flags = new()
    {
        [nameof(TrainingOptions.Steps)] = "--steps",
        [nameof(TrainingOptions.BatchSize)] = "--batch-size",
        ["Schedule.InitialRate"] = "--learning-rate",
        ["Schedule.DecaySteps"] = "--decay-steps",
        ["Schedule.DecayRate"] = "--decay-rate",
        ["Schedule.WarmupSteps"] = "--warmup-steps",
        ["Schedule.Staircase"] = "--staircase",
        [nameof(TrainingOptions.RandomShift)] = "--shift",
        [nameof(TrainingOptions.Momentum)] = "--momentum",
        [nameof(TrainingOptions.WeightDecay)] = "--weight-decay",
        [nameof(TrainingOptions.EvalEvery)] = "--eval-every",
        [nameof(TrainingOptions.DropoutRate)] = "--dropout",
        [nameof(TrainingOptions.Optimizer)] = "--optimizer",
    };

    /// <summary>The flag that sets <paramref name="option"/> (a <see cref="TrainingOptionsException.Option"/>), or the
    /// option's own name when no flag does.</summary>
    public static string FlagOf(string option) => Flags.TryGetValue(option, out var flag) ? flag : option;
}
