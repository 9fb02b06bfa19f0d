namespace StaticConvNet.Generator.Model;

internal enum LayerKind
{
    Conv2D,
    MaxPool,
    ReLU,
    Dense,
    Dropout,
    LocalResponseNorm,
    ExpectShape,
}

internal enum PaddingKind
{
    Same = 0,
    Valid = 1,
}

/// <summary>One layer as the user wrote it. A flat record rather than a hierarchy so that value equality is
/// the compiler's; fields a kind does not use stay at their defaults.</summary>
/// <param name="Size">Filters (Conv2D), units (Dense) or window side (MaxPool).</param>
/// <param name="Patch">Conv2D patch side.</param>
/// <param name="Stride">Conv2D/MaxPool stride (already defaulted for MaxPool).</param>
/// <param name="Rate">Dropout rate.</param>
/// <param name="Expected">ExpectShape's expected shape.</param>
internal sealed record LayerSpec(
    LayerKind Kind,
    string Name,
    LocationInfo? Location,
    int Size = 0,
    int Patch = 0,
    int Stride = 1,
    PaddingKind Padding = PaddingKind.Same,
    float WeightStd = 0.1f,
    float BiasInit = 0f,
    float Rate = 0f,
    int DepthRadius = 0,
    float LrnBias = 0f,
    float LrnAlpha = 0f,
    float LrnBeta = 0f,
    Shape Expected = default);

/// <summary>The network class as parsed: where to put the generated code and the layer stack.</summary>
internal sealed record NetworkSpec(
    string Namespace,
    string ClassName,
    string FileHint,
    LocationInfo? Location,
    Shape Input,
    int Classes,
    int BatchCapacity,
    EquatableArray<LayerSpec> Layers,
    string? WeightsFile = null,
    bool DeclaresOnlyConstructorsWithParameters = false);

/// <summary>What parsing produced: a spec when one could be built, and the diagnostics found on the way.</summary>
internal sealed record ParsedNetwork(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
