using StaticConvNet.Generator.Layers;

namespace StaticConvNet.Generator.Model;

/// <summary>A <c>[Block]</c> class as parsed: its name and its layer stack, plain data like a network's. Each use
/// resolves it again against its own input, with parameters and buffers of its own.</summary>
internal sealed record BlockSpec(string ClassName, EquatableArray<StackEntry> Layers);

/// <summary>One block as a <c>[Concat]</c> or <c>[Residual]</c> uses it: the block, and the segment its layers' names
/// get in this use ("concat1.Tower3x3.conv2"): its class name, numbered where the same block is used twice.</summary>
internal sealed record BlockUse(string Segment, BlockSpec Block);
