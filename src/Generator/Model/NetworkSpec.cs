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

/// <summary>What parsing produced: a spec when the attributes are valid (null when any diagnostic was found), where
/// each attribute is (for diagnostics only), and the diagnostics.</summary>
internal sealed record ParsedNetwork(
    NetworkSpec? Spec,
    LocationInfo NetworkLocation,
    EquatableArray<LocationInfo> LayerLocations,
    EquatableArray<DiagnosticInfo> Diagnostics);
