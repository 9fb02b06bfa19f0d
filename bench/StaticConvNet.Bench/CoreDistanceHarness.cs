using System.Diagnostics;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>What the second core gives a training step, split by how far apart the two cores are at the moment, for
/// bench/cores.sh. On a virtual machine the hypervisor moves the two virtual CPUs between physical cores while a run
/// goes on: at times they sit close (a flag's round trip between them about 100 ns), at times far apart (several
/// hundred). A whole-run img/s mixes the two, so two runs of the same build differ by a third. Per model, in one
/// process: pairs of blocks, ten batch-16 training steps (as <see cref="Trainer"/> runs them, each block's after one
/// untimed step) on both cores and ten on one core (run inside a <see cref="CoreTeam"/> half, where the step's own team
/// runs both its halves on the calling thread), in alternating order, with the round trip measured just before each
/// pair. Each pair is binned by that round trip, so the two-core and one-core figures of a bin were taken in the same
/// state of the machine. The last column is the share of the two-core blocks' half-updates that went through <see
/// cref="HalfUpdate"/>'s copy (the way it times faster). Each pair is followed by a third block: each core stepping a
/// network of its own on one core, at once (the mean of the two). What that costs against one core alone is the
/// machine's, not the step's (the two cores share caches, memory and power), so twice one core's figure over it is the
/// most two cores could give the model at that moment.
/// Usage: StaticConvNet.Bench --core-distance</summary>
internal static class CoreDistanceHarness
{
    private const int Batch = 16;
    private const int StepsPerBlock = 10;

    /// <summary>Round trips under this are "near", over <see cref="FarNanoseconds"/> "far"; between is rare and left out.</summary>
    private const double NearNanoseconds = 200;
    private const double FarNanoseconds = 300;

    public static int Run()
    {
        if (Environment.ProcessorCount < 2)
        {
            Console.Error.WriteLine("--core-distance needs two cores");
            return 2;
        }
        var (train, _) = BundledData.Load();
        var flags = new FlagRoundTrip();
        Console.WriteLine("model,parameters,state,blocks,round_trip_ns,two_cores_us,one_core_us,through_copy,independent_us");
        foreach (var model in new[] { "arch1", "arch2", "arch3", "arch4" })
        {
            var step = new SteppedNetwork(model, train);
            var own = new SteppedNetwork(model, train); // the helper's network in the independent blocks
            for (var i = 0; i < 300; i++) step.Run(); // past tiered compilation
            CoreTeam.Run(half => { for (var i = 0; i < 300; i++) (half == 0 ? step : own).Run(); });
            var blocks = new List<(double RoundTrip, double TwoCores, double OneCore, double ThroughCopy, double Independent)>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 8)
            {
                // The order alternates, so neither side always follows the other (the helper polls for a millisecond
                // after a job, then sleeps: during a one-core block the other CPU is idle after that millisecond).
                var oneCoreFirst = blocks.Count % 2 == 1;
                double oneCore = 0;
                var roundTrip = RoundTripNanoseconds(flags);
                if (oneCoreFirst) CoreTeam.Run(half => { if (half == 0) oneCore = MicrosecondsPerStep(step.Run); });
                var copied = step.ThroughCopyUpdates;
                var twoCores = MicrosecondsPerStep(step.Run);
                copied = step.ThroughCopyUpdates - copied;
                if (!oneCoreFirst) CoreTeam.Run(half => { if (half == 0) oneCore = MicrosecondsPerStep(step.Run); });
                // Inside a team's half, each network's own team runs both its halves on that thread: one core each.
                double mine = 0, theirs = 0;
                CoreTeam.Run(half => { if (half == 0) mine = MicrosecondsPerStep(step.Run); else theirs = MicrosecondsPerStep(own.Run); });
                blocks.Add((roundTrip, twoCores, oneCore, copied / (2.0 * StepsPerBlock), (mine + theirs) / 2));
            }
            foreach (var (state, inState) in new (string, Func<double, bool>)[]
                     { ("all", _ => true), ("near", rt => rt < NearNanoseconds), ("far", rt => rt > FarNanoseconds) })
            {
                var bin = blocks.Where(b => inState(b.RoundTrip)).ToList();
                if (bin.Count == 0)
                {
                    Console.WriteLine($"{model},{step.ParameterCount},{state},0/{blocks.Count},,,,,");
                    continue;
                }
                Console.WriteLine($"{model},{step.ParameterCount},{state},{bin.Count}/{blocks.Count},{Median(bin.Select(b => b.RoundTrip)):F0},"
                    + $"{Median(bin.Select(b => b.TwoCores)):F1},{Median(bin.Select(b => b.OneCore)):F1},{bin.Average(b => b.ThroughCopy):F3},"
                    + $"{Median(bin.Select(b => b.Independent)):F1}");
            }
        }
        return 0;
    }

    /// <summary>The mean of <see cref="StepsPerBlock"/> steps, after one untimed step. A block follows blocks of the
    /// other kind, which leave the network's lines on one core (or both): the first two-core step after them took
    /// 22–35 µs longer than the rest near, 160 far (arch4), and timed within the block it put 2–3 µs on every step's
    /// mean near, up to 16 far, which a run of steady steps never pays (measured on a two-core Zen 5 VM).</summary>
    private static double MicrosecondsPerStep(Action step)
    {
        step();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < StepsPerBlock; i++) step();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / StepsPerBlock;
    }

    /// <summary>The round trip of a flag between the calling thread and <see cref="CoreTeam"/>'s helper (the two threads
    /// a training step runs on), the mean of 40, timed once both are running (the helper may have been asleep).</summary>
    private static double RoundTripNanoseconds(FlagRoundTrip roundTrip)
    {
        const int rounds = 40;
        double nanoseconds = 0;
        CoreTeam.Run(half =>
        {
            if (half == 0) nanoseconds = roundTrip.Ping(rounds, TimeSpan.FromSeconds(1));
            else roundTrip.Answer(rounds);
        });
        return nanoseconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>A notebook model training at batch 16 with plain SGD, a step as <see cref="Trainer"/> runs it: the
    /// gradients, then the update beside the next batch's fill (its <see cref="StepBatches"/>), both in halves on the two
    /// cores (on one, when the step runs inside a <see cref="CoreTeam"/> half).</summary>
    private sealed class SteppedNetwork
    {
        private readonly CpuTrainingDevice _device;
        private readonly StepBatches _batches;
        private long _step;

        public SteppedNetwork(string model, Dataset train)
        {
            var network = ModelCatalog.Find(model)!.Create();
            ParameterCount = network.ParameterCount;
            network.InitializeParameters(1);
            _device = new CpuTrainingDevice(network);
            _device.Start(network, new SgdOptimizer(network.ParameterCount), 1, null);
            _batches = new StepBatches(train, Minibatches.Shuffle(train.Count, 1), 1, Batch, 0, _device);
            _batches.Fill(0);
        }

        /// <summary>How many floats a step's two cores exchange each way, about: the shard gradients' and the parameters' halves.</summary>
        public int ParameterCount { get; }

        /// <summary>How many half-updates so far went through the copy.</summary>
        public long ThroughCopyUpdates => _device.ThroughCopyUpdates;

        public void Run()
        {
            _device.ComputeGradients(_batches.Images, _batches.Labels, Batch, _step);
            _batches.UpdateWhileFilling(0.01f, ++_step);
        }
    }
}
