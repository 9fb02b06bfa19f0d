namespace StaticConvNet.Models;

/// <summary>The original exercise's last suggestion: "use different patch sizes (1x1, 3x3, 5x5) together … as a very
/// deep new layer". A 5x5 convolution and pooling (28 → 14), then two Inception modules, each four towers on the same
/// input concatenated by channel (16 each: 64), with pooling after each (14 → 7 → 4), then a 64-unit hidden layer.
/// The 3x3 and 5x5 towers first reduce their input to 16 channels with a 1x1 convolution, as GoogLeNet's do.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(16, Patch = 5, Name = "conv1")]
[ReLU]
[MaxPool(2, Name = "pool1")]
[Concat(typeof(Inception1x1), typeof(Inception3x3), typeof(Inception5x5), typeof(InceptionPool), Name = "inception1")]
[ExpectShape(14, 14, 64)]
[MaxPool(2, Name = "pool2")]
[Concat(typeof(Inception1x1), typeof(Inception3x3), typeof(Inception5x5), typeof(InceptionPool), Name = "inception2")]
[MaxPool(2, Name = "pool3")]
[ExpectShape(4, 4, 64)]
[Dense(64, Name = "hidden")]
[ReLU]
[Dense(10, Name = "logits")]
public sealed partial class InceptionNet;

/// <summary>An Inception tower: a 1x1 convolution to 16 channels.</summary>
[Block]
[Conv2D(16, Patch = 1)]
[ReLU]
public sealed class Inception1x1;

/// <summary>An Inception tower: 1x1 to 16 channels, then a 3x3 convolution.</summary>
[Block]
[Conv2D(16, Patch = 1, Name = "reduce")]
[ReLU]
[Conv2D(16, Patch = 3)]
[ReLU]
public sealed class Inception3x3;

/// <summary>An Inception tower: 1x1 to 16 channels, then a 5x5 convolution.</summary>
[Block]
[Conv2D(16, Patch = 1, Name = "reduce")]
[ReLU]
[Conv2D(16, Patch = 5)]
[ReLU]
public sealed class Inception5x5;

/// <summary>An Inception tower: 3x3 max-pooling at stride 1, then a 1x1 convolution to 16 channels.</summary>
[Block]
[MaxPool(3, Stride = 1)]
[Conv2D(16, Patch = 1)]
[ReLU]
public sealed class InceptionPool;
