using System.Collections.Generic;
using System.Linq;

namespace StaticConvNet.Generator.Emit;

/// <summary>The member names generated code declares in the network class, so the parser can refuse a layer name or
/// a user member that would clash with them (a clash would otherwise be a C# error inside the generated file).
/// A test compiles a network of every kind and checks these lists cover every member it declares.</summary>
internal static class GeneratedMembers
{
    /// <summary>Members every network has.</summary>
    public static readonly string[] Network =
    [
        "InputHeight", "InputWidth", "InputChannels", "InputLength", "OutputLength", "ParameterCount", "BatchCapacity",
        "LayerFingerprint", "ActivationsPerImage", "MasksPerImage", "Runner", "Parameters", "Gradients", "DropoutSeed",
        "DropoutRate", "DropoutStep", "Description", "InitializeParameters", "Forward", "Predict", "PredictBatch",
        "ComputeGradients", "TrainingLogits", "ComputeLoss", "LayerDescription", "Classify", "ClassifyLogits",
        "ClassNames", "BakedParameters", "CreateGpuNetwork", "GpuLaunches", "InError", "StateCount", "State", "BakedState",
        "InitialState", "GradientHalf", "WholeBatchWeightRows",
    ];

    /// <summary>Those of <see cref="Network"/> that are methods: a user's overload of one is no clash.</summary>
    public static readonly string[] NetworkMethods =
    [
        "Forward", "Predict", "PredictBatch", "ComputeGradients", "TrainingLogits", "ComputeLoss", "InitializeParameters",
        "Classify", "ClassifyLogits", "CreateGpuNetwork", "GradientHalf",
    ];

    /// <summary>What every layer's members are named after its PascalCase name: <c>Conv1</c> + one of these. A kind
    /// names its own in <see cref="Layers.LayerSpec.MemberSuffixes"/>.</summary>
    public static readonly string[] LayerSuffixes =
    [
        "InputHeight", "InputWidth", "InputChannels", "InputLength", "OutputHeight", "OutputWidth", "OutputChannels",
        "OutputLength", "ImageOffset", "Output", "OutputGradient", "Forward", "Backward",
        // A layer whose input another layer reads too writes that input's gradient into a buffer of its own.
        "InputGradient0", "InputGradient0Offset",
    ];

    /// <summary>Every member <paramref name="layer"/>'s generated code is named after it by: the common ones, then its kind's.</summary>
    public static IEnumerable<string> SuffixesOf(Layers.LayerSpec layer) => LayerSuffixes.Concat(layer.MemberSuffixes);
}
