using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Dropout's training behaviour as seen through a generated network. (The finite-difference gradient
/// checks of every layer kind and model live in Test_ReferenceEquivalence, computed in double.)</summary>
public class Test_Dropout
{
    [Fact]
    public void Training_draws_masks_per_step_and_replays_a_step_exactly()
    {
        var network = new DropoutNet();
        ReferenceNets.Random(DropoutNet.ParameterCount, 3, 0.3f).CopyTo(network.Parameters);
        var images = ReferenceNets.Random(DropoutNet.InputLength * 16, 4, 0.5f);
        var labels = new int[16];
        var inference = network.ComputeLoss(images, labels, 16);
        network.DropoutStep = 0;
        var step0 = network.ComputeLoss(images, labels, 16, training: true);
        network.DropoutStep = 1;
        var step1 = network.ComputeLoss(images, labels, 16, training: true);
        step0.ShouldNotBe(inference);
        step1.ShouldNotBe(step0);
        network.DropoutStep = 0;
        network.ComputeLoss(images, labels, 16, training: true).ShouldBe(step0, "the same step replays the same masks");
    }

    [Fact]
    public void ComputeGradients_advances_the_dropout_step()
    {
        var network = new DropoutNet();
        network.DropoutStep = 5;
        network.ComputeGradients(new float[DropoutNet.InputLength], [0], 1);
        network.DropoutStep.ShouldBe(6UL);
    }
}
