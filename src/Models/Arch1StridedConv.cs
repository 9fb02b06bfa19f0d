namespace StaticConvNet.Models;

/// <summary>Notebook architecture 1: two 5x5 stride-2 SAME convolutions with ReLU, then a 64-unit hidden layer.
/// 28x28x1 → 14x14x16 → 7x7x16 → 64 → 10. Biases start at 0 for the first layer and 1 after it, as in the notebook.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(16, Patch = 5, Stride = 2, Padding = Padding.Same, Name = "conv1")]
[ReLU]
[Conv2D(16, Patch = 5, Stride = 2, Padding = Padding.Same, BiasInit = 1f, Name = "conv2")]
[ReLU]
[ExpectShape(7, 7, 16)]
[Dense(64, BiasInit = 1f, Name = "hidden")]
[ReLU]
[Dense(10, BiasInit = 1f, Name = "logits")]
public sealed partial class Arch1StridedConv;
