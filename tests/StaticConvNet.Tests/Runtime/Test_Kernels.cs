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
        var shape = new PoolShape(2, 2, 1, 1, 1, 2, 2, 0, 0);
        float[] input = [0.1f, 0.9f, -0.3f, 0.5f];
        var output = new float[1];
        MaxPool.Forward(input, output, shape);
        output[0].ShouldBe(0.9f);
        var inputGradient = new float[4];
        MaxPool.Backward(input, [2f], inputGradient, shape);
        inputGradient.ShouldBe([0f, 2f, 0f, 0f]);
    }

    [Fact]
    public void Conv_same_padding_puts_the_odd_row_at_the_bottom()
    {
        // 2x2 patch of ones over a 2x2 input with SAME: TensorFlow pads one row/column after, none before.
        var shape = new Conv2DShape(2, 2, 1, 2, 2, 1, Patch: 2, Stride: 1, PadTop: 0, PadLeft: 0);
        var output = new float[4];
        Conv2D.Forward([1f, 2f, 3f, 4f], [1f, 1f, 1f, 1f], [0f], output, shape);
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
        var shape = new Conv2DShape(3, 3, 1, 3, 3, 2, 3, 1, 1, 1);
        Should.Throw<ArgumentException>(() => Conv2D.Forward(new float[8], new float[18], new float[2], new float[18], shape));
    }
}

/// <summary>The convolution kernels are generic over a shape struct; the overloads that take a shape value run the
/// same code through a thread's runtime shape. On a 16-channel shape (the register-blocked path, forward, weight gradient and
/// the stride-1 input gradient that runs a second, transposed convolution) both give the same bits.</summary>
public class Test_Conv2DShapes
{
    private readonly struct SixteenChannels : IConv2DShape
    {
        public static int InHeight => 7;
        public static int InWidth => 6;
        public static int InChannels => 16;
        public static int OutHeight => 7;
        public static int OutWidth => 6;
        public static int OutChannels => 16;
        public static int Patch => 3;
        public static int Stride => 1;
        public static int PadTop => 1;
        public static int PadLeft => 1;
    }

    private static readonly Conv2DShape Value = new(7, 6, 16, 7, 6, 16, 3, 1, 1, 1);

    [Fact]
    public void A_shape_value_and_a_shape_type_give_the_same_bits_forward_and_backward()
    {
        var random = new Random(3);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var (input, weights, bias, outputGradient) = (Values(7 * 6 * 16), Values(3 * 3 * 16 * 16), Values(16), Values(7 * 6 * 16));

        var (typed, valued) = (new float[7 * 6 * 16], new float[7 * 6 * 16]);
        Conv2D.Forward<SixteenChannels>(input, weights, bias, typed);
        Conv2D.Forward(input, weights, bias, valued, Value);
        valued.ShouldBe(typed);

        var (typedIn, typedW, typedB) = (new float[input.Length], new float[weights.Length], new float[16]);
        var (valuedIn, valuedW, valuedB) = (new float[input.Length], new float[weights.Length], new float[16]);
        var flipped = new float[weights.Length];
        Conv2D.FlipWeights<SixteenChannels>(weights, flipped);
        Conv2D.Backward<SixteenChannels>(input, weights, flipped, outputGradient, typedIn, typedW, typedB);
        Conv2D.Backward(input, weights, outputGradient, valuedIn, valuedW, valuedB, Value);
        valuedIn.ShouldBe(typedIn);
        valuedW.ShouldBe(typedW);
        valuedB.ShouldBe(typedB);
        typedIn.ShouldContain(v => v != 0f);
    }
}

/// <summary>The convolution's register-blocked kernels (forward blocks of up to 14 pixels, stacked rows on narrow
/// outputs, overlapping last blocks; weight-gradient groups of every row or of kernel-row parts; the strided input
/// gradient's tap groups) against a direct sum in double, at shapes chosen to hit each of those cases. Shapes are run
/// through the kernels' runtime-shape entry points, which execute the same generic code as a generated layer.</summary>
public class Test_Conv2DBlocks
{
    public static TheoryData<int, int, int, int, int, int, bool> Shapes => new()
    {
        // height, width, in channels, out channels, patch, stride, SAME
        { 5, 5, 16, 16, 3, 1, true },    // width 5: two rows stacked per block, last block overlaps
        { 7, 7, 16, 32, 5, 1, true },    // width 7: two rows per block; two output-channel registers
        { 9, 29, 1, 16, 5, 1, true },    // width 29: three blocks of 10, the last overlapping
        { 4, 11, 3, 16, 3, 1, false },   // VALID, 27 weight rows: one all-rows group
        { 6, 13, 16, 16, 2, 1, true },   // even patch: asymmetric SAME padding, kernel row of 32 in two groups
        { 15, 15, 16, 16, 5, 2, true },  // stride 2: the strided input gradient, 25 taps per group
        { 12, 10, 32, 16, 3, 3, false }, // stride 3, two input-channel registers
        { 8, 9, 16, 16, 6, 2, true },    // patch 6: 36 taps, one kernel row per tap group
        { 15, 15, 16, 16, 7, 2, true },  // patch 7, stride 2: a kernel row of 7 taps, past what a narrow block's kernel holds
        { 3, 17, 16, 16, 1, 1, true },   // 1x1
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_backward_match_a_direct_sum(int height, int width, int inChannels, int outChannels, int patch, int stride, bool same)
    {
        int outHeight = same ? (height + stride - 1) / stride : (height - patch) / stride + 1;
        int outWidth = same ? (width + stride - 1) / stride : (width - patch) / stride + 1;
        int padTop = same ? Math.Max((outHeight - 1) * stride + patch - height, 0) / 2 : 0;
        int padLeft = same ? Math.Max((outWidth - 1) * stride + patch - width, 0) / 2 : 0;
        var shape = new Conv2DShape(height, width, inChannels, outHeight, outWidth, outChannels, patch, stride, padTop, padLeft);
        var input = ReferenceNets.Random(height * width * inChannels, 1, 1f);
        var weights = ReferenceNets.Random(patch * patch * inChannels * outChannels, 2, 0.5f);
        var bias = ReferenceNets.Random(outChannels, 3, 0.5f);
        var outputGradient = ReferenceNets.Random(outHeight * outWidth * outChannels, 4, 1f);

        var (expectedOutput, expectedInputGradient, expectedWeightGradient) = (new double[outputGradient.Length], new double[input.Length], new double[weights.Length]);
        for (var oy = 0; oy < outHeight; oy++)
        for (var ox = 0; ox < outWidth; ox++)
        for (var o = 0; o < outChannels; o++)
        {
            var pixel = (oy * outWidth + ox) * outChannels + o;
            var sum = (double)bias[o];
            for (var ky = 0; ky < patch; ky++)
            for (var kx = 0; kx < patch; kx++)
            {
                int iy = oy * stride - padTop + ky, ix = ox * stride - padLeft + kx;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                for (var c = 0; c < inChannels; c++)
                {
                    int x = (iy * width + ix) * inChannels + c, w = ((ky * patch + kx) * inChannels + c) * outChannels + o;
                    sum += (double)input[x] * weights[w];
                    expectedWeightGradient[w] += (double)input[x] * outputGradient[pixel];
                    expectedInputGradient[x] += (double)weights[w] * outputGradient[pixel];
                }
            }
            expectedOutput[pixel] = sum;
        }

        var output = new float[outputGradient.Length];
        Conv2D.Forward(input, weights, bias, output, shape);
        var (inputGradient, weightGradient, biasGradient) = (new float[input.Length], new float[weights.Length], new float[outChannels]);
        Conv2D.Backward(input, weights, outputGradient, inputGradient, weightGradient, biasGradient, shape);

        ShouldMatch(output, expectedOutput, "output");
        ShouldMatch(weightGradient, expectedWeightGradient, "weight gradient");
        ShouldMatch(inputGradient, expectedInputGradient, "input gradient");
    }

    private static void ShouldMatch(float[] actual, double[] expected, string what)
    {
        actual.Length.ShouldBe(expected.Length);
        for (var i = 0; i < actual.Length; i++)
        {
            if (Tolerance.Difference(actual[i], expected[i]) > 1e-4) throw new ShouldAssertException($"{what}[{i}] is {actual[i]}, expected {expected[i]}");
        }
    }
}

/// <summary>The dense layer's backward split: per image the bias and input gradients (rows four at a time, then the
/// rest), per shard the weight gradient over several images at once (eight at a time in registers, then the rest),
/// each weight summing its images in order — the same bits as adding the images' outer products one by one.</summary>
public class Test_DenseBackward
{
    [Theory]
    [InlineData(7, 64, 1)]
    [InlineData(13, 32, 8)]
    [InlineData(9, 10, 9)]   // outputs not a multiple of 16: the scalar columns
    [InlineData(784, 64, 11)]
    public void Batched_weight_gradient_is_the_images_added_in_order_and_input_gradient_is_W_times_dOut(int inputs, int outputs, int count)
    {
        var x = ReferenceNets.Random(count * inputs, 1, 1f);
        var g = ReferenceNets.Random(count * outputs, 2, 1f);
        var weights = ReferenceNets.Random(inputs * outputs, 3, 0.5f);
        var start = ReferenceNets.Random(inputs * outputs, 4, 0.1f);

        var batched = start.ToArray();
        Dense.WeightGradient(x, g, count, batched);
        var oneByOne = start.ToArray();
        for (var image = 0; image < count; image++)
        for (var i = 0; i < inputs; i++)
        for (var o = 0; o < outputs; o++)
            // The kernel's multiply-add: fused where the hardware fuses, a multiply then an add on tiers without (x64
            // without FMA, WebAssembly), in the vector lanes and the scalar columns alike.
            oneByOne[i * outputs + o] = float.MultiplyAddEstimate(x[image * inputs + i], g[image * outputs + o], oneByOne[i * outputs + o]);
        batched.ShouldBe(oneByOne);

        var (inputGradient, biasGradient) = (new float[inputs], new float[outputs]);
        Dense.Backward(weights, g.AsSpan(0, outputs), inputGradient, biasGradient);
        biasGradient.ShouldBe(g.AsSpan(0, outputs).ToArray());
        for (var i = 0; i < inputs; i++)
        {
            var expected = 0.0;
            for (var o = 0; o < outputs; o++) expected += (double)weights[i * outputs + o] * g[o];
            Tolerance.Difference(inputGradient[i], expected).ShouldBeLessThan(1e-4, $"input gradient {i}");
        }
    }
}

/// <summary>A ReLU fused into the dense layer's store: the same bits as the layer's output through max(x, 0), in the
/// register blocks of 64 outputs and in the scalar rest.</summary>
public class Test_DenseForward
{
    [Theory]
    [InlineData(20, 64)]
    [InlineData(13, 75)]  // one register block, then eleven outputs in the rest
    [InlineData(7, 10)]   // the rest only
    public void A_fused_relu_is_the_relu_of_the_layers_output(int inputs, int outputs)
    {
        var x = ReferenceNets.Random(inputs, 1, 1f);
        var weights = ReferenceNets.Random(inputs * outputs, 2, 0.5f);
        var bias = ReferenceNets.Random(outputs, 3, 0.5f);
        var (plain, fused) = (new float[outputs], new float[outputs]);
        Dense.Forward(x, weights, bias, plain);
        Dense.Forward<StoreRelu>(x, weights, bias, fused);
        plain.ShouldContain(v => v < 0f);
        fused.ShouldBe(plain.Select(v => Math.Max(v, 0f)).ToArray());
    }
}
