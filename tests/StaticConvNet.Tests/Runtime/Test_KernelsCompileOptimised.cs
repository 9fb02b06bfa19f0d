using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Shouldly;
using StaticConvNet.Kernels;
using StaticConvNet.Models;
using Xunit;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Every loop in the kernels, and every kernel method too large to inline, is compiled optimised on its first
/// call, in any app. With .NET's defaults a method with a loop (or one its caller did not inline) starts at tier 0 (no
/// inlining: each <c>TBlock</c> operation a call) and is promoted only after 30 calls and a 100 ms quiet period;
/// measured in a plain console app on the Zen 5, the first 300 training steps of arch3 took 964 ms that way against
/// 199 ms compiled optimised. <c>scn</c> sets the runtime's switches for itself, but a user's app does not, so the
/// kernels carry <see cref="MethodImplOptions.AggressiveOptimization"/>.</summary>
public sealed class Test_KernelsCompileOptimised
{
    [Fact]
    public void Every_kernel_method_with_a_loop_is_compiled_optimised_or_inlined()
    {
        Missing(m => HasLoop(m) && !Has(m, MethodImplAttributes.AggressiveOptimization) && !Has(m, MethodImplAttributes.AggressiveInlining),
                m => $"({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})")
            .ShouldBeEmpty("these kernel methods have a loop but would start at tier 0 in an app with .NET's defaults: "
            + "mark them [MethodImpl(MethodImplOptions.AggressiveOptimization)]");
    }

    [Fact]
    public void Every_kernel_method_too_large_to_inline_is_compiled_optimised()
    {
        // A register block's method is marked for inlining, but the JIT leaves the largest ones as methods of their own
        // (measured in an app with .NET's defaults: Conv2D.ForwardBlock at 2,076 bytes of IL for arch1's first layer,
        // InputGradientTaps at 3,547), which then start at tier 0 although they have no loop: arch1's steps took 870 µs
        // after 300 of them instead of 160. Every other method marked for inlining is under 400 bytes.
        Missing(m => Has(m, MethodImplAttributes.AggressiveInlining) && IlLength(m) > LargestInlined && !Has(m, MethodImplAttributes.AggressiveOptimization))
            .ShouldBeEmpty($"these kernel methods are marked for inlining but have over {LargestInlined} bytes of IL: "
            + "mark them AggressiveOptimization too");
    }

    [Fact]
    public void Every_kernel_method_that_may_stay_a_call_is_compiled_optimised()
    {
        // Without a loop a method still starts at tier 0 when its caller does not inline it: the dispatchers (Conv2D.Forward,
        // Winograd.ForwardBlocked, WinogradWeights.PrepareForward, MaxPool.Forward ...) and, through their tier-0 code,
        // every shape property they read. Measured in `scn train arch3` on the Zen 5 (EventPipe's JIT events): 75 kernel
        // methods, 109 of the generated network's and 40 of the training loop's were compiled again at tier 1 in the
        // background, in bursts while both cores trained; each burst took one core from a step the other then waited
        // for. Property getters and one-line forwarders (up to 40 bytes of IL) are inlined into an optimised caller; messages
        // (strings, exceptions) and the members a record declares for itself only run when something is wrong or printed.
        Missing(m => m is MethodInfo { ReturnType: var returns } && !returns.IsAssignableTo(typeof(Exception)) && returns != typeof(string)
                    && !m.IsDefined(typeof(CompilerGeneratedAttribute), false) && IlLength(m) > Inlined
                    && !Has(m, MethodImplAttributes.AggressiveInlining) && !Has(m, MethodImplAttributes.AggressiveOptimization),
                m => $" ({IlLength(m)})")
            .ShouldBeEmpty($"these kernel methods have over {Inlined} bytes of IL and may stay calls, compiled at tier 0 "
            + "first and again in the background: mark them [MethodImpl(MethodImplOptions.AggressiveOptimization)]");
    }

    [Fact]
    public void Every_method_of_a_generated_network_that_may_stay_a_call_is_compiled_optimised()
    {
        // The same for the code the generator writes: each layer's one-line method calls its kernel with the layer's
        // buffers, and the pass that calls it (ISamplePasses) is too large for the JIT to inline them all. Before they
        // were marked, `scn train arch3` compiled 29 of them again at tier 1 in the background (8 ms, Conv3Backward 4.3).
        var methods = typeof(Arch1StridedConv).Assembly.GetTypes()
            .Where(t => t.IsAssignableTo(typeof(IConvNet)))
            .SelectMany(t => t.GetMethods(BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetMethodBody() is not null && !m.IsDefined(typeof(CompilerGeneratedAttribute), false) && IlLength(m) > Inlined)
            .ToList();
        methods.Count.ShouldBeGreaterThan(100, "the scan sees the seven networks' layer methods");
        methods.Where(m => !Has(m, MethodImplAttributes.AggressiveOptimization) && !Has(m, MethodImplAttributes.AggressiveInlining))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name} ({IlLength(m)})").Order().ToList()
            .ShouldBeEmpty("the generator writes these private methods without AggressiveOptimization (Names.Optimised)");
    }

    /// <summary>Bytes of IL up to which a method is taken to be inlined into an optimised caller (the JIT always inlines
    /// up to 16, and getters and forwarders a little longer by its heuristics). Not always: in `scn train arch3` a few
    /// such getters (`WinogradWeights.Forward`, shape properties) were still compiled on their own, called from the
    /// generated per-layer methods, about 5 ms of the tiering thread's 50.</summary>
    private const int Inlined = 40;

    /// <summary>The kernel and step methods <paramref name="wrong"/> picks, by name (and <paramref name="detail"/>).</summary>
    private static List<string> Missing(Func<MethodBase, bool> wrong, Func<MethodBase, string>? detail = null)
        => KernelMethods().Where(wrong).Select(m => $"{m.DeclaringType!.Name}.{m.Name}{detail?.Invoke(m)}").Distinct().Order().ToList();

    private static bool Has(MethodBase method, MethodImplAttributes flag) => method.MethodImplementationFlags.HasFlag(flag);

    private static int IlLength(MethodBase method) => method.GetMethodBody()!.GetILAsByteArray()!.Length;

    /// <summary>Bytes of IL past which a method marked for inlining is treated as one that may stay a call.</summary>
    private const int LargestInlined = 1000;

    [Fact]
    public void The_scan_finds_loops_and_only_loops()
    {
        // The check above is only as good as its loop finder: a method with a loop and one without.
        HasLoop(typeof(Test_KernelsCompileOptimised).GetMethod(nameof(SumTo), BindingFlags.NonPublic | BindingFlags.Static)!).ShouldBeTrue();
        HasLoop(typeof(Test_KernelsCompileOptimised).GetMethod(nameof(Twice), BindingFlags.NonPublic | BindingFlags.Static)!).ShouldBeFalse();
        KernelMethods().Count(HasLoop).ShouldBeGreaterThan(20);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static int SumTo(int n)
    {
        var sum = 0;
        for (var i = 0; i < n; i++) sum += i;
        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static int Twice(int n) => n > 0 ? 2 * n : 0;

    /// <summary>What a training step or a prediction runs, every time: the methods (and constructors) declared in the
    /// runtime's kernel namespace, and those of the types that call them each step (not their constructors, which run
    /// once), nested types included.</summary>
    private static List<MethodBase> KernelMethods()
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        Type[] stepTypes = [typeof(BatchRunner), typeof(CoreTeam), typeof(Minibatches), typeof(SgdOptimizer), typeof(AdamOptimizer),
            typeof(CpuTrainingDevice), typeof(Evaluation), typeof(Trainer), typeof(DivergenceWatch), typeof(LearningRateSchedule),
            typeof(BatchRunner).Assembly.GetType("StaticConvNet.StepBatches", throwOnError: true)!]; // internal: by name
        return typeof(Conv2D).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Conv2D).Namespace || stepTypes.Any(s => t == s || t.DeclaringType == s))
            .SelectMany(t => t.GetMethods(declared).Cast<MethodBase>().Concat(stepTypes.Contains(t) ? [] : t.GetConstructors(declared)))
            .Where(m => m.GetMethodBody() is not null)
            .ToList();
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Whether the method's IL branches backwards: a loop, as the JIT sees one.</summary>
    private static bool HasLoop(MethodBase method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var at = 0;
        while (at < il.Length)
        {
            var start = at;
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    var near = (sbyte)il[at++];
                    if (at + near <= start) return true;
                    break;
                case OperandType.InlineBrTarget:
                    var far = BitConverter.ToInt32(il, at);
                    at += 4;
                    if (at + far <= start) return true;
                    break;
                case OperandType.InlineSwitch:
                    var cases = BitConverter.ToInt32(il, at);
                    at += 4;
                    var end = at + 4 * cases;
                    for (var c = 0; c < cases; c++)
                    {
                        if (end + BitConverter.ToInt32(il, at + 4 * c) <= start) return true;
                    }
                    at = end;
                    break;
                default:
                    at += OperandSize(op.OperandType);
                    break;
            }
        }
        return false;
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4, // tokens, InlineI, ShortInlineR, InlineSig
    };
}
