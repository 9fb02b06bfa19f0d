using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

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
