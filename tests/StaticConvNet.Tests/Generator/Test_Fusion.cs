using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>The plan fuses a ReLU into the convolution or dense layer before it (one buffer, applied in that layer's
/// store), and only there; the generated comments name the layers as the user wrote them.</summary>
public class Test_Fusion
{
    [Fact]
    public void A_relu_after_a_convolution_or_dense_layer_shares_its_buffer_and_one_after_a_pool_keeps_its_own()
    {
        var source = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 6, Width = 6, Classes = 3)]
            [Conv2D(4, Patch = 3, Name = "Edges")]
            [ReLU(Name = "edgeRelu")]
            [MaxPool(2, Stride = 2, Name = "pool")]
            [ReLU(Name = "poolRelu")]
            [Dense(8, Name = "hidden")]
            [ReLU(Name = "hiddenRelu")]
            [Dense(3)]
            public sealed partial class Fused;
            """).SingleSource;
        source.ShouldContain("private const int EdgesImageOffset = 0;");
        source.ShouldContain("private const int EdgeReluImageOffset = 0;");
        source.ShouldContain("Conv2D.Forward<EdgesShape, global::StaticConvNet.Kernels.StoreRelu>(");
        source.ShouldContain("// edgeRelu: max(x, 0) runs inside Edges's store, in Edges's output buffer.");
        source.ShouldContain("case 1: break; // runs inside EdgesForward");
        // The pool cannot apply it: its ReLU has a buffer of its own after the pool's (144 + 36).
        source.ShouldContain("private const int PoolReluImageOffset = 180;");
        source.ShouldContain("private void PoolReluForward(");
        // The dense layer applies its own, in its buffer (after the pool's ReLU: 180 + 36).
        source.ShouldContain("private const int HiddenImageOffset = 216;");
        source.ShouldContain("private const int HiddenReluImageOffset = 216;");
        source.ShouldContain("Dense.Forward<global::StaticConvNet.Kernels.StoreRelu>(");
        source.ShouldNotContain("private void HiddenReluForward(");
    }
}
