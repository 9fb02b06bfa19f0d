using System;
using System.Collections.Generic;
using System.Linq;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Shapes;

namespace StaticConvNet.Generator.Layers;

/// <summary>A layer made of blocks (<c>[Concat]</c>, <c>[Residual]</c>): shape inference plans each block's layers
/// against the layer's input, one after another, then this kind joins their outputs in a node of its own (the merge
/// node, named after the layer). What the kinds share: the blocks' names, the node's inputs and its place in the
/// generated code.</summary>
internal abstract record BranchingLayer(string Name) : LayerSpec(Name)
{
    /// <summary>The blocks it runs, in parameter order.</summary>
    public abstract IReadOnlyList<BlockSpec> Blocks { get; }

    /// <summary>The blocks with the segment each use's layer names get: the class name, numbered from the second use
    /// of the same class in this layer ("Tower", "Tower2"), skipping a number that would give another block's class
    /// name (Tower, Tower and Tower2 are "Tower", "Tower3" and "Tower2": two segments alike would declare every member
    /// of their layers twice).</summary>
    public IReadOnlyList<BlockUse> Uses
    {
        get
        {
            var taken = new HashSet<string>(Blocks.Select(b => b.ClassName), StringComparer.Ordinal);
            var first = new HashSet<string>(StringComparer.Ordinal);
            return Blocks.Select(b =>
            {
                if (first.Add(b.ClassName)) return new BlockUse(b.ClassName, b);
                var n = 2;
                while (!taken.Add(b.ClassName + CodeWriter.Int(n))) n++;
                return new BlockUse(b.ClassName + CodeWriter.Int(n), b);
            }).ToList();
        }
    }

    /// <summary>Whether the merge node reads the layer's input besides the blocks' outputs (a residual without shortcut).</summary>
    public virtual bool MergesInput => false;

    /// <summary>The merge node's output from the input and each block's output, or null after reporting a problem.</summary>
    public abstract Shape? Merge(Shape input, IReadOnlyList<Shape> outputs, ShapeContext context);

    /// <summary>Never called: <see cref="ShapeInference"/> plans the blocks, then calls <see cref="Merge"/>.</summary>
    public sealed override LayerShapes? Resolve(Shape input, ShapeContext context)
        => throw new InvalidOperationException($"{Kind} is planned by ShapeInference, block by block.");

    public override bool BackwardReadsInput => false;

    /// <summary>The fingerprint's entry: the kind and how many plan nodes each block took, so that the same layers
    /// grouped differently (a layer moved from a body to its shortcut) are another network.</summary>
    public string IdentityWith(EquatableArray<BranchRange> branches)
        => $"{Identity} blocks={string.Join(",", branches.Select(b => CodeWriter.Int(b.Count)))}";

    public override string Identity => Kind;

    // ---- CPU ----

    /// <summary>What merge input <paramref name="k"/> is read as in the CPU code.</summary>
    protected static string CpuInput(ResolvedLayer l, int k)
        => l.MergeInputs[k].Source.Length == 0 ? "image" : $"{l.MergeInputs[k].Source}Output(slot)";

    /// <summary>Where the CPU code writes merge input <paramref name="k"/>'s gradient, or null for the image.</summary>
    protected static string? CpuGradient(ResolvedLayer l, int k)
        => l.MergeInputs[k] switch
        {
            { Source.Length: 0 } => null,
            { GradientOffset: >= 0 } => $"{l.Pascal}InputGradient{CodeWriter.Int(k)}(slot)",
            var input => $"{input.Source}OutputGradient(slot)",
        };

    /// <summary>Whether the merge node reads the image itself (a residual without shortcut as the first layer).</summary>
    private static bool ReadsImageItself(ResolvedLayer l) => l.MergeInputs.Any(i => i.Source.Length == 0);

    /// <summary>The merge node's forward method's first line: it takes the image only when it reads it.</summary>
    protected static string CpuForwardSignature(ResolvedLayer l)
        => ReadsImageItself(l) ? $"private void {l.Pascal}Forward({Names.ReadOnlySpan} image, int slot)" : $"private void {l.Pascal}Forward(int slot)";

    public override string ForwardCall(ResolvedLayer l) => ReadsImageItself(l) ? $"{l.Pascal}Forward(image, slot);" : $"{l.Pascal}Forward(slot);";

    public override string BackwardCall(ResolvedLayer l) => $"{l.Pascal}Backward(slot);";

    // ---- GPU ----

    protected static string GpuInput(ResolvedLayer l, int k)
        => l.MergeInputs[k].Source.Length == 0 ? "Images" : $"{l.MergeInputs[k].Source}Output";

    protected static string? GpuGradient(ResolvedLayer l, int k)
        => l.MergeInputs[k] switch
        {
            { Source.Length: 0 } => null,
            { GradientOffset: >= 0 } => $"{l.Pascal}InputGradient{CodeWriter.Int(k)}",
            var input => $"{input.Source}OutputGradient",
        };

    // ---- Layer list ----

    /// <summary>Never called: a layer of blocks lists its blocks' layers, which <see cref="Description(ResolvedLayer, IReadOnlyList{string})"/> takes.</summary>
    public sealed override string Description(ResolvedLayer l)
        => throw new InvalidOperationException($"{Kind} lists its blocks: call Description with their layers.");

    /// <summary>The typed entry, given each block's <c>BlockDescription</c> expression.</summary>
    public abstract string Description(ResolvedLayer l, IReadOnlyList<string> blocks);

    /// <summary>The <c>BlockDescription</c> expression of one block use: its name in the layer paths and its layers' entries.</summary>
    internal static string BlockDescription(string name, IEnumerable<string> layers)
        => $"new {Names.Runtime}.BlockDescription({CodeWriter.String(name)}, new {Names.Runtime}.LayerDescription[] {{ {string.Join(", ", layers)} }})";
}
