using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The softmax, its cross-entropy and the gradient against double precision, where a network that has become
/// confident puts its logits: far past the ~88.7 at which float's exp overflows. The reference subtracts the maximum in
/// double; the kernels must agree to float precision and never return NaN or infinity for finite logits.</summary>
public class Test_Softmax
{
    public static TheoryData<float[], int> ExtremeLogits => new()
    {
        { [100f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], 0 },      // the case: loss 0, gradient was NaN
        { [100f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], 3 },      // confidently wrong: loss 100
        { [-100f, 0f, -100f, 5f], 3 },
        { [1000f, -1000f, 999f, 0f], 2 },
        { [-1000f, -1000f, -1000f], 1 },                        // all equal: uniform
        { [1000f, 1000f, -1000f, 1000f, 0f], 4 },
        { [0.001f, 1e-7f, 250f, -3e4f, 88.8f, -88.8f, 17f, 1e4f, 9999.5f, -1e4f], 8 }, // mixed magnitudes
        { [3.4e38f, -3.4e38f / 4, 0f], 0 },
    };

    /// <summary>softmax, −log softmax[label] and softmax − onehot, in double, with the maximum subtracted.</summary>
    private static (double[] Probabilities, double Loss) Reference(float[] logits, int label)
    {
        var max = logits.Max(v => (double)v);
        var exponentials = logits.Select(v => Math.Exp(v - max)).ToArray();
        var sum = exponentials.Sum();
        return (exponentials.Select(e => e / sum).ToArray(), Math.Log(sum) - (logits[label] - max));
    }

    private static void ShouldBeClose(float actual, double expected, string what)
    {
        // Float's resolution near the value, plus the rounding of exp and log on float arguments.
        var tolerance = 1e-6 + 1e-6 * Math.Abs(expected);
        Tolerance.Difference(actual, expected).ShouldBeLessThanOrEqualTo(tolerance, $"{what}: {actual} against {expected}");
    }

    [Theory]
    [MemberData(nameof(ExtremeLogits))]
    public void Loss_gradient_and_probabilities_of_extreme_logits_match_double_precision(float[] logits, int label)
    {
        var (probabilities, loss) = Reference(logits, label);
        var gradient = new float[logits.Length];
        const float scale = 1f / 16;
        ShouldBeClose(SoftmaxCrossEntropy.Compute(logits, label, gradient, scale), loss, "loss with gradient");
        ShouldBeClose(SoftmaxCrossEntropy.Loss(logits, label), loss, "loss alone");
        for (var k = 0; k < logits.Length; k++)
            ShouldBeClose(gradient[k], scale * (probabilities[k] - (k == label ? 1 : 0)), $"gradient {k}");

        var computed = new float[logits.Length];
        Softmax.Probabilities(logits, computed);
        for (var k = 0; k < logits.Length; k++) ShouldBeClose(computed[k], probabilities[k], $"probability {k}");
    }

    [Fact]
    public void The_loss_with_its_gradient_has_the_same_bits_as_the_loss_alone()
    {
        // Training steps report one, evaluation the other: the same network and image must give the same number.
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var logits = Enumerable.Range(0, 10).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(5)))).ToArray();
            var label = random.Next(10);
            SoftmaxCrossEntropy.Compute(logits, label, new float[10], 1f).ShouldBe(SoftmaxCrossEntropy.Loss(logits, label));
        }
    }

    [Fact]
    public void Random_logits_scaled_up_to_ten_thousand_give_finite_results_that_match_double_precision()
    {
        var random = new Random(25);
        for (var trial = 0; trial < 2000; trial++)
        {
            var classes = random.Next(2, 40);
            var scale = Math.Pow(10, random.NextDouble() * 4); // 1 .. 1e4
            var logits = Enumerable.Range(0, classes).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
            var label = random.Next(classes);
            var (probabilities, loss) = Reference(logits, label);
            var gradient = new float[classes];
            var computedLoss = SoftmaxCrossEntropy.Compute(logits, label, gradient, 1f);
            float.IsFinite(computedLoss).ShouldBeTrue($"trial {trial}: loss {computedLoss}");
            ShouldBeClose(computedLoss, loss, $"trial {trial} loss");
            var computed = new float[classes];
            Softmax.Probabilities(logits, computed);
            for (var k = 0; k < classes; k++)
            {
                ShouldBeClose(gradient[k], probabilities[k] - (k == label ? 1 : 0), $"trial {trial} gradient {k}");
                ShouldBeClose(computed[k], probabilities[k], $"trial {trial} probability {k}");
            }
            Math.Abs(computed.Sum(p => (double)p) - 1).ShouldBeLessThan(1e-5, $"trial {trial}: probabilities sum to 1");
        }
    }

    [Fact]
    public void Probabilities_may_be_written_over_the_logits()
    {
        float[] values = [500f, 0f, 500f];
        Softmax.Probabilities(values, values);
        values.ShouldBe([0.5f, 0f, 0.5f]);
    }

    [Fact]
    public void A_logit_of_minus_infinity_has_probability_zero()
    {
        float[] logits = [2f, float.NegativeInfinity, 2f];
        var probabilities = new float[3];
        Softmax.Probabilities(logits, probabilities);
        probabilities.ShouldBe([0.5f, 0f, 0.5f]);
        SoftmaxCrossEntropy.Loss(logits, 0).ShouldBe(MathF.Log(2), 1e-6f);
        SoftmaxCrossEntropy.Loss(logits, 1).ShouldBe(float.PositiveInfinity, "certainly wrong");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_logit_that_is_not_finite_gives_NaN_not_a_confident_answer(float bad)
    {
        // A NaN must not hide behind a larger finite logit: the run that produced it has to be seen to have blown up.
        float[] logits = [1f, bad, 5f];
        var probabilities = new float[3];
        Softmax.Probabilities(logits, probabilities);
        probabilities.ShouldContain(float.NaN);
        float.IsNaN(SoftmaxCrossEntropy.Loss(logits, 2)).ShouldBeTrue();
    }
}
