namespace StaticConvNet.Models;

/// <summary>Notebook architecture 2: (5x5 stride-1 SAME convolution, ReLU, 2x2 stride-2 SAME max-pool) twice,
/// then a 64-unit hidden layer. 28x28x1 → 14x14x16 → 7x7x16 → 64 → 10.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(16, Patch = 5, Name = "conv1")]
[ReLU]
[MaxPool(2, Stride = 2, Name = "pool1")]
[Conv2D(16, Patch = 5, BiasInit = 1f, Name = "conv2")]
[ReLU]
[MaxPool(2, Stride = 2, Name = "pool2")]
[ExpectShape(7, 7, 16)]
[Dense(64, BiasInit = 1f, Name = "hidden")]
[ReLU]
[Dense(10, BiasInit = 1f, Name = "logits")]
public sealed partial class Arch2ConvPool;
