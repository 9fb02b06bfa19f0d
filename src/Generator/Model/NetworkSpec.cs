using StaticConvNet.Generator.Layers;

namespace StaticConvNet.Generator.Model;

/// <summary>TensorFlow's padding, with the runtime enum's values.</summary>
internal enum PaddingKind
{
    Same = 0,
    Valid = 1,
}

/// <summary>The network class as parsed: where to put the generated code, its input and its layer stack. Plain data
/// with no locations, so moving the class's lines leaves it equal and its generated code cached.</summary>
internal sealed record NetworkSpec(
    string Namespace,
    string ClassName,
    string FileHint,
    Shape Input,
    int Classes,
    int BatchCapacity,
    EquatableArray<StackEntry> Layers,
    string? WeightsFile = null,
    bool DeclaresOnlyConstructorsWithParameters = false,
    bool DeclaresToString = false);

/// <summary>What every network declares whatever its layers: the class, its input, classes and batch capacity as the
/// attributes give them, and whether it bakes weights. A network in error gets only this (members that throw), so the
/// user's code that uses it still compiles and the SCN error is the only error.</summary>
internal sealed record NetworkSurface(
    string Namespace,
    string ClassName,
    string FileHint,
    int InputHeight,
    int InputWidth,
    int InputChannels,
    int Classes,
    int BatchCapacity,
    bool BakesWeights);

/// <summary>What parsing produced: a spec when the attributes are valid (null when any diagnostic was found), the
/// surface (null when the class cannot take generated members: not partial, a record, nested, generic, static),
/// where each attribute is (for diagnostics only), and the diagnostics.</summary>
internal sealed record ParsedNetwork(
    NetworkSpec? Spec,
    NetworkSurface? Surface,
    LocationInfo NetworkLocation,
    EquatableArray<LocationInfo> LayerLocations,
    EquatableArray<DiagnosticInfo> Diagnostics);
