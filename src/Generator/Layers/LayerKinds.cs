using System.Collections.Generic;
using System.Linq;

namespace StaticConvNet.Generator.Layers;

/// <summary>Every layer kind the generator knows. Adding a kind adds its file and one line here.</summary>
internal static class LayerKinds
{
    public static readonly IReadOnlyList<LayerKind> All =
    [
        Conv2DLayer.Definition,
        MaxPoolLayer.Definition,
        AvgPoolLayer.Definition,
        GlobalAvgPoolLayer.Definition,
        BatchNormLayer.Definition,
        ReluLayer.Definition,
        TanhLayer.Definition,
        DenseLayer.Definition,
        DropoutLayer.Definition,
        LocalResponseNormLayer.Definition,
        ConcatLayer.Definition,
        ResidualLayer.Definition,
        ExpectShapeCheck.Definition,
    ];

    private static readonly Dictionary<string, LayerKind> ByAttribute = All.ToDictionary(k => k.AttributeMetadataName);

    /// <summary>The kind whose attribute has this metadata name, or null for any other attribute.</summary>
    public static LayerKind? ForAttribute(string metadataName) => ByAttribute.TryGetValue(metadataName, out var kind) ? kind : null;
}
