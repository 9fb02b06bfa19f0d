using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Training;

/// <summary>Adam and AdamW: the update rule as PyTorch defines it, its state in checkpoints (format 2), and runs that
/// resume bit for bit.</summary>
public class Test_Adam
{
    /// <summary>torch.optim.Adam and AdamW (weight decay 0.01), PyTorch 1.13 on the CPU, lr 2^-7, five steps over 37
    /// parameters sin(i + 1) with gradients cos((i + 1)·t)/2, as float32 bit patterns. Made by this script:
    /// <code>
    /// p = torch.tensor([math.sin(i + 1) for i in range(37)], dtype=torch.float32, requires_grad=True)
    /// opt = torch.optim.AdamW([p], lr=0.0078125, weight_decay=0.01) if wd else torch.optim.Adam([p], lr=0.0078125)
    /// for t in range(1, 6):
    ///     opt.zero_grad(); p.grad = torch.tensor([math.cos((i + 1) * t) * 0.5 for i in range(37)], dtype=torch.float32); opt.step()
    /// </code>
    /// 37 is no multiple of a vector's width: both the vector and the scalar path are checked.</summary>
    private static readonly uint[] PyTorchAdam =
    [
            0x3F58568B, 0x3F6D8312, 0x3E1C21E1, 0xBF3D7734, 0xBF749C5A, 0xBEA206D8, 0x3F2620EC, 0x3F80CC74,
            0x3ED952F2, 0xBF07DC16, 0xBF7FA4F6, 0xBF0E2113, 0x3EC82AC9, 0x3F7E1B2C, 0x3F2A2520, 0xBE8D61D7,
            0xBF71AF1B, 0xBF4085A9, 0x3DE386D2, 0x3F6ADAA5, 0x3F5AEFC2, 0x3B1AA63F, 0xBF53D959, 0xBF66AD45,
            0xBE2F5195, 0x3F432363, 0x3F794B9F, 0x3E90B2D6, 0xBF262A23, 0xBF7C6438, 0xBEDE7DFB, 0x3F08BFE9,
            0x3F82290A, 0x3F0AD40E, 0xBED4DA51, 0xBF799393, 0xBF2716A2,
    ];

    private static readonly uint[] PyTorchAdamW =
    [
            0x3F58411B, 0x3F6D6B84, 0x3E1C12B4, 0xBF3D6418, 0xBF7483C6, 0xBEA1F7C0, 0x3F26105B, 0x3F80BFA6,
            0x3ED93D70, 0xBF07CE60, 0xBF7F8B53, 0xBF0E1302, 0x3EC81604, 0x3F7E01D5, 0x3F2A143E, 0xBE8D537A,
            0xBF7196C5, 0xBF407240, 0x3DE36B51, 0x3F6AC353, 0x3F5ADA0F, 0x3B1AB293, 0xBF53C3F6, 0xBF669608,
            0xBE2F426E, 0x3F431009, 0x3F7932DD, 0x3E90A497, 0xBF261963, 0xBF7C4AE7, 0xBEDE688A, 0x3F08B21C,
            0x3F821C18, 0x3F0AC64A, 0xBED4C4CC, 0xBF797A78, 0xBF2705E5,
    ];

    /// <summary>The same for 29 parameters: one 16-float chunk, then 13 one by one (more than a vector's worth).</summary>
    private static readonly uint[] PyTorchAdam29 =
    [
            0x3F58568B, 0x3F6D8312, 0x3E1C21E1, 0xBF3D7734, 0xBF749C5A, 0xBEA206D8, 0x3F2620EC, 0x3F80CC74,
            0x3ED952F2, 0xBF07DC16, 0xBF7FA4F6, 0xBF0E2113, 0x3EC82AC9, 0x3F7E1B2C, 0x3F2A2520, 0xBE8D61D7,
            0xBF71AF1B, 0xBF4085A9, 0x3DE386D2, 0x3F6ADAA5, 0x3F5AEFC2, 0x3B1AA63F, 0xBF53D959, 0xBF66AD45,
            0xBE2F5195, 0x3F432363, 0x3F794B9F, 0x3E90B2D6, 0xBF262A23,
    ];

    private static readonly uint[] PyTorchAdamW29 =
    [
            0x3F58411B, 0x3F6D6B84, 0x3E1C12B4, 0xBF3D6418, 0xBF7483C6, 0xBEA1F7C0, 0x3F26105B, 0x3F80BFA6,
            0x3ED93D70, 0xBF07CE60, 0xBF7F8B53, 0xBF0E1302, 0x3EC81604, 0x3F7E01D5, 0x3F2A143E, 0xBE8D537A,
            0xBF7196C5, 0xBF407240, 0x3DE36B51, 0x3F6AC353, 0x3F5ADA0F, 0x3B1AB293, 0xBF53C3F6, 0xBF669608,
            0xBE2F426E, 0x3F431009, 0x3F7932DD, 0x3E90A497, 0xBF261963,
    ];

    /// <summary>Whether <c>MultiplyAddEstimate</c> fuses here, as the PyTorch bits above were computed (x64 with FMA, ARM64).</summary>
    private static bool HardwareFusesMultiplyAdd => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    [Theory]
    [InlineData(37, 0.0)]
    [InlineData(37, 0.01)]
    [InlineData(29, 0.0)]
    [InlineData(29, 0.01)]
    public void Five_steps_give_the_bits_pytorch_gives(int n, double weightDecay)
    {
        var adam = new AdamOptimizer(n, weightDecay: weightDecay);
        var parameters = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i + 1)).ToArray();
        for (var t = 1; t <= 5; t++)
        {
            var gradients = Enumerable.Range(0, n).Select(i => (float)(Math.Cos((i + 1) * t) * 0.5)).ToArray();
            adam.Step(parameters, gradients, 0.0078125f);
        }
        var pytorch = (n, weightDecay) switch
        {
            (37, 0.0) => PyTorchAdam,
            (37, _) => PyTorchAdamW,
            (_, 0.0) => PyTorchAdam29,
            _ => PyTorchAdamW29,
        };
        if (HardwareFusesMultiplyAdd)
        {
            parameters.Select(BitConverter.SingleToUInt32Bits).ShouldBe(pytorch);
            return;
        }
        // Without a fused multiply-add (x64 without FMA, WebAssembly) the moments' last additions round once more, as
        // they would in PyTorch built for such a machine: the same values to within a few units in the last place.
        for (var i = 0; i < n; i++)
            Math.Abs(parameters[i] - BitConverter.UInt32BitsToSingle(pytorch[i])).ShouldBeLessThan(1e-6f, $"parameter {i}");
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
            .Message.ShouldBe("The checkpoint was trained with Adam(β1 0.9, β2 0.999, ε 1E-08, weight decay 0.02), not SGD; resume it with the same optimizer and settings.");
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
