using System.Diagnostics;

namespace StaticConvNet.Bench;

/// <summary>A flag's round trip between two threads that are both running: one sets a flag, the other answers. The
/// flags sit on cache lines of their own, so each round trip moves exactly two lines between the cores.</summary>
internal sealed class FlagRoundTrip
{
    // Ping at 0, pong at 16, ready at 32: 128 bytes apart, never sharing a line.
    private readonly long[] _flags = new long[48];
    private long _round;

    /// <summary>The answering side: says it is ready, then answers <paramref name="rounds"/> pings.</summary>
    public void Answer(int rounds)
    {
        var first = Volatile.Read(ref _round);
        Volatile.Write(ref _flags[32], first + 1); // never the initial 0 nor the reset −1
        for (var i = first + 1; i <= first + rounds; i++)
        {
            while (Volatile.Read(ref _flags[0]) != i) { }
            Volatile.Write(ref _flags[16], i);
        }
    }

    /// <summary>The timing side: waits (untimed) until the other thread is running and ready, so a thread that was
    /// asleep is not timed waking up, then returns the mean of <paramref name="rounds"/> round trips in nanoseconds.
    /// Throws when the other side does not come within <paramref name="patience"/>: the two sides are not running at
    /// once (the same thread would wait for itself for ever).</summary>
    public double Ping(int rounds, TimeSpan patience)
    {
        var first = Volatile.Read(ref _round);
        var deadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref _flags[32]) != first + 1)
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new InvalidOperationException("the answering thread did not start: the two sides are not running at once");
        }
        var start = Stopwatch.GetTimestamp();
        for (var i = first + 1; i <= first + rounds; i++)
        {
            Volatile.Write(ref _flags[0], i);
            while (Volatile.Read(ref _flags[16]) != i) { }
        }
        var nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds / rounds;
        Volatile.Write(ref _round, first + rounds);
        Volatile.Write(ref _flags[32], -1);
        return nanoseconds;
    }
}
