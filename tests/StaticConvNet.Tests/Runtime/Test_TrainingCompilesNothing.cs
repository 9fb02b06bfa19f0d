using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Shouldly;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Runtime;

/// <summary>After <see cref="ConvNetExtensions.CompilePasses"/>, a training run compiles none of the library's or the
/// network's methods. A method the runtime first compiled quickly (tier 0) and then finds hot is compiled again in the
/// background, in the middle of the run, and on two cores that compile takes one of them from the step: in a 6,000-step
/// arch1 run, 19 ms of compiling held one 250-step block at 228 µs a step against 141. So everything a step calls is
/// compiled optimised at its first call (AggressiveOptimization), and CompilePasses makes that first call.</summary>
/// <remarks>The run is made in a load context of its own, where the library, the models and this class are fresh
/// copies: nothing an earlier test ran has been recompiled already, nothing it made hot is recompiled in this run, and
/// only the fresh copies' compiles count (by module), whatever else the process compiles meanwhile. The runtime's
/// recompiles of base-library code (memmove, a span's clear) are not the library's to prevent, and are not counted. A
/// method of this class's, called every step, shows that recompiling had its chance: the run goes on until the runtime
/// has recompiled it, and a second longer.</remarks>
[Collection(nameof(RunsAlone))]
public sealed class Test_TrainingCompilesNothing
{
    [Theory]
    [InlineData("arch1")] // strided Winograd, whole-batch dense gradients
    [InlineData("arch3")] // Winograd forward and backward
    [InlineData("arch4")] // dropout and local response normalisation (element-wise arithmetic)
    [InlineData("inception")] // passes too large to inline their buffers' accessors
    [InlineData("resnet")] // BatchNorm: training in stages; global average pooling; ReLU on its own
    public void A_run_after_CompilePasses_compiles_none_of_the_librarys_methods(string model)
    {
        using var compiles = new CompileListener();
        var fresh = new FreshCopies();
        var run = fresh.LoadFromAssemblyName(typeof(Test_TrainingCompilesNothing).Assembly.GetName())
            .GetType(typeof(Test_TrainingCompilesNothing).FullName!)!
            .GetMethod(nameof(Run), BindingFlags.Static | BindingFlags.NonPublic)!;
        var steps = (long)run.Invoke(null, [model, () => compiles.CanaryCompiles, (Action<DateTime, DateTime>)compiles.Watch])!;

        compiles.CanaryCompiles.ShouldBeGreaterThanOrEqualTo(2, $"the runtime did not recompile the test's own per-step method within {steps} steps: nothing was checked");
        compiles.CompiledInWindow().ShouldBeEmpty($"{model}: compiled during training after its third step");
    }

    /// <summary>In the fresh copies: CompilePasses, then a run until the canary has been recompiled and a second more.</summary>
    private static long Run(string model, Func<int> canaryCompiles, Action<DateTime, DateTime> watch)
    {
        var entry = ModelCatalog.Find(model)!;
        var network = entry.Create();
        var data = NetworkShaped.From(Training.Test_TrainingRun.Blobs(400, 5), network);
        var options = entry.NotebookRecipe with { Steps = 100_000, EvalEvery = 0 };
        network.CompilePasses(options);

        using var stop = new CancellationTokenSource();
        var canary = new Canary(canaryCompiles, watch, stop, TimeSpan.FromSeconds(20));
        return Trainer.Train(network, data, null, options, callbacks: new TrainingCallbacks { Step = canary.Step }, cancellationToken: stop.Token).StepsDone;
    }

    /// <summary>The assemblies loaded afresh: the library's, the models', the tests' and System.Numerics.Tensors (whose
    /// generic loops a kernel calling it has compiled mid-run: arch4's LRN and dropout and resnet's BatchNorm did,
    /// before they moved to <see cref="Kernels.Arithmetic"/>; LeNet-5's tanh still does). The rest (the base library,
    /// test frameworks) is shared with the default context.</summary>
    private sealed class FreshCopies() : AssemblyLoadContext(nameof(FreshCopies))
    {
        public static readonly string[] Names = ["StaticConvNet.Runtime", "StaticConvNet.Models", "StaticConvNet.Tests", "System.Numerics.Tensors"];

        protected override Assembly? Load(AssemblyName name)
            => Names.Contains(name.Name) ? LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, name.Name + ".dll")) : null;
    }

    /// <summary>Called every step; once the runtime has recompiled it (its second compile), lets the run go on for a
    /// second more, for any other recompiles of that batch, then stops it. The compiles that count are those from its
    /// third step to its last (what runs after the run is not a step's). It reads nothing of the report: the report's
    /// own members would be the library's methods recompiled for the test's sake.</summary>
    private sealed class Canary(Func<int> compiles, Action<DateTime, DateTime> watch, CancellationTokenSource stop, TimeSpan limit)
    {
        private readonly DateTime _giveUpAt = DateTime.UtcNow + limit;
        private DateTime _watchFrom;
        private DateTime? _stopAt;
        private int _steps;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Step(StepReport report)
        {
            var now = DateTime.UtcNow;
            if (++_steps == 3) _watchFrom = now;
            if (_stopAt is null && compiles() >= 2) _stopAt = now.AddSeconds(1);
            if (now <= (_stopAt ?? _giveUpAt)) return;
            watch(_watchFrom, now);
            stop.Cancel();
        }
    }

    /// <summary>The runtime's module-loaded and method-compiled events, in this process: the modules of
    /// <see cref="FreshCopies"/> are the ones loaded after it starts, and only their methods' compiles count.</summary>
    private sealed class CompileListener : EventListener
    {
        private const EventKeywords LoaderAndJit = (EventKeywords)(0x8 | 0x10);
        private readonly ConcurrentDictionary<ulong, bool> _freshModules = new();
        private long _watchFrom = DateTime.MaxValue.Ticks, _watchTo = DateTime.MinValue.Ticks;
        private int _canaryCompiles;
        private readonly ConcurrentBag<(long Ticks, string Method)> _compiled = [];

        /// <summary>Methods of the fresh copies (the test's own aside) compiled in the <see cref="Watch"/> window. The
        /// events come on a thread of their own, later: each is placed by its own time, and the window's last ones
        /// are given a moment to arrive.</summary>
        public string[] CompiledInWindow()
        {
            Thread.Sleep(250);
            var (from, to) = (Interlocked.Read(ref _watchFrom), Interlocked.Read(ref _watchTo));
            return _compiled.Where(c => c.Ticks >= from && c.Ticks <= to).Select(c => c.Method).ToArray();
        }

        public int CanaryCompiles => Volatile.Read(ref _canaryCompiles);

        /// <summary>Counts the compiles from <paramref name="from"/> to <paramref name="to"/>.</summary>
        public void Watch(DateTime from, DateTime to)
        {
            Interlocked.Exchange(ref _watchTo, to.Ticks);
            Interlocked.Exchange(ref _watchFrom, from.Ticks);
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, LoaderAndJit);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is null || e.Payload is null) return;
            object? Field(string name) => e.Payload[e.PayloadNames!.IndexOf(name)];
            if (e.EventName.StartsWith("ModuleLoad", StringComparison.Ordinal))
            {
                var path = Path.GetFileNameWithoutExtension(Field("ModuleILPath") as string ?? "");
                if (FreshCopies.Names.Contains(path)) _freshModules[Convert.ToUInt64(Field("ModuleID"))] = true;
                return;
            }
            if (!e.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) || !_freshModules.ContainsKey(Convert.ToUInt64(Field("ModuleID")))) return;
            var type = Field("MethodNamespace") as string ?? "";
            var name = Field("MethodName") as string ?? "";
            if (type.EndsWith("+" + nameof(Canary), StringComparison.Ordinal) && name == nameof(Canary.Step)) Interlocked.Increment(ref _canaryCompiles);
            else if (!type.StartsWith("StaticConvNet.Tests.", StringComparison.Ordinal)) _compiled.Add((e.TimeStamp.ToUniversalTime().Ticks, $"{type}.{name}"));
        }
    }
}
