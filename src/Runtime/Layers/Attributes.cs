namespace StaticConvNet;

// The attributes a user writes. They carry no behaviour: the source generator reads them at compile
// time and emits the network. Defaults follow the Udacity notMNIST notebook (TensorFlow 1.x).
// Real-valued arguments are double, so every literal people write compiles ([Dropout(0.5)], Bias = 1,
// Alpha = 0.001 / 9, 0.5f); the network computes in float, and the generator rounds each value to float once.

/// <summary>How a window treats the border, exactly as TensorFlow's <c>padding</c> argument.</summary>
public enum Padding
{
    /// <summary>Output size is ceil(input / stride); zeros (or -inf for pooling) pad the input,
    /// with the odd extra row/column at the bottom/right.</summary>
    Same = 0,

    /// <summary>No padding: output size is floor((input - window) / stride) + 1.</summary>
    Valid = 1,
}

/// <summary>Marks a <c>partial</c> class as a network: the layer attributes on it, in order, are its layers.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    public const int DefaultChannels = 1;
    public const int DefaultBatchCapacity = 16;

    /// <summary>Input image height in pixels.</summary>
    public int Height { get; set; }

    /// <summary>Input image width in pixels.</summary>
    public int Width { get; set; }

    /// <summary>Input channels (1 for grayscale). Images are stored height × width × channels (HWC).</summary>
    public int Channels { get; set; } = DefaultChannels;

    /// <summary>Number of classes; the last layer must be a <see cref="DenseAttribute"/> with this many units.</summary>
    public int Classes { get; set; }

    /// <summary>The most images one training step can hold; buffers are sized by it at compile time.</summary>
    public int BatchCapacity { get; set; } = DefaultBatchCapacity;

    /// <summary>A weights file (<c>.scnw</c>, written by <c>scn train</c>) to bake into the class at compile time.
    /// Add it to the project as <c>&lt;AdditionalFiles Include="..." /&gt;</c>; its layer fingerprint must match.</summary>
    public string? Weights { get; set; }
}

/// <summary>Marks a class as a block: a reusable piece of network whose layer attributes, in order, are its layers.
/// Its input shape is wherever it is used (<see cref="ConcatAttribute"/>, <see cref="ResidualAttribute"/>); each use has
/// parameters of its own. The class may be partial or not: nothing is generated into it.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute;

/// <summary>Common settings of every layer attribute.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>The layer's name in generated code and messages (e.g. "conv1"); defaults to kind + index.</summary>
    public string? Name { get; set; }
}

/// <summary>2-D convolution plus bias. Weights are HWIO (patch × patch × in × filters), as in TensorFlow.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute(int filters) : LayerAttribute
{
    public const int DefaultStride = 1;
    public const Padding DefaultPadding = Padding.Same;
    public const double DefaultWeightStd = 0.1;
    public const double DefaultBiasInit = 0;

    /// <summary>Number of output channels.</summary>
    public int Filters { get; } = filters;

    /// <summary>Side of the square patch (required).</summary>
    public int Patch { get; set; }

    /// <summary>Step between patches, in both directions.</summary>
    public int Stride { get; set; } = DefaultStride;

    /// <summary>Border handling.</summary>
    public Padding Padding { get; set; } = DefaultPadding;

    /// <summary>Standard deviation of the truncated-normal weight initialiser (values beyond 2σ are redrawn).</summary>
    public double WeightStd { get; set; } = DefaultWeightStd;

    /// <summary>Constant every bias starts at.</summary>
    public double BiasInit { get; set; } = DefaultBiasInit;
}

/// <summary>Max pooling over square windows of each channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute(int size) : LayerAttribute
{
    /// <summary>0: the stride is as wide as the window (<see cref="Size"/>).</summary>
    public const int DefaultStride = 0;
    public const Padding DefaultPadding = Padding.Same;

    /// <summary>Side of the square window.</summary>
    public int Size { get; } = size;

    /// <summary>Step between windows; when not set, equal to <see cref="Size"/>.</summary>
    public int Stride { get; set; } = DefaultStride;

    /// <summary>Border handling (padding never wins the max).</summary>
    public Padding Padding { get; set; } = DefaultPadding;
}

/// <summary>Average pooling over square windows of each channel, with TensorFlow <c>tf.nn.avg_pool</c> semantics:
/// under SAME padding each output averages only the window's inputs that lie inside the image (padding is not
/// counted); VALID windows are always full.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute(int size) : LayerAttribute
{
    /// <summary>0: the stride is as wide as the window (<see cref="Size"/>).</summary>
    public const int DefaultStride = 0;
    public const Padding DefaultPadding = Padding.Same;

    /// <summary>Side of the square window.</summary>
    public int Size { get; } = size;

    /// <summary>Step between windows; when not set, equal to <see cref="Size"/>.</summary>
    public int Stride { get; set; } = DefaultStride;

    /// <summary>Border handling (padding is not counted in the average).</summary>
    public Padding Padding { get; set; } = DefaultPadding;
}

/// <summary>The mean of each channel over the whole image: H x W x C becomes 1 x 1 x C (PyTorch's
/// <c>AdaptiveAvgPool2d(1)</c>, Keras's <c>GlobalAveragePooling2D</c>, ONNX's <c>GlobalAveragePool</c>). No arguments:
/// the window is whatever the input's size is.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute;

/// <summary>Runs each block on the same input and concatenates their outputs by channel, in the order given (an
/// Inception module's towers). Every block must give the same height and width.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute(params Type[] blocks) : LayerAttribute
{
    /// <summary>Two or more <see cref="BlockAttribute"/> classes.</summary>
    public Type[] Blocks { get; } = blocks;
}

/// <summary>A residual connection: output = body(input) + input, or body(input) + shortcut(input) when
/// <see cref="Shortcut"/> is given (a projection where the body changes the shape).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute(Type body) : LayerAttribute
{
    /// <summary>The <see cref="BlockAttribute"/> class the input runs through.</summary>
    public Type Body { get; } = body;

    /// <summary>A <see cref="BlockAttribute"/> class giving the body's output shape from the input; null (the default)
    /// adds the input itself, so the body must keep the input's shape.</summary>
    public Type? Shortcut { get; set; }
}

/// <summary>Batch normalisation per channel, as PyTorch's <c>BatchNorm2d</c> (and <c>BatchNorm1d</c> after a dense
/// layer): y = γ · (x − mean) / √(variance + <see cref="Epsilon"/>) + β, with a learned scale γ (starting at 1) and shift
/// β (starting at 0) per channel. Training normalises with the statistics of the batch (mean and biased variance over
/// images and pixels) and moves the running mean and variance toward them; inference uses the running ones.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    public const double DefaultEpsilon = 1e-5;
    public const double DefaultMomentum = 0.1;

    /// <summary>Added to the variance before its square root (PyTorch's default, 1e-5; Keras's is 1e-3).</summary>
    public double Epsilon { get; set; } = DefaultEpsilon;

    /// <summary>How far each training batch moves the running statistics: running = (1 − Momentum) · running + Momentum ·
    /// batch, as in PyTorch (default 0.1). Keras's <c>momentum</c> is the other weight: its 0.99 is 0.01 here.</summary>
    public double Momentum { get; set; } = DefaultMomentum;
}

/// <summary>Rectified linear unit, max(x, 0).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute;

/// <summary>Hyperbolic tangent, tanh(x).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute;

/// <summary>Fully connected layer; flattens its input in HWC order. Weights are [in, out].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute(int units) : LayerAttribute
{
    public const double DefaultWeightStd = 0.1;
    public const double DefaultBiasInit = 0;

    /// <summary>Number of outputs.</summary>
    public int Units { get; } = units;

    /// <summary>Standard deviation of the truncated-normal weight initialiser.</summary>
    public double WeightStd { get; set; } = DefaultWeightStd;

    /// <summary>Constant every bias starts at.</summary>
    public double BiasInit { get; set; } = DefaultBiasInit;
}

/// <summary>Inverted dropout: in training, zeroes each value with probability <see cref="Rate"/> and scales
/// the rest by 1 / (1 − rate); identity at inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute(double rate) : LayerAttribute
{
    /// <summary>Probability of dropping a value, in [0, 1).</summary>
    public double Rate { get; } = rate;
}

/// <summary>Local response normalisation across channels with <c>tf.nn.lrn</c> semantics:
/// out = in / (Bias + Alpha · Σ in²) ^ Beta, the sum over channels d − DepthRadius … d + DepthRadius.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LocalResponseNormAttribute : LayerAttribute
{
    public const int DefaultDepthRadius = 5;
    public const double DefaultBias = 1;
    public const double DefaultAlpha = 1;
    public const double DefaultBeta = 0.5;

    public int DepthRadius { get; set; } = DefaultDepthRadius;
    public double Bias { get; set; } = DefaultBias;
    public double Alpha { get; set; } = DefaultAlpha;
    public double Beta { get; set; } = DefaultBeta;
}

/// <summary>A compile-time assertion of the shape at this point of the stack; generates no code.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ExpectShapeAttribute(int height, int width, int channels) : LayerAttribute
{
    public int Height { get; } = height;
    public int Width { get; } = width;
    public int Channels { get; } = channels;
}
