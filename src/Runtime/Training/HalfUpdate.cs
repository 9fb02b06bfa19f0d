using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>One core's half of a training step's update (<see cref="CpuTrainingDevice.UpdateHalf"/>), written into the
/// parameters in one of two ways that give the same bits: in place, or through a small copy of the core's own that a
/// block copy then writes back. Each update takes whichever has been faster lately (<see cref="FasterOfTwo"/>).</summary>
/// <remarks>
/// <para>Why two ways: both cores read every parameter during a step, so when one core then rewrites its half, every
/// line it writes is one the other core holds, and each store waits for that copy to be taken away. With the host's two
/// virtual CPUs near each other (a round trip of about 100 ns) that costs little; far apart (about 550 ns) arch1's half
/// took 15 µs against 3.5 near. The same lines written by a block copy took 8.5 µs far: on x64 Linux .NET hands copies
/// of 2 KB and more to glibc's memmove, which copies these sizes with the processor's string instructions (from 2,112
/// bytes on the Zen 5 measured, which has fast short `rep movsb`), and those claim whole lines without waiting on each
/// store. A vector loop copying the same chunks was about as slow as the update in place (5.6–12.7 µs a step slower
/// than memmove, far). Near, the extra copying cost 2.5–3 µs (measured on a two-core Zen 5 VM, the two ways
/// alternating in one process). Which is faster depends on where the host puts the cores, which changes every few
/// minutes, and on the machine and its C library (.NET on ARM64 copies with its own loop), so it is measured, not
/// assumed.</para>
/// <para>Each half's object is written at every update by the core that runs it, at the same moment as the other
/// half's: what it writes sits between paddings of a cache line, so the two never share one.</para>
/// </remarks>
internal sealed class HalfUpdate
{
    /// <summary>16 KB: within the first-level cache of every x64 core, and well above the size from which glibc's copy
    /// uses string instructions. Chunks of 4 KB gained about half as much far.</summary>
    private const int ChunkFloats = 4096;

    private readonly AlignedFloats _chunk = new(ChunkFloats);
    private readonly bool? _throughCopy;
    private Padded _padded;

    /// <param name="throughCopy">Null: choose by timing; true or false: always that way (for tests and measurements).</param>
    public HalfUpdate(bool? throughCopy = null) => _throughCopy = throughCopy;

    /// <summary>How many updates so far went through the copy.</summary>
    public long ThroughCopyUpdates => _padded.ThroughCopyUpdates;

    /// <summary>Updates the parameters in <paramref name="ranges"/> with their <paramref name="gradients"/>, as
    /// <paramref name="optimizer"/>'s started step does (<see cref="Optimizer.StepSlice"/>), all of them one way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Optimizer optimizer, Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterRange> ranges)
    {
        var throughCopy = _throughCopy ?? _padded.Choice.ChooseSecond();
        var start = Stopwatch.GetTimestamp();
        foreach (var range in ranges)
        {
            var part = parameters.Slice(range.Offset, range.Length);
            var partGradients = gradients.Slice(range.Offset, range.Length);
            if (throughCopy) ThroughCopy(optimizer, part, partGradients, range.Offset);
            else optimizer.StepSlice(part, partGradients, range.Offset);
        }
        _padded.Choice.Record(throughCopy, Stopwatch.GetTimestamp() - start);
        if (throughCopy) _padded.ThroughCopyUpdates++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ThroughCopy(Optimizer optimizer, Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        for (var first = 0; first < parameters.Length; first += ChunkFloats)
        {
            var length = Math.Min(ChunkFloats, parameters.Length - first);
            var chunk = _chunk.Slice(0, length);
            var destination = parameters.Slice(first, length);
            destination.CopyTo(chunk);
            optimizer.StepSlice(chunk, gradients.Slice(first, length), offset + first);
            chunk.CopyTo(destination);
        }
    }

    // What each update writes, 40 bytes, with a cache line of room on either side.
    [StructLayout(LayoutKind.Explicit, Size = 168)]
    private struct Padded
    {
        [FieldOffset(64)] public FasterOfTwo Choice;
        [FieldOffset(96)] public long ThroughCopyUpdates;
    }
}
