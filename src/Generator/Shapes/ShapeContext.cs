using System.Collections.Generic;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Shapes;

/// <summary>What a layer kind's shape inference may know and say: which layer produced its input (for messages),
/// and where to report a problem (on the layer's attribute).</summary>
internal sealed class ShapeContext(List<Problem> problems)
{
    /// <summary>"conv1", or "the network input".</summary>
    public string Producer { get; set; } = "the network input";

    /// <summary>The layer being resolved: its index in the spec (where problems are reported) and its name.</summary>
    public int LayerIndex { get; set; }

    public string LayerName { get; set; } = "";

    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params object[] arguments)
        => problems.Add(Problem.Create(descriptor, LayerIndex, arguments));
}
