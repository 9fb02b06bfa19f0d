using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

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
