using System;
using System.Collections.Generic;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;

namespace StaticConvNet.Generator.Layers;

/// <summary>One layer kind as the parser finds it: its attribute and how to read it. Each kind's file declares one
/// and <see cref="LayerKinds"/> lists them.</summary>
/// <param name="Name">The attribute's name without "Attribute", e.g. "Conv2D".</param>
/// <param name="DefaultPrefix">Default layer names are this plus a count, e.g. "conv1".</param>
internal sealed class LayerKind(string Name, string DefaultPrefix, Func<AttributeReader, string, IBlockReader, StackEntry> parse)
{
    /// <summary>A kind whose attribute names no blocks.</summary>
    public LayerKind(string Name, string DefaultPrefix, Func<AttributeReader, string, StackEntry> parse)
        : this(Name, DefaultPrefix, (attribute, name, _) => parse(attribute, name))
    {
    }

    public string Name { get; } = Name;

    public string DefaultPrefix { get; } = DefaultPrefix;

    public string AttributeMetadataName => "StaticConvNet." + Name + "Attribute";

    /// <summary>Reads the attribute into the kind's spec, reporting bad arguments through the reader; a kind made of
    /// blocks reads them through <paramref name="blocks"/>.</summary>
    public StackEntry Parse(AttributeReader attribute, string layerName, IBlockReader blocks) => parse(attribute, layerName, blocks);
}

/// <summary>A layer's output shape and what it owns, as its kind resolves them from its input.</summary>
/// <param name="State">Floats the layer keeps besides its parameters (BatchNorm's running statistics).</param>
internal readonly record struct LayerShapes(Shape Output, long Weights = 0, long Biases = 0, int PadTop = 0, int PadLeft = 0, long State = 0);

/// <summary>One attribute of the stack as the user wrote it, in order: a layer, or a compile-time check such as
/// <c>[ExpectShape]</c>, which takes part in shape inference but is not a layer of the plan.</summary>
internal abstract record StackEntry(string Name)
{
    /// <summary>The attribute's name without "Attribute".</summary>
    public abstract string Kind { get; }

    /// <summary>The output shape and owned parameters for <paramref name="input"/>, or null after reporting a
    /// problem that makes the rest of the stack meaningless.</summary>
    public abstract LayerShapes? Resolve(Shape input, ShapeContext context);
}

/// <summary>One layer as the user wrote it: a record per kind, compared by value. The kind's file holds everything
/// about it, top to bottom: parsing, shape inference, identity, the CPU code (forward and backward side by side),
/// the GPU launches and its entry in the typed layer list.</summary>
internal abstract record LayerSpec(string Name) : StackEntry(Name)
{
    /// <summary>The arguments in words, for the generated header and <c>scn models</c>.</summary>
    public abstract string Detail { get; }

    /// <summary>Every field that decides the computation or the parameter layout, in a fixed form: the network's
    /// fingerprint is built from these. Never derived from <see cref="Detail"/>, so rewording text keeps identities.</summary>
    public abstract string Identity { get; }

    /// <summary>The text fingerprint format 1 used for this layer (frozen: files written then carry it), or null
    /// for kinds added since.</summary>
    public virtual string? LegacyIdentity => null;

    /// <summary>Whether the layer keeps a per-image mask between its passes (dropout).</summary>
    public virtual bool HasMask => false;

    /// <summary>Whether the backward pass reads the layer's input (ReLU, max pooling, convolution do; tanh uses its
    /// output, averaging and dropout need neither): the backward method takes it only then.</summary>
    public virtual bool BackwardReadsInput => true;

    // ---- CPU -------------------------------------------------------------------------------------------------

    /// <summary>Constants beyond the shapes and offsets every layer has.</summary>
    public virtual void EmitConstants(CodeWriter w, ResolvedLayer l) { }

    /// <summary>Lines of InitializeParameters for a layer with parameters; <paramref name="stream"/> numbers the
    /// parameterised layers so each draws its own random values.</summary>
    public virtual void EmitInitializer(CodeWriter w, ResolvedLayer l, int stream) { }

    /// <summary>Statements that lay out, in copy <c>copy</c> (in scope), the parameters as the forward kernels read them,
    /// redone only when the parameters changed. They run in every call, once for each copy a core reads, on that core,
    /// and on two cores at the same moment: they must write only that copy's storage (a field made with
    /// <c>LayoutCopies.Make</c>, indexed <c>[copy]</c>), which the passes read at <see cref="Cpu.LayoutCopy"/>.</summary>
    public virtual void EmitPrepareForward(CodeWriter w, ResolvedLayer l) { }

    /// <summary>Whether <see cref="EmitPrepareForward"/> writes anything for this layer.</summary>
    public virtual bool PreparesForward(ResolvedLayer l) => false;

    /// <summary>Statements that lay out, in copy <c>copy</c>, what the backward passes read (e.g. weights flipped for the
    /// input gradient), once per training batch and copy, before the backward passes that read it: the parameters do
    /// not change during a batch. As <see cref="EmitPrepareForward"/>, they write only that copy's storage.</summary>
    public virtual void EmitPrepareBackward(CodeWriter w, ResolvedLayer l) { }

    /// <summary>Statements run once per shard after every image's backward pass, for parameter gradients that are
    /// cheaper summed over the shard's images at once (<c>first</c>, <c>count</c>, <c>images</c> and <c>gradients</c>
    /// are in scope). Only for a layer with <see cref="WholeBatchWeightRows"/>: a batch of one pass skips these
    /// statements and runs <see cref="EmitWholeBatchGradients"/>'s instead.</summary>
    public virtual void EmitShardGradients(CodeWriter w, ResolvedLayer l) { }

    /// <summary>Where <see cref="EmitShardGradients"/> writes the gradient of the layer's whole weight array, which a
    /// batch run in one pass computes instead after both shards' passes (<see cref="EmitWholeBatchGradients"/>): that
    /// array's rows, which the two cores share out. Null for other layers.</summary>
    public virtual (int Rows, int RowLength)? WholeBatchWeightRows(ResolvedLayer l) => null;

    /// <summary>Statements that write (not add) half <c>half</c> of the weights' gradient for the whole batch, slots 0 …
    /// <c>count</c> − 1 cut into shards at <c>split</c>, with the bits of <see cref="EmitShardGradients"/> run on each
    /// shard into zeros and the two added (<c>images</c>, <c>split</c>, <c>count</c>, <c>half</c> and <c>gradients</c>
    /// are in scope).</summary>
    public virtual void EmitWholeBatchGradients(CodeWriter w, ResolvedLayer l) { }

    public abstract void EmitForward(CodeWriter w, ResolvedLayer l);

    public abstract void EmitBackward(CodeWriter w, ResolvedLayer l);

    /// <summary>The statement in ForwardSample that runs this layer.</summary>
    public virtual string ForwardCall(ResolvedLayer l) => $"{l.Pascal}Forward({Cpu.InputOf(l)}, slot);";

    /// <summary>Whether <see cref="ForwardCall"/> reads the pass's <c>training</c> flag (dropout): a training stage, which
    /// has no such parameter, then declares it.</summary>
    public virtual bool ForwardReadsTraining => false;

    /// <summary>The statement in a training stage (<c>ForwardStage</c>) that runs this layer; the same as
    /// <see cref="ForwardCall"/> except for a layer that normalises with the batch's statistics.</summary>
    public virtual string TrainingForwardCall(ResolvedLayer l) => ForwardCall(l);

    /// <summary>Whether the layer needs the whole batch (BatchNorm): a training pass's stages start at such layers,
    /// and the layer's <see cref="BatchStatisticsCall"/> and <see cref="BatchGradientsCall"/> run between them.</summary>
    public virtual bool UsesBatch => false;

    /// <summary>For a layer that <see cref="UsesBatch"/>: the statement taking its inputs' statistics over slots
    /// 0 … <c>count</c> − 1 (<c>images</c>, <c>count</c> and <c>update</c> in scope).</summary>
    public virtual string BatchStatisticsCall(ResolvedLayer l) => "";

    /// <summary>For a layer that <see cref="UsesBatch"/>: the statement taking the batch sums its backward pass reads
    /// and adding its parameter gradients (<c>images</c>, <c>count</c> and <c>gradients</c> in scope).</summary>
    public virtual string BatchGradientsCall(ResolvedLayer l) => "";

    /// <summary>The statement in BackwardSample that runs this layer's backward method.</summary>
    public virtual string BackwardCall(ResolvedLayer l) => Cpu.BackwardCall(l);

    /// <summary>Whether this kind can apply a following ReLU as it stores its output (the plan then fuses them).</summary>
    public virtual bool CanStoreRelu => false;

    /// <summary>Whether this layer runs inside <paramref name="producer"/>, the layer just before it, as that layer
    /// stores its output (one buffer, one pass): a kind says what it fuses into.</summary>
    public virtual bool FusesInto(LayerSpec producer) => false;

    /// <summary>Whether this kind's backward pass can apply the gradient mask of a ReLU fused into the layer before it
    /// (the plan then drops that ReLU's own backward pass on the CPU).</summary>
    public virtual bool CanMaskReluGradient => false;

    /// <summary>Whether this layer's backward pass can run inside <paramref name="consumer"/>'s, the layer just after it
    /// and its only reader.</summary>
    public virtual bool MasksGradientInto(LayerSpec consumer) => false;

    /// <summary>Whether a BatchNorm right after this layer can fold into its weights for inference (a convolution: it
    /// scales each output channel's weights and shifts its bias); the kind then emits <c>{Name}ForwardFolded</c>.</summary>
    public virtual bool CanFoldBatchNorm => false;

    /// <summary>Whether this layer normalises by channel with running statistics and can be folded into the layer before
    /// it for inference (BatchNorm).</summary>
    public virtual bool FoldsIntoProducer => false;

    /// <summary>For a layer that <see cref="ResolvedLayer.FoldsBatchNorm"/>: the statements of <c>PrepareInference</c> that
    /// fold the BatchNorm's current parameters and running statistics into its weights.</summary>
    public virtual void EmitPrepareInference(CodeWriter w, ResolvedLayer l) { }

    /// <summary>For a layer that <see cref="ResolvedLayer.FoldsBatchNorm"/>: the statement in ForwardSample (inference) that
    /// runs it with the folded weights, writing the BatchNorm's output.</summary>
    public virtual string FoldedForwardCall(ResolvedLayer l) => ForwardCall(l);

    /// <summary>Whether this kind slides a window over an image (convolution, pooling): meaningless after a layer that
    /// <see cref="Flattens"/> it.</summary>
    public virtual bool SlidesWindow => false;

    /// <summary>Whether this kind turns its input, whatever its shape, into one vector (1 × 1 × units).</summary>
    public virtual bool Flattens => false;

    /// <summary>How many logits this layer produces when it ends a network; null for a kind that cannot end one.</summary>
    public virtual int? LogitUnits => null;

    /// <summary>What this kind's generated members are named after the layer's PascalCase name, beyond the ones every
    /// layer has (<see cref="Emit.GeneratedMembers.LayerSuffixes"/>): the parser refuses a name whose members would
    /// clash, and a test checks these lists cover every member a network of every kind declares.</summary>
    public virtual IReadOnlyList<string> MemberSuffixes => [];

    // ---- GPU -------------------------------------------------------------------------------------------------

    /// <summary>Constants the GPU launches need beyond the CPU's (which the GPU class shares).</summary>
    public virtual void EmitGpuConstants(CodeWriter w, ResolvedLayer l) { }

    /// <summary>The launches of the forward pass over <c>count</c> images.</summary>
    public abstract void EmitGpuForward(CodeWriter w, ResolvedLayer l);

    /// <summary>The statement in the GPU forward pass that runs this layer.</summary>
    public virtual string GpuForwardCall(ResolvedLayer l) => $"{l.Pascal}Forward(count);";

    /// <summary>The launches of the backward pass (only for layers that need one).</summary>
    public abstract void EmitGpuBackward(CodeWriter w, ResolvedLayer l);

    /// <summary>For a layer whose backward pass runs split reductions: the expression for the floats of partial sums
    /// they need at <c>batchCapacity</c> images.</summary>
    public virtual string? GpuPartialFloats(ResolvedLayer l) => null;

    // ---- Layer list -------------------------------------------------------------------------------------------

    /// <summary>The C# expression that builds this layer's typed entry in the generated layer list.</summary>
    public abstract string Description(ResolvedLayer l);
}
