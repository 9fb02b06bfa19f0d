namespace StaticConvNet.Models;

/// <summary>A small residual network with batch normalisation, in the shape of ResNet's: a 5x5 convolution and pooling
/// (28 → 14), a residual block that keeps 14x14x16, one that halves the size and doubles the channels with a 1x1
/// projection shortcut (7x7x32), then global average pooling and the classifier. Compiled for batches of 32, so the
/// best recipe's batch is one pass and BatchNorm sees all of it.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10, BatchCapacity = 32)]
[Conv2D(16, Patch = 5, Name = "conv1")]
[BatchNorm]
[ReLU]
[MaxPool(2, Name = "pool1")]
[Residual(typeof(ResidualBody16), Name = "block1")]
[ReLU]
[Residual(typeof(DownBody32), Shortcut = typeof(DownProjection32), Name = "block2")]
[ReLU]
[ExpectShape(7, 7, 32)]
[GlobalAvgPool]
[Dense(10, Name = "logits")]
public sealed partial class SmallResNet;

/// <summary>Two 3x3 convolutions that keep the shape, each batch-normalised (ReLU between): ResNet's basic block.</summary>
[Block]
[Conv2D(16, Patch = 3)]
[BatchNorm]
[ReLU]
[Conv2D(16, Patch = 3)]
[BatchNorm]
public sealed class ResidualBody16;

/// <summary>The basic block that halves the size and goes to 32 channels: a stride-2 3x3 convolution first.</summary>
[Block]
[Conv2D(32, Patch = 3, Stride = 2)]
[BatchNorm]
[ReLU]
[Conv2D(32, Patch = 3)]
[BatchNorm]
public sealed class DownBody32;

/// <summary>The shortcut beside <see cref="DownBody32"/>: a stride-2 1x1 convolution to the same shape.</summary>
[Block]
[Conv2D(32, Patch = 1, Stride = 2)]
[BatchNorm]
public sealed class DownProjection32;
