using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Runtime kernels on their own: hand-computable cases and the contracts generated code relies on.</summary>
public class Test_Kernels
{
    [Fact]
    public void Dropout_mask_keeps_about_one_minus_rate_and_scales_kept_values()
    {
        var input = Enumerable.Repeat(1f, 100_000).ToArray();
        var output = new float[input.Length];
        var mask = new float[input.Length];
        Dropout.Forward(input, output, mask, rate: 0.3f, seed: 5, stream: Dropout.Stream(0, 0, 0));
        var kept = mask.Count(m => m != 0f);
        ((double)kept / mask.Length).ShouldBe(0.7, 0.01);
        output.Where(v => v != 0f).ShouldAllBe(v => Math.Abs(v - 1f / 0.7f) < 1e-6f);
    }

    [Fact]
    public void Dropout_streams_of_different_images_differ()
    {
        var input = Enumerable.Repeat(1f, 64).ToArray();
        var a = new float[64];
        var b = new float[64];
        Dropout.Forward(input, new float[64], a, 0.5f, 1, Dropout.Stream(0, 0, 0));
        Dropout.Forward(input, new float[64], b, 0.5f, 1, Dropout.Stream(0, 0, 1));
        a.ShouldNotBe(b);
    }

    [Fact]
    public void Softmax_cross_entropy_of_uniform_logits_is_log_classes()
    {
        var gradient = new float[10];
        var loss = SoftmaxCrossEntropy.Compute(new float[10], 3, gradient, 1f);
        loss.ShouldBe(MathF.Log(10), 1e-6f);
        gradient[3].ShouldBe(0.1f - 1f, 1e-6f);
        gradient[0].ShouldBe(0.1f, 1e-6f);
    }

    [Fact]
    public void Softmax_cross_entropy_is_stable_for_huge_logits()
    {
        var logits = new[] { 1000f, 0f, -1000f };
        SoftmaxCrossEntropy.Loss(logits, 0).ShouldBe(0f, 1e-6f);
        SoftmaxCrossEntropy.Loss(logits, 1).ShouldBe(1000f, 1e-3f);
    }

    [Fact]
    public void Max_pool_routes_the_gradient_to_the_maximum_only()
    {
        float[] input = [0.1f, 0.9f, -0.3f, 0.5f];
        var output = new float[1];
        MaxPool.Forward<PoolShape<N2, N2, N1, N2, N2, Valid>>(input, output);
        output[0].ShouldBe(0.9f);
        var inputGradient = new float[4];
        MaxPool.Backward<PoolShape<N2, N2, N1, N2, N2, Valid>>(input, [2f], inputGradient);
        inputGradient.ShouldBe([0f, 2f, 0f, 0f]);
    }

    [Fact]
    public void Max_pool_backward_through_a_relu_gives_the_relus_backward_after_the_pools_bit_for_bit()
    {
        // Windows that tile (the blocked path, 16 channels; 16 + 1, the last channel scalar), overlapping windows that
        // add into zeros (3x3 stride 2), and a few channels only (the scalar path), over ReLU outputs with many zeros.
        ThroughReluMatchesReluAfterPool<PoolShape<N13, N11, N16, N2, N2, Same>>(seed: 1);
        ThroughReluMatchesReluAfterPool<PoolShape<N7, N9, N17, N2, N2, Same>>(seed: 2);
        ThroughReluMatchesReluAfterPool<PoolShape<N9, N7, N16, N3, N2, Same>>(seed: 3);
        ThroughReluMatchesReluAfterPool<PoolShape<N7, N5, N3, N3, N2, Valid>>(seed: 4);
    }

    private static void ThroughReluMatchesReluAfterPool<TShape>(int seed) where TShape : struct, IPoolShape
    {
        var random = new Random(seed);
        var stored = new float[TShape.InHeight * TShape.InWidth * TShape.Channels];
        for (var i = 0; i < stored.Length; i++) stored[i] = MathF.Max(random.NextSingle() * 2f - 1.2f, 0f); // about 60 % zeros
        for (var c = 0; c < TShape.Channels; c++) stored[c] = stored[TShape.Channels + c] = 0f; // a window with no positive value
        var outputGradient = new float[TShape.OutHeight * TShape.OutWidth * TShape.Channels];
        for (var i = 0; i < outputGradient.Length; i++) outputGradient[i] = random.NextSingle() * 2f - 1f;

        var expected = new float[stored.Length];
        MaxPool.Backward<TShape>(stored, outputGradient, expected);
        Relu.Backward(stored, expected, expected);
        var fused = Enumerable.Repeat(float.NaN, stored.Length).ToArray(); // every value must be written
        MaxPool.Backward<TShape, StoreRelu>(stored, outputGradient, fused);

        fused.Select(BitConverter.SingleToInt32Bits).ShouldBe(expected.Select(BitConverter.SingleToInt32Bits));
        fused.Count(v => v != 0f).ShouldBeGreaterThan(0);
        fused.Count(v => v != 0f).ShouldBeLessThan(expected.Length / 4); // the mask and the routing both dropped values
    }

    [Fact]
    public void Conv_same_padding_puts_the_odd_row_at_the_bottom()
    {
        // 2x2 patch of ones over a 2x2 input with SAME: TensorFlow pads one row/column after, none before.
        var output = new float[4];
        Conv2D.Forward<ConvShape<N2, N2, N1, N1, N2, N1, Same>>([1f, 2f, 3f, 4f], [1f, 1f, 1f, 1f], [0f], output);
        output.ShouldBe([10f, 6f, 7f, 4f]);
    }

    [Fact]
    public void Relu_gradient_is_zero_at_and_below_zero()
    {
        float[] input = [-1f, 0f, 2f];
        var inputGradient = new float[3];
        Relu.Backward(input, [5f, 5f, 5f], inputGradient);
        inputGradient.ShouldBe([0f, 0f, 5f]);
    }

    [Fact]
    public void Kernels_reject_buffers_that_do_not_match_the_shape()
    {
        Should.Throw<ArgumentException>(() => Conv2D.Forward<ConvShape<N3, N3, N1, N2, N3, N1, Same>>(new float[8], new float[18], new float[2], new float[18]));
    }
}
