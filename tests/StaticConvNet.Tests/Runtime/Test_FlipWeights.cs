using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary><see cref="Conv2D.FlipWeights{TShape}"/> against its definition, W'[P−1−ky, P−1−kx, o, c] = W[ky, kx, c, o],
/// float for float: the register transposes of 16 × 16 tiles where both channel counts are multiples of 16 (at the
/// tier this process runs: .ci/run repeats it at AVX2 and at 128 bits), the scalar loop elsewhere.</summary>
public class Test_FlipWeights
{
    public static TheoryData<Type> Shapes => new()
    {
        // height, width, in channels, out channels, patch, stride, padding (only the channels and the patch matter)
        typeof(ConvShape<N8, N8, N16, N16, N5, N1, Same>),  // arch2's conv2: one tile a tap
        typeof(ConvShape<N8, N8, N16, N32, N3, N1, Same>),  // two tiles across the outputs
        typeof(ConvShape<N8, N8, N48, N16, N2, N1, Same>),  // three down the inputs, even patch
        typeof(ConvShape<N8, N8, N32, N32, N1, N1, Same>),  // 1×1: a plain 32 × 32 transpose
        typeof(ConvShape<N8, N8, N6, N16, N5, N1, Same>),   // LeNet-5's c3: scalar
        typeof(ConvShape<N8, N8, N16, N6, N3, N1, Same>),   // outputs not a multiple of 16: scalar
        typeof(ConvShape<N8, N8, N3, N5, N2, N1, Same>),    // neither
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Flipped_weights_are_the_weights_rotated_with_channels_swapped(Type shape)
        => ForShape.Run(typeof(Test_FlipWeights), nameof(MatchesDefinition), shape);

    private static void MatchesDefinition<T>() where T : struct, IConv2DShape
    {
        int patch = T.Patch, ic = T.InChannels, oc = T.OutChannels;
        var weights = ReferenceNets.Random(patch * patch * ic * oc, 7, 1f);
        var flipped = new float[weights.Length];
        flipped.AsSpan().Fill(float.NaN); // every float must be written
        Conv2D.FlipWeights<T>(weights, flipped);
        for (var ky = 0; ky < patch; ky++)
        for (var kx = 0; kx < patch; kx++)
        for (var c = 0; c < ic; c++)
        for (var o = 0; o < oc; o++)
        {
            var expected = weights[((ky * patch + kx) * ic + c) * oc + o];
            var actual = flipped[(((patch - 1 - ky) * patch + (patch - 1 - kx)) * oc + o) * ic + c];
            if (BitConverter.SingleToInt32Bits(actual) != BitConverter.SingleToInt32Bits(expected))
                Assert.Fail($"W'[{patch - 1 - ky},{patch - 1 - kx},{o},{c}] = {actual}, expected W[{ky},{kx},{c},{o}] = {expected}");
        }
    }
}
