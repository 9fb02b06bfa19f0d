using StaticConvNet.Models;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Every network describes itself as Keras's <c>model.summary()</c> does, and its ToString is the layer list.</summary>
public class Test_Summary
{
    [Fact]
    public void Summary_lists_every_layer_with_its_output_shape_and_parameters_then_the_totals()
    {
        IConvNet network = new Arch2ConvPool();
        network.Summary().ReplaceLineEndings("\n").ShouldBe("""
            Arch2ConvPool: 28x28x1 -> 10 classes
            --------------------------------------------------------------------------
            Layer (kind)     Arguments                        Output shape  Parameters
            --------------------------------------------------------------------------
            input                                             28x28x1
            conv1 (Conv2D)   16 filters, 5x5, stride 1, SAME  28x28x16             416
            relu1 (ReLU)     max(x, 0)                        28x28x16               0
            pool1 (MaxPool)  2x2, stride 2, SAME              14x14x16               0
            conv2 (Conv2D)   16 filters, 5x5, stride 1, SAME  14x14x16           6,416
            relu2 (ReLU)     max(x, 0)                        14x14x16               0
            pool2 (MaxPool)  2x2, stride 2, SAME              7x7x16                 0
            hidden (Dense)   64 units                         1x1x64            50,240
            relu3 (ReLU)     max(x, 0)                        1x1x64                 0
            logits (Dense)   10 units                         1x1x10               650
            --------------------------------------------------------------------------
            Parameters: 57,722 (230,888 bytes as float32); batch capacity 16

            """);
    }

    [Fact]
    public void A_network_of_blocks_is_drawn_as_a_tree_each_block_under_its_layer()
    {
        IConvNet network = new ResidualNet();
        var lines = network.Summary().ReplaceLineEndings("\n").Split('\n');
        lines.ShouldContain(l => l.StartsWith("residual1 (Residual)  ReluFirstBody + input") && l.TrimEnd().EndsWith("148"));
        lines.ShouldContain(l => l.StartsWith("  ReluFirstBody"));
        lines.ShouldContain(l => l.StartsWith("    relu1 (ReLU)"));
        lines.ShouldContain(l => l.StartsWith("    conv1 (Conv2D)") && l.TrimEnd().EndsWith("148"));
        lines.ShouldContain(l => l.StartsWith("  StridedProjection"));
        network.Description.AllLayers.Select(l => l.Name).ShouldBe([
            "conv1", "residual1", "residual1.ReluFirstBody.relu1", "residual1.ReluFirstBody.conv1",
            "residual2", "residual2.StridedBody.conv1", "residual2.StridedBody.tanh1", "residual2.StridedProjection.conv1",
            "gap1", "dense1"]);
        network.Description.AllLayers.Sum(l => l.InnerBlocks.Any() ? 0 : l.ParameterCount).ShouldBe(network.ParameterCount);
    }

    [Fact]
    public void ToString_is_the_layer_list_and_each_layer_says_what_it_is()
    {
        new Arch1StridedConv().ToString().ShouldBe(
            "Arch1StridedConv: 28x28x1 -> conv1 Conv2D 14x14x16 -> relu1 ReLU 14x14x16 -> conv2 Conv2D 7x7x16 -> relu2 ReLU 7x7x16 -> hidden Dense 1x1x64 -> relu3 ReLU 1x1x64 -> logits Dense 1x1x10");
        Arch1StridedConv.LayerDescription.Layers[0].ToString().ShouldBe("conv1: Conv2D 16 filters, 5x5, stride 2, SAME, 28x28x1 -> 14x14x16");
    }

    [Fact]
    public void A_network_that_declares_its_own_ToString_keeps_it()
    {
        var result = GeneratorHarness.Run("""
            using StaticConvNet;
            [Network(Height = 4, Width = 4, Classes = 2)]
            [Dense(2)]
            public sealed partial class Named
            {
                public override string ToString() => "mine";
            }
            """);
        result.Errors.ShouldBeEmpty();
        result.SingleSource.ShouldNotContain("ToString");
        var type = result.Load().GetType("Named")!;
        Activator.CreateInstance(type)!.ToString().ShouldBe("mine");
    }
}
