using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace StaticConvNet.Generator;

/// <summary>Every diagnostic the generator reports, one id per problem. docs/diagnostics.md lists each with an example;
/// a test per descriptor proves its id, location and message; AnalyzerReleases.Shipped.md and .Unshipped.md are the
/// ledger of ids by release (the Roslyn analyzer RS2008 checks this file against it), so an id is never reused.</summary>
internal static class Diagnostics
{
    private const string Category = "StaticConvNet";

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NetworkClassNotPartial = Error(
        "SCN0001", "Network class must be partial",
        "Network class '{0}' must be declared 'partial' so the generated layers can be added to it");

    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Error(
        "SCN0002", "Layer attributes without [Network]",
        "Class '{0}' has layer attributes but no [Network] attribute giving its input size and classes (or [Block], for a piece of network used by others)");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "SCN0003", "Network has no layers",
        "Network '{0}' has no layers: add layer attributes such as [Conv2D(16, Patch = 5)] and a final [Dense({1})]");

    public static readonly DiagnosticDescriptor NonPositiveArgument = Error(
        "SCN0004", "Argument must be positive",
        "{0}: {1} must be positive, but is {2}");

    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error(
        "SCN0005", "Dropout rate out of range",
        "{0}: dropout rate must be in [0, 1), but is {1}");

    public static readonly DiagnosticDescriptor InputSmallerThanWindow = Error(
        "SCN0006", "Input smaller than a VALID window",
        "{0}: {1}x{1} VALID {2} needs an input of at least {1}x{1}, but {3} outputs {4}");

    public static readonly DiagnosticDescriptor LastLayerNotClassifier = Error(
        "SCN0007", "Last layer must be Dense with Classes units",
        "Network '{0}' must end with [Dense({1})] (one unit per class) to produce logits, but its last layer {2} outputs {3}");

    public static readonly DiagnosticDescriptor ExpectShapeMismatch = Error(
        "SCN0008", "Shape is not the expected one",
        "{0}: expected shape {1}, but {2} outputs {3}");

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error(
        "SCN0009", "Layers split across partial declarations",
        "Network '{0}' declares layers in {1} partial declarations; put all layer attributes on one declaration so their order is defined");

    public static readonly DiagnosticDescriptor UnsupportedArgument = Error(
        "SCN0010", "Argument is not one of the values it takes",
        "{0}: {1} must be {2}, but is {3}");

    public static readonly DiagnosticDescriptor InvalidLayerName = Error(
        "SCN0011", "Invalid layer name",
        "Layer name '{0}' is not a valid name: use a letter followed by letters, digits or '_'");

    public static readonly DiagnosticDescriptor UnsupportedNetworkClass = Error(
        "SCN0012", "Unsupported network class",
        "Network class '{0}' {1}");

    public static readonly DiagnosticDescriptor NetworkTooLarge = Error(
        "SCN0013", "Network too large",
        "Network '{0}' needs {1} floats of {2}, more than the {3} a generated buffer may hold");

    public static readonly DiagnosticDescriptor WeightsFileNotFound = Error(
        "SCN0014", "Weights file not found",
        "Weights file '{0}' named on '{1}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{0}\" /> to the project file");

    public static readonly DiagnosticDescriptor WeightsFileInvalid = Error(
        "SCN0015", "Weights file cannot be read",
        "Weights file '{0}' cannot be baked into '{1}': {2}");

    public static readonly DiagnosticDescriptor WeightsFileMismatch = Error(
        "SCN0016", "Weights file is for another layer stack",
        "Weights file '{0}' (written for '{1}') differs from '{2}' at {3}: the file has {4} where '{2}' has {5}; retrain, or bake a file written for this network");

    public static readonly DiagnosticDescriptor SameWindowLargerThanInput = new(
        "SCN0017", "SAME window larger than its input",
        "{0}: {1}x{1} SAME {2} is larger than the {3} that {4} outputs, so every window is mostly padding; use a smaller window, or check the layers before it",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownLayerAttribute = Error(
        "SCN0018", "Layer attribute the generator does not know",
        "[{0}] derives from LayerAttribute, but the generator has no layer kind for it, so '{1}' would be built without it; the layer kinds are {2} (a new kind needs a generator unit: docs/architecture.md)");

    public static readonly DiagnosticDescriptor RequiredArgumentMissing = Error(
        "SCN0019", "Required argument missing",
        "{0}: {1} is required, e.g. {2}");

    public static readonly DiagnosticDescriptor ArgumentNotFinite = Error(
        "SCN0020", "Argument must be a finite number in range",
        "{0}: {1} must be a finite number{2}{3}, but is {4}");

    public static readonly DiagnosticDescriptor NegativeArgument = Error(
        "SCN0021", "Argument must be 0 or more",
        "{0}: {1} must be 0 or more, but is {2}");

    public static readonly DiagnosticDescriptor DuplicateLayerName = Error(
        "SCN0022", "Layer name used twice",
        "Layer name '{0}' is used by an earlier layer: names must be unique (ignoring case)");

    public static readonly DiagnosticDescriptor LayerNameClashesWithMember = Error(
        "SCN0023", "Layer name would clash in the generated code",
        "Layer name '{0}' would name a generated member '{1}', which is {2}: choose another name");

    public static readonly DiagnosticDescriptor MemberClashesWithGenerated = Error(
        "SCN0024", "Class member the generated code also declares",
        "Network class '{0}' declares '{1}', which the generated code also declares; rename it");

    public static readonly DiagnosticDescriptor WindowAfterDense = Error(
        "SCN0025", "Window layer after a dense layer",
        "{0}: [{1}] after {2} slides over a {3} input: {2} flattened the {4} image into {5} values; put convolutions and pooling before the dense layers");

    public static readonly DiagnosticDescriptor NotABlock = Error(
        "SCN0026", "Type is not a [Block]",
        "{0}: {1} names '{2}', which is not a [Block] class; mark it [Block] and give it layer attributes");

    public static readonly DiagnosticDescriptor BlockUsesItself = Error(
        "SCN0027", "Block uses itself",
        "{0}: using block '{1}' here makes it contain itself ({2}); a network must be finite");

    public static readonly DiagnosticDescriptor EmptyBlock = Error(
        "SCN0028", "Block has no layers",
        "Block '{0}' has no layers: give it layer attributes such as [Conv2D(16, Patch = 3)]");

    public static readonly DiagnosticDescriptor ConcatNeedsTwoBlocks = Error(
        "SCN0029", "Concat needs two or more blocks",
        "{0}: [Concat] joins two or more blocks, but names {1}");

    public static readonly DiagnosticDescriptor ConcatSizesDiffer = Error(
        "SCN0030", "Concatenated blocks differ in height or width",
        "{0}: [Concat] joins images by channel, so every block must give the same height and width, but on {1} {2} gives {3} and {4} gives {5}");

    public static readonly DiagnosticDescriptor ResidualShapeChanges = Error(
        "SCN0031", "Residual body does not keep its shape",
        "{0}: [Residual] adds {1}'s output to {2}, so their shapes must match, but on {3} {1} gives {4} and {2} is {5}{6}");

    public static readonly DiagnosticDescriptor BlockIsNull = Error(
        "SCN0032", "Block type is null",
        "{0}: {1} is null; name a [Block] class, as typeof(MyBlock)");

    public static bool IsError(string id) => ById(id).DefaultSeverity == DiagnosticSeverity.Error;

    public static readonly IReadOnlyList<DiagnosticDescriptor> All =
    [
        NetworkClassNotPartial, LayersWithoutNetwork, NoLayers, NonPositiveArgument, DropoutRateOutOfRange,
        InputSmallerThanWindow, LastLayerNotClassifier, ExpectShapeMismatch, LayersSplitAcrossDeclarations,
        UnsupportedArgument, InvalidLayerName, UnsupportedNetworkClass, NetworkTooLarge,
        WeightsFileNotFound, WeightsFileInvalid, WeightsFileMismatch, SameWindowLargerThanInput, UnknownLayerAttribute,
        RequiredArgumentMissing, ArgumentNotFinite, NegativeArgument, DuplicateLayerName, LayerNameClashesWithMember,
        MemberClashesWithGenerated, WindowAfterDense, NotABlock, BlockUsesItself, EmptyBlock, ConcatNeedsTwoBlocks,
        ConcatSizesDiffer, ResidualShapeChanges, BlockIsNull,
    ];

    private static readonly Dictionary<string, DiagnosticDescriptor> ByIdTable = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => ByIdTable[id];
}
