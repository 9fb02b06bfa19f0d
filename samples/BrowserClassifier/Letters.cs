using StaticConvNet;

namespace BrowserClassifier;

/// <summary>Notebook architecture 2 with trained weights baked in at compile time.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10, Weights = "arch2.scnw")]
[Conv2D(16, Patch = 5, Name = "conv1")]
[ReLU]
[MaxPool(2, Stride = 2, Name = "pool1")]
[Conv2D(16, Patch = 5, BiasInit = 1f, Name = "conv2")]
[ReLU]
[MaxPool(2, Stride = 2, Name = "pool2")]
[Dense(64, BiasInit = 1f, Name = "hidden")]
[ReLU]
[Dense(10, BiasInit = 1f, Name = "logits")]
public sealed partial class Letters;
