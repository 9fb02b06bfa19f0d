using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>Chooses between two ways of doing the same work, each call, by how long each has taken lately: the faster
/// one, except every <see cref="ProbeEvery"/>th call, which times the other, so the choice follows a machine whose speeds
/// change while a run goes on. Each way's first run is not counted (it compiles it), and each runs twice before any
/// choice. A mutable struct: keep it in a field, call <see cref="ChooseSecond"/> then <see cref="Record"/>.</summary>
/// <remarks>The two ways must give the same results: the choice depends on timing, and timing is not repeatable.</remarks>
internal struct FasterOfTwo
{
    /// <summary>One call in 32 runs the slower way: where the two differ by a few microseconds on a step of a few
    /// hundred, that costs about a thousandth of a step, and a change of the machine's state shows within a few dozen
    /// steps (a hundredth of a second).</summary>
    public const int ProbeEvery = 32;

    // Running estimates of each way's time, in Stopwatch ticks: the second run, then a quarter of the way towards each
    // new one, taken as at most twice the estimate. So one slow run (an interrupt) moves an estimate by a quarter at
    // most, and a lasting change of speed shows in a few runs.
    private double _first, _second;
    private int _firstRuns, _secondRuns;
    private long _calls;

    /// <summary>Whether this call should run the second way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool ChooseSecond()
    {
        _calls++;
        if (_firstRuns < 2) return false;
        if (_secondRuns < 2) return true;
        var secondFaster = _second < _first;
        return _calls % ProbeEvery == 0 ? !secondFaster : secondFaster;
    }

    /// <summary>What this call's run of the way <see cref="ChooseSecond"/> chose took.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Record(bool second, long ticks)
    {
        ref var runs = ref second ? ref _secondRuns : ref _firstRuns;
        ref var estimate = ref second ? ref _second : ref _first;
        runs++;
        if (runs == 1) return;
        // In doubles, with at least a tick's room: an estimate of 0 (a clock coarser than the work) must still grow.
        estimate = runs == 2 ? ticks : estimate + (Math.Min(ticks, 2 * Math.Max(estimate, 1)) - estimate) / 4;
    }
}
