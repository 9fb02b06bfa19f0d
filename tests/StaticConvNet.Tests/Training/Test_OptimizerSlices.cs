using Shouldly;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Training;

/// <summary>An update in slices (the training loop gives each core its half of the parameters) is the whole update, bit
/// for bit, for every rule: it is element by element, and what the whole step shares is set once by StartStep.</summary>
public class Test_OptimizerSlices
{
    public static TheoryData<string> Rules => ["sgd", "momentum", "adam", "adamw"];

    internal static Optimizer Make(string rule, int count) => rule switch
    {
        "sgd" => new SgdOptimizer(count),
        "momentum" => new SgdOptimizer(count, momentum: 0.9f),
        "adam" => new AdamOptimizer(count),
        _ => new AdamOptimizer(count, weightDecay: 0.01),
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Two_halves_at_once_are_the_whole_step(string rule)
    {
        // 1,001 parameters: no multiple of a vector's width, cut unevenly, so each half has a vector part and a tail.
        const int count = 1001;
        var whole = ReferenceNets.Random(count, 1, 1f);
        var halves = (float[])whole.Clone();
        var (one, two) = (Make(rule, count), Make(rule, count));
        for (var step = 0; step < 4; step++)
        {
            var gradients = ReferenceNets.Random(count, 10 + step, 0.5f);
            one.Step(whole, gradients, 0.01f);
            two.StartStep(0.01f);
            CoreTeam.Run(half =>
            {
                var (start, length) = CoreTeam.Half(count, half, multipleOf: 16);
                two.StepSlice(halves.AsSpan(start, length), gradients.AsSpan(start, length), start);
            });
        }
        halves.ShouldBe(whole);
    }

    [Fact]
    public void A_slice_before_its_step_past_the_end_or_with_too_few_gradients_says_what_is_wrong()
    {
        var sgd = new SgdOptimizer(10);
        Should.Throw<InvalidOperationException>(() => sgd.StepSlice(new float[4], new float[4], 0))
            .Message.ShouldBe("StepSlice before StartStep: start the update first (Step does both).");
        Should.Throw<InvalidOperationException>(() => new AdamOptimizer(10).StepSlice(new float[4], new float[4], 0));
        sgd.StartStep(0.1f);
        Should.Throw<ArgumentException>(() => sgd.StepSlice(new float[4], new float[4], 7))
            .Message.ShouldBe("Optimizer holds 10 parameters, got a slice of 4 parameters and 4 gradients from 7.");
        Should.Throw<ArgumentException>(() => sgd.StepSlice(new float[4], new float[3], 0))
            .Message.ShouldBe("Optimizer holds 10 parameters, got a slice of 4 parameters and 3 gradients from 0.");
        Should.Throw<ArgumentException>(() => sgd.Step(new float[9], new float[9], 0.1f))
            .Message.ShouldBe("Optimizer holds 10 parameters, got 9 parameters and 9 gradients.");
    }

    [Theory]
    [InlineData(0, 0, 0, 0, 0)]
    [InlineData(5, 0, 5, 5, 0)]
    [InlineData(33, 0, 16, 16, 17)]
    [InlineData(57722, 0, 28864, 28864, 28858)]
    public void The_halves_cut_at_a_multiple_of_16_and_cover_everything(int count, int start0, int length0, int start1, int length1)
    {
        CoreTeam.Half(count, 0, multipleOf: 16).ShouldBe((start0, length0));
        CoreTeam.Half(count, 1, multipleOf: 16).ShouldBe((start1, length1));
    }
}
