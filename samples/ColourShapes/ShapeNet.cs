using StaticConvNet;

namespace ColourShapes;

/// <summary>A colour network of your own: 32x32 RGB images, four classes (the shapes' folder names).</summary>
[Network(Height = 32, Width = 32, Channels = 3, Classes = 4)]
[Conv2D(16, Patch = 3)]
[ReLU]
[MaxPool(2)]
[Conv2D(32, Patch = 3)]
[ReLU]
[MaxPool(2)]
[ExpectShape(8, 8, 32)]
[Dense(64)]
[ReLU]
[Dense(4)]
public sealed partial class ShapeNet;
