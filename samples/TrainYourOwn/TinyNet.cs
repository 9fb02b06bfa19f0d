using StaticConvNet;

namespace TrainYourOwn;

/// <summary>A small network of your own: one strided convolution, a pool, a hidden layer with dropout.</summary>
[Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
[Conv2D(16, Patch = 3, Stride = 2)]
[ReLU]
[MaxPool(2)]
[ExpectShape(7, 7, 16)]
[Dense(64)]
[ReLU]
[Dropout(0.25)]
[Dense(10)]
public sealed partial class TinyNet;
