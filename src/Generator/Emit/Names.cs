using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit;

/// <summary>Fully qualified names generated code uses, so a user type named <c>Dense</c> or <c>Span</c> next to
/// the network cannot change what the code means.</summary>
internal static class Names
{
    public const string Span = "global::System.Span<float>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
    public const string Runtime = "global::StaticConvNet";
    public const string Kernels = "global::StaticConvNet.Kernels";
    public const string Gpu = "global::StaticConvNet.Gpu";
    public const string ArrayView = "global::ILGPU.ArrayView<float>";

    /// <summary>On a pass BatchRunner calls for every image or batch, and on each layer's methods those call: compiled
    /// optimised at its first call, so it never runs at tier 0 nor is compiled again in the background while both cores
    /// train (a layer's one-line method is a call the JIT does not always inline into the pass).</summary>
    public const string Optimised = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    public static string LayerShape(Shape shape)
        => $"new {Runtime}.LayerShape({CodeWriter.Int(shape.Height)}, {CodeWriter.Int(shape.Width)}, {CodeWriter.Int(shape.Channels)})";
}
