using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The convolution's register-blocked kernels (forward blocks of up to 14 pixels, stacked rows on narrow
/// outputs, overlapping last blocks; weight-gradient groups of every row or of kernel-row parts; the strided input
/// gradient's tap groups) against a direct sum in double, at shapes chosen to hit each of those cases. Each shape is a
/// type, as a generated layer's is, so the JIT compiles the same code for it.</summary>
public class Test_Conv2DBlocks
{
    public static TheoryData<Type> Shapes => new()
    {
        // height, width, in channels, out channels, patch, stride, padding
        typeof(ConvShape<N5, N5, N16, N16, N3, N1, Same>),    // width 5: two rows stacked per block, last block overlaps
        typeof(ConvShape<N7, N7, N16, N32, N5, N1, Same>),    // width 7: two rows per block; two output-channel registers
        typeof(ConvShape<N9, N29, N1, N16, N5, N1, Same>),    // width 29: three blocks of 10, the last overlapping
        typeof(ConvShape<N4, N11, N3, N16, N3, N1, Valid>),   // VALID, 27 weight rows: one all-rows group
        typeof(ConvShape<N6, N13, N16, N16, N2, N1, Same>),   // even patch: asymmetric SAME padding, kernel row of 32 in two groups
        typeof(ConvShape<N15, N15, N16, N16, N5, N2, Same>),  // stride 2: the strided input gradient, 25 taps per group
        typeof(ConvShape<N12, N10, N32, N16, N3, N3, Valid>), // stride 3, two input-channel registers
        typeof(ConvShape<N8, N9, N16, N16, N6, N2, Same>),    // patch 6: 36 taps, one kernel row per tap group
        typeof(ConvShape<N15, N15, N16, N16, N7, N2, Same>),  // patch 7, stride 2: a kernel row of 7 taps, past what a narrow block's kernel holds
        typeof(ConvShape<N3, N17, N16, N16, N1, N1, Same>),   // 1x1
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_backward_match_a_direct_sum(Type shape) => ForShape.Run(typeof(Test_Conv2DBlocks), nameof(MatchesDirectSum), shape);

    private static void MatchesDirectSum<T>() where T : struct, IConv2DShape
    {
        int height = T.InHeight, width = T.InWidth, inChannels = T.InChannels, outChannels = T.OutChannels;
        int patch = T.Patch, stride = T.Stride, outHeight = T.OutHeight, outWidth = T.OutWidth, padTop = T.PadTop, padLeft = T.PadLeft;
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
        Conv2D.Forward<T>(input, weights, bias, output);
        var (inputGradient, weightGradient, biasGradient) = (new float[input.Length], new float[weights.Length], new float[outChannels]);
        var flipped = new float[weights.Length];
        Conv2D.FlipWeights<T>(weights, flipped);
        Conv2D.Backward<T>(input, weights, flipped, outputGradient, inputGradient, weightGradient, biasGradient);

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
