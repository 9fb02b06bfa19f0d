namespace StaticConvNet.Models;

/// <summary>Notebook architecture 4, LeNet-like: conv1 + ReLU → dropout → 2x2 max-pool → local response
/// normalisation (radius 4, bias 1, alpha 0.001/9, beta 0.75, as in TensorFlow's CIFAR-10 tutorial) →
/// conv2 + ReLU → max-pool → conv3 + ReLU (7x7x16) → 64 → 10.
/// Biases after the first layer start at 0.1, as in TensorFlow's Deep MNIST tutorial this network follows: with the
/// 1.0 that arch1–3 use, activations compound through three convolutions into huge logits, and at the notebook's
/// learning rate of 0.1 training diverged or stalled for 3 seeds of 5 (see docs/results.md).</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(16, Patch = 5, Name = "conv1")]
[ReLU]
[Dropout(0.5f, Name = "dropout1")]
[MaxPool(2, Name = "pool1")]
[LocalResponseNorm(DepthRadius = 4, Bias = 1f, Alpha = 0.001f / 9f, Beta = 0.75f, Name = "norm1")]
[Conv2D(16, Patch = 5, BiasInit = 0.1f, Name = "conv2")]
[ReLU]
[MaxPool(2, Name = "pool2")]
[Conv2D(16, Patch = 5, BiasInit = 0.1f, Name = "conv3")]
[ReLU]
[ExpectShape(7, 7, 16)]
[Dense(64, BiasInit = 0.1f, Name = "hidden")]
[ReLU]
[Dense(10, BiasInit = 0.1f, Name = "logits")]
public sealed partial class Arch4LeNet;
