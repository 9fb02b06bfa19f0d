using System.Linq;
using StaticConvNet.Generator.Layers;

namespace StaticConvNet.Generator.Model;

/// <summary>A layer with every shape, padding and buffer offset resolved: all the emitters need.</summary>
/// <param name="Index">Position among the network's layers (checks are not layers); dropout keys its masks by it.</param>
/// <param name="InputSource">The producing layer's PascalCase name, or "" when the layer reads the image.</param>
/// <param name="ImageOffset">Where this layer's output for image 0 starts in the activation buffer, in floats per
/// image of batch capacity: the CPU's offset is ImageOffset × BatchCapacity, the GPU's ImageOffset × its capacity.</param>
/// <param name="MaskImageOffset">The same for the dropout mask buffer; -1 for layers without a mask.</param>
/// <param name="FusedInto">For a ReLU that runs inside its producer's store: the producer's layer name (the two
/// share one output buffer, and the ReLU has no forward pass of its own); otherwise "".</param>
/// <param name="StoresRelu">True for a producer that writes max(x, 0) for the ReLU fused into it.</param>
/// <param name="GradientMaskedBy">For such a fused ReLU whose only reader is the max pool right after it: the pool's
/// layer name. On the CPU the pool's backward pass applies the ReLU's gradient mask as it routes each window's
/// gradient (it reads the ReLU's output anyway), so the ReLU has no backward pass there; otherwise "".</param>
/// <param name="MasksReluGradient">True for that max pool.</param>
/// <param name="InputGradientOffset">Where this layer writes its input's gradient when another layer reads the same
/// input (and owns its gradient buffer): the image offset of a buffer of its own, summed into the input's gradient
/// before the input's producer runs backward. -1: it writes the producer's output gradient itself.</param>
/// <param name="Depth">0 for a layer of the network's own stack; one more inside each block.</param>
/// <param name="FoldsInto">For a layer whose output only a BatchNorm right after it reads, and that can take the
/// normalisation into its weights (a convolution): that BatchNorm's PascalCase name. Inference then runs the two as one
/// pass with folded weights; training keeps them apart. Otherwise "".</param>
/// <param name="MergeInputs">For the node where a <c>[Concat]</c> or <c>[Residual]</c> joins its blocks: what it
/// reads, in order (each block's output; a residual without shortcut, the block input last).</param>
/// <param name="Branches">For that node: where each of its blocks' layers are in the network's layer list.</param>
internal sealed record ResolvedLayer(
    LayerSpec Spec,
    int Index,
    Shape Input,
    Shape Output,
    string InputSource,
    int PadTop,
    int PadLeft,
    int WeightCount,
    int BiasCount,
    int ParameterOffset,
    int ImageOffset,
    int MaskImageOffset,
    string FusedInto = "",
    bool StoresRelu = false,
    int InputGradientOffset = -1,
    int Depth = 0,
    EquatableArray<MergeInput> MergeInputs = default,
    EquatableArray<BranchRange> Branches = default,
    int StateOffset = -1,
    string FoldsInto = "",
    string GradientMaskedBy = "",
    bool MasksReluGradient = false)
{
    /// <summary>The layer's name in PascalCase, the prefix of its constants and methods.</summary>
    public string Pascal => Naming.ToPascal(Spec.Name);

    public bool HasParameters => WeightCount > 0;

    public bool ReadsImage => InputSource.Length == 0;

    public bool IsFused => FusedInto.Length > 0;

    public bool FoldsBatchNorm => FoldsInto.Length > 0;

    /// <summary>Whether the backward pass has anything to do here: gradients for its parameters, or for the layer
    /// before it. A parameterless layer reading the image has neither, and gets no backward code.</summary>
    public bool NeedsBackward => HasParameters || !ReadsImage;

    /// <summary>Whether the CPU code runs a backward pass of this layer's own: not where nothing needs one, nor for a
    /// ReLU whose gradient mask runs inside the max pool after it (<see cref="GradientMaskedBy"/>).</summary>
    public bool HasCpuBackward => NeedsBackward && GradientMaskedBy.Length == 0;
}

/// <summary>The resolved network: input, layers, the sizes of its buffers and its identity.</summary>
/// <param name="ActivationsPerImage">Floats of layer outputs one image needs (all layers).</param>
/// <param name="MasksPerImage">Floats of dropout masks one image needs.</param>
/// <param name="StateCount">Floats of state (BatchNorm's running statistics) the network keeps.</param>
internal sealed record ResolvedNetwork(
    NetworkSpec Spec,
    EquatableArray<ResolvedLayer> Layers,
    int ParameterCount,
    int ActivationsPerImage,
    int MasksPerImage,
    int StateCount,
    string Fingerprint,
    string? LegacyFingerprint)
{
    public ResolvedLayer Output => Layers[Layers.Length - 1];

    /// <summary>The layers that need the whole batch (BatchNorm), in order: training stage s (1 …) starts at the s-th.</summary>
    public System.Collections.Generic.IReadOnlyList<ResolvedLayer> BatchLayers => Layers.Where(l => l.Spec.UsesBatch).ToList();
}

/// <summary>What shape inference produced: a plan when the stack is valid, and its problems.</summary>
internal sealed record NetworkPlan(ResolvedNetwork? Network, EquatableArray<Problem> Problems);

/// <summary>One value a merge node reads: the producing layer's PascalCase name ("" for the image), its shape, and
/// where the node writes that value's gradient (-1: the producer's own output gradient; otherwise a buffer of the
/// node's own at this image offset, summed into the producer's, because another layer reads the value too).</summary>
internal sealed record MergeInput(string Source, Shape Shape, int GradientOffset);

/// <summary>One block of a merge node: its class name and the range of the network's layer list its layers fill.</summary>
internal sealed record BranchRange(string Block, int First, int Count);

internal static class Naming
{
    /// <summary>A layer name as a C# identifier prefix: "conv1" is "Conv1"; a block's layer, named by its path
    /// "concat1.Tower3x3.conv2", is "Concat1_Tower3x3_Conv2".</summary>
    public static string ToPascal(string name)
        => string.Join("_", name.Split('.').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part.Substring(1)));
}
