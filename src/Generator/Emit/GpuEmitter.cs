using System.Threading;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit;

/// <summary>Prints the network's GPU half, for projects that reference StaticConvNet.Gpu: a nested class whose passes
/// are the network's own ILGPU kernel launches, one method per layer and pass, written from the same plan as the
/// CPU code (the same constants, parameter offsets and dropout keys). The runtime's <c>GpuNetwork</c> only owns the
/// device buffers and the loss and optimiser steps; nothing interprets the layer list at run time.</summary>
internal static class GpuEmitter
{
    public static string Emit(ResolvedNetwork network, CancellationToken cancellationToken)
    {
        var spec = network.Spec;
        var w = new CodeWriter();
        NetworkEmitter.FileHeader(w, spec.Namespace, spec.ClassName, " (its GPU kernel launches)");

        w.Open($"partial class {spec.ClassName} : {Names.Gpu}.IGpuConvNet");
        w.Line("/// <summary>This network as ILGPU kernel launches on <paramref name=\"accelerator\"/>, for batches of up to");
        w.Line("/// <paramref name=\"batchCapacity\"/> images (not bound by BatchCapacity). Start it from this instance's parameters");
        w.Line("/// with UploadParameters.</summary>");
        w.Line($"public {Names.Gpu}.GpuNetwork CreateGpuNetwork(global::ILGPU.Runtime.Accelerator accelerator, int batchCapacity)");
        w.Line("    => new GpuLaunches(accelerator, batchCapacity);");
        w.Line();
        w.Line($"private sealed class GpuLaunches(global::ILGPU.Runtime.Accelerator accelerator, int batchCapacity)");
        w.Line($"    : {Names.Gpu}.GpuNetwork(accelerator, LayerDescription, batchCapacity, ActivationsPerImage, " +
               $"masksPerImage: {(network.MasksPerImage > 0 ? "MasksPerImage" : "0")}, logitsImageOffset: {network.Output.Pascal}ImageOffset, " +
               "partialFloats: PartialFloats(batchCapacity))");
        w.Indent();
        foreach (var layer in network.Layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var p = layer.Pascal;
            if (layer.Index > 0) w.Line();
            NetworkEmitter.LayerHeader(w, layer);
            layer.Spec.EmitGpuConstants(w, layer);
            w.Line($"private {Names.ArrayView} {p}Output => Activations({p}ImageOffset, {p}OutputLength);");
            w.Line($"private {Names.ArrayView} {p}OutputGradient => ActivationGradients({p}ImageOffset, {p}OutputLength);");
            foreach (var buffer in GradientBuffers.Of(layer))
                w.Line($"private {Names.ArrayView} {buffer.Name} => ActivationGradients({buffer.Name}Offset, {CodeWriter.Int(buffer.Length)});");
            w.Line();
            layer.Spec.EmitGpuForward(w, layer);
            w.Line();
            if (layer.NeedsBackward) layer.Spec.EmitGpuBackward(w, layer);
            else w.Line(NetworkEmitter.NoBackward(layer));
        }

        w.Line();
        w.Line("// ------------------------------------------------------------------------------------------");
        w.Line("// The partial sums of the split reductions (weight and bias gradients), and the passes over a");
        w.Line("// batch: every layer in order, then in reverse.");
        w.Line("// ------------------------------------------------------------------------------------------");
        w.Line();
        w.Line("/// <summary>Floats of partial sums the largest split reduction needs at <paramref name=\"batchCapacity\"/> images.</summary>");
        w.Open("private static long PartialFloats(int batchCapacity)");
        w.Line("long largest = 0;");
        foreach (var layer in network.Layers)
        {
            if (layer.Spec.GpuPartialFloats(layer) is { } floats) w.Line($"largest = global::System.Math.Max(largest, {floats}); // {layer.Spec.Name}");
        }
        w.Line("return largest;");
        w.Close();
        w.Line();
        w.Open("protected override void RunForward(int count, bool training)");
        foreach (var layer in network.Layers) w.Line(layer.Spec.GpuForwardCall(layer));
        w.Close();
        w.Line();
        w.Open("protected override void RunBackward(int count)");
        for (var i = network.Layers.Length - 1; i >= 0; i--)
        {
            var layer = network.Layers[i];
            if (!layer.NeedsBackward) { w.Line(NetworkEmitter.NoBackward(layer)); continue; }
            foreach (var buffer in GradientBuffers.AddedInto(network, layer))
                w.Line($"Kernels.Add(count * {layer.Pascal}OutputLength, {layer.Pascal}OutputGradient, {buffer.Name}, {layer.Pascal}OutputGradient);");
            w.Line($"{layer.Pascal}Backward(count);");
        }
        w.Close();
        w.Close(); // GpuLaunches
        w.Close();
        return w.ToString();
    }
}
