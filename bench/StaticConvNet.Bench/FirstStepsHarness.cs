using System.Diagnostics;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>How long the first training steps take in an app that runs with .NET's default tiered compilation, as a
/// user's own app does (scn sets its own switches; this process sets none): one fresh process per model, the first
/// steps of `Trainer.Train` at batch 16 (300 unless told), timed from the step callbacks. Step 1 is the JIT compiling the network's
/// kernels; steps 2–30 are where kernels left to start at tier 0 show (before every loop of the kernels was marked
/// AggressiveOptimization they took 5–145 ms each on the Zen 5, against 0.35 later).
/// Usage: StaticConvNet.Bench --first-steps MODEL [STEPS] (300 unless given; at least 200)</summary>
internal static class FirstStepsHarness
{
    public static int Run(string[] arguments)
    {
        if (arguments.Length is < 1 or > 2)
        {
            Console.Error.WriteLine("--first-steps: usage: --first-steps MODEL [STEPS]");
            return 2;
        }
        var model = arguments[0];
        var steps = 300;
        if (arguments.Length == 2 && (!int.TryParse(arguments[1], out steps) || steps < 200))
        {
            Console.Error.WriteLine($"--first-steps: STEPS must be a whole number of at least 200, got '{arguments[1]}'");
            return 2;
        }
        if (ModelCatalog.Find(model) is not { } entry)
        {
            Console.Error.WriteLine($"--first-steps: no model '{model}'");
            return 2;
        }
        var (train, _) = BundledData.Load();
        var network = entry.Create();
        var ends = new long[steps];
        var options = new TrainingOptions { Steps = steps, BatchSize = 16, EvalEvery = 0 };
        var callbacks = new TrainingCallbacks { Step = s => ends[s.Step] = Stopwatch.GetTimestamp() };
        var start = Stopwatch.GetTimestamp();
        Trainer.Train(network, train, null, options, callbacks: callbacks);
        double Ms(long from, long to) => (to - from) * 1e3 / Stopwatch.Frequency;
        Console.WriteLine($"model,step_1_ms,steps_2_to_30_ms,steps_31_to_{steps}_ms,last_100_steps_us_per_step");
        Console.WriteLine(FormattableString.Invariant(
            $"{model},{Ms(start, ends[0]):F1},{Ms(ends[0], ends[29]):F1},{Ms(ends[29], ends[steps - 1]):F1},{Ms(ends[steps - 101], ends[steps - 1]) * 10:F0}"));
        return 0;
    }
}
