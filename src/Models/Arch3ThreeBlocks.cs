namespace StaticConvNet.Models;

/// <summary>Notebook architecture 3: three blocks of (5x5 SAME convolution, ReLU, 2x2 SAME max-pool), then
/// a 64-unit hidden layer. 28 → 14 → 7 → 4 (SAME pooling rounds up), flattened 4x4x16 = 256 → 64 → 10.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(16, Patch = 5, Name = "conv1")]
[ReLU]
[MaxPool(2, Name = "pool1")]
[Conv2D(16, Patch = 5, BiasInit = 1f, Name = "conv2")]
[ReLU]
[MaxPool(2, Name = "pool2")]
[Conv2D(16, Patch = 5, BiasInit = 1f, Name = "conv3")]
[ReLU]
[MaxPool(2, Name = "pool3")]
[ExpectShape(4, 4, 16)]
[Dense(64, BiasInit = 1f, Name = "hidden")]
[ReLU]
[Dense(10, BiasInit = 1f, Name = "logits")]
public sealed partial class Arch3ThreeBlocks;
