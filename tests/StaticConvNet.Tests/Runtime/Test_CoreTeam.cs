using Shouldly;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Runtime;

/// <summary><see cref="CoreTeam"/>: both halves run, once each, on two threads when there are two cores; a half's
/// exception comes out of Run as itself; a team asked for from inside a half, or from several threads at once, still
/// runs every half before its Run returns.</summary>
[Collection(nameof(RunsAlone))]
public sealed class Test_CoreTeam
{
    [Fact]
    public void Each_half_runs_once_and_on_its_own_thread_when_there_are_two_cores()
    {
        for (var job = 0; job < 200; job++)
        {
            var runs = new int[2];
            var threads = new int[2];
            CoreTeam.Run(half =>
            {
                Interlocked.Increment(ref runs[half]);
                threads[half] = Environment.CurrentManagedThreadId;
            });
            runs.ShouldBe([1, 1]);
            threads[0].ShouldBe(Environment.CurrentManagedThreadId);
            if (CoreTeam.IsParallel) threads[1].ShouldNotBe(threads[0]);
            else threads[1].ShouldBe(threads[0]);
        }
    }

    /// <summary>Which layout copy a thread reads (<see cref="LayoutCopies.OfThisThread"/>) rests on this.</summary>
    [Fact]
    public void Only_the_helper_thread_is_on_the_helper()
    {
        var onHelper = new bool[2];
        CoreTeam.Run(half => onHelper[half] = CoreTeam.OnHelper);
        onHelper.ShouldBe([false, CoreTeam.IsParallel]);
        CoreTeam.OnHelper.ShouldBeFalse();
        var onOther = true;
        var other = new Thread(() => onOther = CoreTeam.OnHelper);
        other.Start();
        other.Join();
        onOther.ShouldBeFalse();
    }

    [Fact]
    public void Run_returns_only_after_the_slower_half_has_ended()
    {
        var ended = new bool[2];
        CoreTeam.Run(half =>
        {
            if (half == 1) Thread.Sleep(50); // the helper's half is the slow one
            Volatile.Write(ref ended[half], true);
        });
        ended.ShouldBe([true, true]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_half_that_throws_throws_out_of_Run_as_itself_after_the_other_half_ended(int failing)
    {
        var otherEnded = false;
        var thrown = Should.Throw<InvalidDataException>(() => CoreTeam.Run(half =>
        {
            if (half == failing) throw new InvalidDataException($"half {half} failed");
            Thread.Sleep(20);
            Volatile.Write(ref otherEnded, true);
        }));
        thrown.Message.ShouldBe($"half {failing} failed");
        otherEnded.ShouldBeTrue();

        // The team is whole again.
        var runs = new int[2];
        CoreTeam.Run(half => Interlocked.Increment(ref runs[half]));
        runs.ShouldBe([1, 1]);
    }

    [Fact]
    public void A_team_asked_for_inside_a_half_runs_its_halves_there()
    {
        var inner = new int[2, 2];
        CoreTeam.Run(outer => CoreTeam.Run(half => Interlocked.Increment(ref inner[outer, half])));
        inner.ShouldBe(new[,] { { 1, 1 }, { 1, 1 } });
    }

    [Fact]
    public void Callers_on_several_threads_at_once_each_get_all_their_halves()
    {
        const int callers = 4, jobs = 500;
        var missing = 0;
        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, _ =>
        {
            for (var job = 0; job < jobs; job++)
            {
                var runs = new int[2];
                CoreTeam.Run(half => Interlocked.Increment(ref runs[half]));
                if (runs[0] != 1 || runs[1] != 1) Interlocked.Increment(ref missing);
            }
        });
        missing.ShouldBe(0);
    }
}
