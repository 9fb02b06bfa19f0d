using System.Diagnostics;
using System.Numerics;

namespace StaticConvNet.Bench;

/// <summary>What moving data between the two cores costs, for docs/performance.md's "Both cores": a training step
/// hands the weights, the prepared weights and the batch from the calling core to the helper and the helper's
/// gradients back, every step. Measures a buffer written by one core and then read by the other, against the same
/// read of a buffer the reading core wrote itself, at a training step's sizes; and the round trip of a flag.
/// Usage: StaticConvNet.Bench --cross-core</summary>
public static class CrossCoreHarness
{
    public static int Run()
    {
        if (Environment.ProcessorCount < 2)
        {
            Console.Error.WriteLine("--cross-core needs two cores");
            return 2;
        }
        Console.WriteLine($"{Environment.ProcessorCount} cores; each figure the median of 200 rounds");
        Console.WriteLine($"flag round trip between the cores: {RoundTripNanoseconds():F0} ns");
        Console.WriteLine("| KB | read, this core wrote it (µs) | read, the other core wrote it (µs) | GB/s | write, own lines (µs) | write, lines the other core read (µs) | GB/s |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var kilobytes in new[] { 32, 128, 256, 512 })
        {
            var (own, other, writeOwn, writeOther) = ReadMicroseconds(kilobytes * 1024 / sizeof(float));
            Console.WriteLine($"| {kilobytes} | {own:F1} | {other:F1} | {kilobytes * 1024 / (other * 1e3):F1} | {writeOwn:F1} | {writeOther:F1} | {kilobytes * 1024 / (writeOther * 1e3):F1} |");
        }
        return 0;
    }

    /// <summary>One core sets a flag, the other answers; the time of the whole exchange.</summary>
    private static double RoundTripNanoseconds()
    {
        const int rounds = 100_000;
        var roundTrip = new FlagRoundTrip();
        var helper = new Thread(() => roundTrip.Answer(rounds)) { IsBackground = true };
        helper.Start();
        var nanoseconds = roundTrip.Ping(rounds, TimeSpan.FromSeconds(10));
        helper.Join();
        return nanoseconds;
    }

    /// <summary>Every cache line of the buffer read once, four vectors in flight (what a kernel's loads do).</summary>
    private static float Read(float[] buffer)
    {
        Vector<float> a = default, b = default, c = default, d = default;
        var step = Vector<float>.Count;
        for (var i = 0; i + 4 * step <= buffer.Length; i += 4 * step)
        {
            a += new Vector<float>(buffer, i);
            b += new Vector<float>(buffer, i + step);
            c += new Vector<float>(buffer, i + 2 * step);
            d += new Vector<float>(buffer, i + 3 * step);
        }
        return Vector.Sum(a + b + c + d);
    }

    /// <summary>Median times to read a buffer of <paramref name="floats"/> on the calling core just after it wrote the
    /// buffer itself and just after the helper core wrote it; and to write it on the helper core just after the calling
    /// core read it, and again at once (its own lines).</summary>
    private static (double Own, double Other, double WriteOwn, double WriteOther) ReadMicroseconds(int floats)
    {
        var buffer = new float[floats];
        long turn = 0; // odd: the helper writes; even: the caller reads
        const int rounds = 200;
        var writeAfterOther = new double[rounds];
        var writeAfterOwn = new double[rounds];
        var helper = new Thread(() =>
        {
            for (long round = 1; round <= rounds; round++)
            {
                while (Volatile.Read(ref turn) != 2 * round - 1) { }
                var clock = Stopwatch.StartNew();
                buffer.AsSpan().Fill(round); // the lines were the caller's: each write takes one from it
                writeAfterOther[round - 1] = clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                buffer.AsSpan().Fill(round); // now this core's own
                writeAfterOwn[round - 1] = clock.Elapsed.TotalMicroseconds;
                Volatile.Write(ref turn, 2 * round);
            }
        }) { IsBackground = true };
        helper.Start();
        var own = new double[rounds];
        var other = new double[rounds];
        var sink = 0f;
        for (long round = 1; round <= rounds; round++)
        {
            buffer.AsSpan().Fill(-round);
            var clock = Stopwatch.StartNew();
            sink += Read(buffer);
            own[round - 1] = clock.Elapsed.TotalMicroseconds;

            Volatile.Write(ref turn, 2 * round - 1);
            while (Volatile.Read(ref turn) != 2 * round) { }
            clock.Restart();
            sink += Read(buffer);
            other[round - 1] = clock.Elapsed.TotalMicroseconds;
        }
        helper.Join();
        GC.KeepAlive(sink);
        Array.Sort(own);
        Array.Sort(other);
        Array.Sort(writeAfterOther);
        Array.Sort(writeAfterOwn);
        return (own[rounds / 2], other[rounds / 2], writeAfterOwn[rounds / 2], writeAfterOther[rounds / 2]);
    }
}
