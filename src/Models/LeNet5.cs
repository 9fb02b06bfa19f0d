namespace StaticConvNet.Models;

/// <summary>LeNet-5 (LeCun et al. 1998) as it is usually reimplemented, on notMNIST's 28x28 letters: the first
/// convolution is SAME, which is what the original's 32x32 zero-padded input amounts to, so every later shape is
/// the classic one: conv 6 → tanh → 2x2 average pool → conv 16 (VALID) → tanh → 2x2 average pool (5x5x16) →
/// 120 → tanh → 84 → tanh → 10. Not one of the notebook's architectures: the model that the average-pooling and
/// tanh layers were added for.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(6, Patch = 5, Name = "c1")]
[Tanh]
[AvgPool(2, Name = "s2")]
[Conv2D(16, Patch = 5, Padding = Padding.Valid, Name = "c3")]
[Tanh]
[AvgPool(2, Name = "s4")]
[ExpectShape(5, 5, 16)]
[Dense(120, Name = "c5")]
[Tanh]
[Dense(84, Name = "f6")]
[Tanh]
[Dense(10, Name = "logits")]
public sealed partial class LeNet5;
