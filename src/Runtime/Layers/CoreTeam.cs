using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace StaticConvNet;

/// <summary>Runs the two halves of a job at once: half 0 on the calling thread, half 1 on one helper thread that stays
/// awake (spinning) for a moment after each job, so that the next job, a training step later, starts on both cores
/// within a microsecond or two and ends when the slower half ends.</summary>
/// <remarks>
/// <para>Why not <c>Parallel.For</c>: a training step at batch 16 takes a few hundred microseconds, and measured on a
/// two-core Zen 5 the thread pool took about 40 µs to start the second half and 35 µs more to return after it ended,
/// a fifth of the step. A helper that is already running sees new work at once, and the caller sees the helper's end
/// at once by spinning on a counter.</para>
/// <para>A job's split never depends on how it runs: on one core, when the helper is busy with another caller's job,
/// or when a half itself asks for a team, both halves run on the calling thread, one after the other. So results are
/// the same bits either way.</para>
/// </remarks>
public static class CoreTeam
{
    /// <summary>How long the helper keeps polling for the next job before it sleeps. Between two training steps the
    /// caller reports progress and the two cores update the parameters and fill the next batch, each its half
    /// (tens of microseconds); a millisecond covers that with room, and costs an idle core nothing it was doing.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 1000;

    private static readonly object StartLock = new();
    private static Helper? _helper;

    // 1 while a job holds the helper: a second caller (another thread, or a half asking for a team) runs its halves
    // itself instead of waiting for it.
    private static int _busy;

    /// <summary>Whether jobs run on two cores in this process (more than one processor is available).</summary>
    public static bool IsParallel => Environment.ProcessorCount > 1;

    [ThreadStatic] private static bool t_onHelper;

    /// <summary>True on the helper thread (whatever it runs: half 1 of a job, or both halves of a job asked for inside
    /// that half), false on every other thread, including a caller running both halves itself.</summary>
    public static bool OnHelper => t_onHelper;

    /// <summary>The part of 0 … <paramref name="count"/> − 1 that half <paramref name="half"/> (0 or 1) of a job takes: the
    /// first half, cut at a multiple of <paramref name="multipleOf"/> (16 floats: 64 bytes, so that of an array's cache
    /// lines at most one, where the cut falls inside a line, is written by both halves), then the rest. The same cut for
    /// the same count, whatever runs it.</summary>
    public static (int Start, int Length) Half(int count, int half, int multipleOf = 1)
    {
        var cut = Math.Min(count, (count / 2 + multipleOf - 1) / multipleOf * multipleOf);
        return half == 0 ? (0, cut) : (cut, count - cut);
    }

    /// <summary>Runs <paramref name="half"/>(0) and <paramref name="half"/>(1), at once when a second core is free, and
    /// returns when both have ended. An exception from either half is thrown here, as it was thrown.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Action<int> half)
    {
        ArgumentNullException.ThrowIfNull(half);
        if (!IsParallel || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            half(0);
            half(1);
            return;
        }
        try
        {
            var helper = _helper ?? StartHelper();
            helper.Post(half);
            Exception? mine = null;
            try { half(0); }
            catch (Exception e) { mine = e; }
            var theirs = helper.Join();
            // Both halves failing is one failure of the job: the caller's half's exception is the one thrown.
            if (mine is not null) ExceptionDispatchInfo.Throw(mine);
            theirs?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Helper StartHelper()
    {
        lock (StartLock) return _helper ??= new Helper();
    }

    /// <summary>The helper thread: it runs half 1 of each posted job.</summary>
    private sealed class Helper
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
        private Action<int>? _job;
        private long _posted; // jobs posted so far
        private long _done;   // jobs finished so far
        private int _sleeping; // 1 from just before the helper waits on _wake until it wakes
        private ExceptionDispatchInfo? _failure;

        public Helper()
        {
            new Thread(Loop) { IsBackground = true, Name = "StaticConvNet core team" }.Start();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Post(Action<int> job)
        {
            _job = job;
            _failure = null;
            Interlocked.Increment(ref _posted); // a full fence: the job is visible before the count, the count before the look
            // Only a sleeping helper needs the event. Setting it every job cost little, but the event's code was then
            // hot enough to be recompiled in the background in the middle of a run, taking one of the two cores.
            if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public ExceptionDispatchInfo? Join()
        {
            // A tight poll, not SpinWait's backoff: its later rounds pause for tens of microseconds at a time, and
            // measured here that added about 17 µs to a 230 µs step. After a millisecond (the helper's core was taken
            // from it) the poll yields the core between looks.
            var target = Volatile.Read(ref _posted);
            var patient = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _done) != target)
            {
                if (Stopwatch.GetTimestamp() < patient) Thread.SpinWait(4);
                else Thread.Yield();
            }
            return _failure;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop()
        {
            t_onHelper = true;
            long seen = 0;
            while (true)
            {
                // Poll for the next job for a while, then sleep until one is posted. One short pause between looks:
                // with sixteen, the helper's half started 3.7 µs after the caller's (median, arch1 at batch 16), with
                // one 1.8–2.3 µs, on a step of about 170 µs.
                var until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _posted) == seen && Stopwatch.GetTimestamp() < until) Thread.SpinWait(1);
                if (Volatile.Read(ref _posted) == seen)
                {
                    _wake.Reset();
                    // A full fence between saying so and looking at the count, as Post has between the count and its
                    // look: either this thread sees the new job, or Post sees it sleeping and sets the event.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _posted) == seen) _wake.Wait();
                    Volatile.Write(ref _sleeping, 0);
                    continue;
                }
                seen++;
                try { _job!(1); }
                catch (Exception e) { _failure = ExceptionDispatchInfo.Capture(e); }
                _job = null;
                Volatile.Write(ref _done, seen);
            }
        }
    }
}
