using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

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
