using Shouldly;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Training;

/// <summary>A core's half of the update goes in place or through a copy, whichever has lately been faster: the two ways
/// give the same bits for every rule, and the choice takes the faster way, tries the other now and then, and follows a
/// change.</summary>
public class Test_HalfUpdate
{
    private static float[] State(Optimizer optimizer) => optimizer switch
    {
        SgdOptimizer sgd => sgd.Velocity,
        AdamOptimizer adam => [.. adam.FirstMoment, .. adam.SecondMoment],
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer)),
    };

    [Theory]
    [MemberData(nameof(Test_OptimizerSlices.Rules), MemberType = typeof(Test_OptimizerSlices))]
    public void Through_the_copy_is_the_update_in_place_bit_for_bit(string rule)
    {
        // A half of 10,001 parameters from 37 on: two whole 4,096-float chunks and a part, none a multiple of a vector.
        const int count = 10_100, offset = 37, length = 10_001;
        var inPlace = ReferenceNets.Random(count, 1, 1f);
        var throughCopy = (float[])inPlace.Clone();
        var (one, two) = (Test_OptimizerSlices.Make(rule, count), Test_OptimizerSlices.Make(rule, count));
        var (direct, copied) = (new HalfUpdate(throughCopy: false), new HalfUpdate(throughCopy: true));
        for (var step = 0; step < 3; step++)
        {
            var gradients = ReferenceNets.Random(count, 10 + step, 0.5f);
            one.StartStep(0.01f);
            two.StartStep(0.01f);
            direct.Apply(one, inPlace, gradients, [new ParameterRange(offset, length)]);
            copied.Apply(two, throughCopy, gradients, [new ParameterRange(offset, length)]);
        }
        throughCopy.ShouldBe(inPlace);
        State(two).ShouldBe(State(one));
        copied.ThroughCopyUpdates.ShouldBe(3);
        direct.ThroughCopyUpdates.ShouldBe(0);
        inPlace.AsSpan(0, offset).ToArray().ShouldBe(ReferenceNets.Random(count, 1, 1f).AsSpan(0, offset).ToArray()); // only the half moved
    }

    /// <summary>Runs <paramref name="calls"/> choices, each way taking what <paramref name="ticks"/> says; returns how
    /// many chose the second way.</summary>
    private static int Run(ref FasterOfTwo choice, int calls, Func<bool, long> ticks)
    {
        var second = 0;
        for (var i = 0; i < calls; i++)
        {
            var chose = choice.ChooseSecond();
            if (chose) second++;
            choice.Record(chose, ticks(chose));
        }
        return second;
    }

    [Fact]
    public void Each_way_runs_twice_before_any_choice_and_its_first_run_is_not_counted()
    {
        var choice = new FasterOfTwo();
        var order = new List<bool>();
        var runs = 0;
        for (var i = 0; i < 6; i++)
        {
            var chose = choice.ChooseSecond();
            order.Add(chose);
            // The first way compiles slowly (a millisecond), then takes 100; the second always 150.
            choice.Record(chose, chose ? 150 : runs++ == 0 ? 1_000_000 : 100);
        }
        order.ShouldBe([false, false, true, true, false, false]);
    }

    [Fact]
    public void The_faster_way_runs_and_the_other_once_in_every_probe_interval()
    {
        var choice = new FasterOfTwo();
        Run(ref choice, 4, chose => chose ? 60 : 100);
        // Calls 5 … 3,204: every one a multiple of ProbeEvery times the slower way, 100 of them.
        Run(ref choice, 100 * FasterOfTwo.ProbeEvery, chose => chose ? 60 : 100).ShouldBe(100 * FasterOfTwo.ProbeEvery - 100);
    }

    [Fact]
    public void A_lasting_change_of_speeds_changes_the_choice_within_a_few_runs()
    {
        var choice = new FasterOfTwo();
        Run(ref choice, 4 + 10 * FasterOfTwo.ProbeEvery, chose => chose ? 60 : 100);
        // The second way now takes 200 (the host moved the cores): each run counts as at most twice the estimate,
        // 60 → 75 → 93.75 → 117.2, so it runs three more times before the first takes over.
        Run(ref choice, 3, chose => chose ? 200 : 100).ShouldBe(3);
        choice.ChooseSecond().ShouldBeFalse();
        choice.Record(false, 100);
        // And back: the first way slows to 400, the second is at 60 again. The first way's estimate passes the
        // second's (117) within a few runs, and the second runs from then on, but for the probes.
        Run(ref choice, 4 * FasterOfTwo.ProbeEvery, chose => chose ? 60 : 400).ShouldBeGreaterThan(4 * FasterOfTwo.ProbeEvery - 10);
    }

    [Fact]
    public void An_estimate_of_zero_ticks_can_still_grow()
    {
        // A clock coarser than the work reads 0 at first; then the first way slows to 100 ticks, the second takes 50.
        var choice = new FasterOfTwo();
        Run(ref choice, 4, _ => 0);
        Run(ref choice, 20 * FasterOfTwo.ProbeEvery, chose => chose ? 50 : 100).ShouldBeGreaterThan(15 * FasterOfTwo.ProbeEvery);
    }

    [Fact]
    public void One_slow_run_of_the_chosen_way_does_not_cost_it_the_choice()
    {
        var choice = new FasterOfTwo();
        Run(ref choice, 4 + 10 * FasterOfTwo.ProbeEvery, chose => chose ? 60 : 100);
        // An interrupt: one run of the chosen (second) way takes 1,000. It counts as 120: the estimate goes to 75.
        choice.ChooseSecond().ShouldBeTrue();
        choice.Record(true, 1_000);
        choice.ChooseSecond().ShouldBeTrue();
    }
}
