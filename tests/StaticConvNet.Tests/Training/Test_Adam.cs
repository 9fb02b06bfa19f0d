using StaticConvNet.Data;
using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Training;

/// <summary>Adam and AdamW: the update rule as PyTorch defines it, its state in checkpoints (format 2), and runs that
/// resume bit for bit.</summary>
public class Test_Adam
{
    /// <summary>PyTorch's Adam/AdamW step, element by element, written out plainly.</summary>
    private static void Reference(float[] p, float[] g, float[] m, float[] v, long t, float lr, float decay)
    {
        const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        var stepSize = (float)(lr / (1 - Math.Pow(b1, t)));
        var root = (float)Math.Sqrt(1 - Math.Pow(b2, t));
        for (var i = 0; i < p.Length; i++)
        {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            p[i] = p[i] * (1f - lr * decay) - stepSize * m[i] / (MathF.Sqrt(v[i]) / root + eps);
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.01f)]
    public void Steps_are_pytorchs_update_to_the_bit_at_a_length_no_vector_divides(float weightDecay)
    {
        const int n = 37;
        var adam = new AdamOptimizer(n, weightDecay: weightDecay);
        var (parameters, expected) = (ReferenceNets.Random(n, 1, 1f), ReferenceNets.Random(n, 1, 1f));
        var (m, v) = (new float[n], new float[n]);
        for (var t = 1; t <= 5; t++)
        {
            var gradients = ReferenceNets.Random(n, 10 + t, 0.5f);
            adam.Step(parameters, gradients, 0.01f);
            Reference(expected, gradients, m, v, t, 0.01f, weightDecay);
        }
        parameters.ShouldBe(expected);
        adam.FirstMoment.ShouldBe(m);
        adam.SecondMoment.ShouldBe(v);
        adam.Steps.ShouldBe(5);
    }

    [Fact]
    public void The_first_step_moves_each_parameter_by_about_the_learning_rate_against_its_gradient()
    {
        var adam = new AdamOptimizer(3);
        var parameters = new float[] { 1, 1, 1 };
        adam.Step(parameters, [0.5f, -2f, 1e-3f], 0.1f);
        parameters[0].ShouldBe(0.9f, 1e-5f);
        parameters[1].ShouldBe(1.1f, 1e-5f);
        parameters[2].ShouldBe(0.9f, 1e-4f, "bias-corrected: even a tiny gradient moves by the learning rate");
    }

    [Fact]
    public void A_checkpoint_keeps_adams_state_and_sgd_checkpoints_stay_format_1()
    {
        var network = new ColourNet();
        network.InitializeParameters(1);
        var adam = new AdamOptimizer(ColourNet.ParameterCount, weightDecay: 0.02f);
        adam.Step(network.Parameters, ReferenceNets.Random(ColourNet.ParameterCount, 2, 0.1f), 0.01f);
        var bytes = Checkpoint.Capture(network, 1, 3, adam).ToBytes();
        bytes[8].ShouldBe((byte)2);
        var copy = Checkpoint.Parse(bytes, "a.scnc");
        copy.Adam!.Steps.ShouldBe(1);
        copy.Adam.WeightDecay.ShouldBe(0.02f);
        copy.Adam.FirstMoment.ShouldBe(adam.FirstMoment);
        copy.Adam.SecondMoment.ShouldBe(adam.SecondMoment);
        Checkpoint.Capture(network, 1, 3, new SgdOptimizer(ColourNet.ParameterCount, 0.9f)).ToBytes()[8].ShouldBe((byte)1);

        var negative = copy.Adam.SecondMoment.ToArray();
        negative[4] = -1;
        Should.Throw<DataFormatException>(() => Checkpoint.Parse((copy with { Adam = copy.Adam with { SecondMoment = negative } }).ToBytes(), "a.scnc"))
            .Message.ShouldBe("a.scnc: Adam second moment 4 is negative; a mean of squares never is");
        Should.Throw<ArgumentException>(() => copy.RestoreInto(new SgdOptimizer(ColourNet.ParameterCount)))
            .Message.ShouldBe("The checkpoint was trained with Adam; resume it with the same optimizer, not SGD.");
        Should.Throw<ArgumentException>(() => copy.RestoreInto(new AdamOptimizer(ColourNet.ParameterCount)))
            .Message.ShouldStartWith("The checkpoint was trained with Adam(β1 0.9, β2 0.999, ε 1E-08, weight decay 0.02)");
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void A_run_with_adam_cosine_decay_and_shifts_resumes_bit_for_bit_and_learns(OptimizerKind kind)
    {
        var (train, valid) = (Test_TrainingRun.Blobs(300, 1), Test_TrainingRun.Blobs(150, 2));
        TrainingOptions Options(int steps) => new()
        {
            Steps = steps, EvalEvery = 0, Optimizer = kind, WeightDecay = kind == OptimizerKind.AdamW ? 0.01f : 0f, RandomShift = 1, Seed = 2,
            Schedule = LearningRateSchedule.Cosine(0.01f, totalSteps: 200, warmupSteps: 10),
        };
        var whole = new ColourNet();
        var result = Trainer.Train(whole, train, valid, Options(200));
        result.ValidationAccuracy.ShouldBeGreaterThan(0.9f);

        var first = new ColourNet();
        Checkpoint? saved = null;
        Trainer.Train(first, train, valid, Options(80), callbacks: new TrainingCallbacks { Checkpoint = c => saved = c });
        var second = new ColourNet();
        Trainer.Train(second, train, valid, Options(120), resume: Checkpoint.Parse(saved!.ToBytes(), "split"));
        second.Parameters.ToArray().ShouldBe(whole.Parameters.ToArray());
    }
}
