using System.CommandLine;
using StaticConvNet.Gpu;
using StaticConvNet.Models;

namespace StaticConvNet.Cli;

/// <summary>The <c>--device</c> option every command that runs a network takes, and the network on the chosen device.</summary>
internal static class DeviceChoice
{
    public static Option<string> CreateOption() => new("--device")
    {
        Description = "cpu (generated SIMD code), ilgpu-cpu (ILGPU kernels on the CPU), cuda (ILGPU kernels on an NVIDIA GPU), auto (cuda if present, else cpu).",
        DefaultValueFactory = _ => "cpu",
    };

    public static DeviceKind Parse(string name)
    {
        try { return Devices.Parse(name); }
        catch (ArgumentException e) { throw new UserError(e.Message); }
    }

    /// <summary>The ILGPU context and accelerator for <paramref name="kind"/>, or null for the generated CPU code.</summary>
    public static (ILGPU.Context Context, ILGPU.Runtime.Accelerator Accelerator)? Open(DeviceKind kind)
    {
        try { return Devices.Open(kind); }
        catch (InvalidOperationException e) { throw new UserError(e.Message); }
    }

    /// <summary>The model's generated GPU launches; every model in src/Models has them (that project references the GPU library).</summary>
    public static GpuNetwork GpuNetworkOf(ModelEntry entry, IConvNet network, ILGPU.Runtime.Accelerator accelerator, int batchCapacity)
        => network is IGpuConvNet gpu
            ? gpu.CreateGpuNetwork(accelerator, batchCapacity)
            : throw new UserError($"{entry.ClassName} was compiled without GPU code (its project does not reference StaticConvNet.Gpu); use --device cpu");

    /// <summary>Images a device classifies at a time: the batch its buffers are made for.</summary>
    private const int InferenceBatch = 1024;

    /// <summary>The logits of <paramref name="count"/> images laid end to end, [count × classes], computed by
    /// <paramref name="network"/>'s parameters on the device <paramref name="kind"/> names.</summary>
    public static float[] Logits(ModelEntry entry, IConvNet network, ReadOnlySpan<float> images, int count, DeviceKind kind)
    {
        var logits = new float[(long)count * network.OutputLength];
        images = images[..(count * network.InputLength)];
        if (OnDevice(entry, network, count, kind) is { } gpu)
        {
            using (gpu) gpu.ForwardBatch(images, logits);
            return logits;
        }
        for (var i = 0; i < count; i++)
            network.Forward(images.Slice(i * network.InputLength, network.InputLength), logits.AsSpan(i * network.OutputLength, network.OutputLength));
        return logits;
    }

    /// <summary>The class of each of <paramref name="count"/> images, chosen on the device <paramref name="kind"/> names.</summary>
    public static int[] Predictions(ModelEntry entry, IConvNet network, ReadOnlySpan<float> images, int count, DeviceKind kind)
    {
        var predictions = new int[count];
        images = images[..(count * network.InputLength)];
        if (OnDevice(entry, network, count, kind) is { } gpu)
        {
            using (gpu) gpu.PredictBatch(images, predictions);
        }
        else network.PredictBatch(images, predictions);
        return predictions;
    }

    /// <summary>The network on an ILGPU device with its parameters uploaded, for inference over <paramref name="count"/>
    /// images; null for the cpu device. Disposing it closes the device.</summary>
    private static DeviceNetwork? OnDevice(ModelEntry entry, IConvNet network, int count, DeviceKind kind)
    {
        if (Open(kind) is not { } device) return null;
        try
        {
            var gpu = GpuNetworkOf(entry, network, device.Accelerator, Math.Min(count, InferenceBatch));
            gpu.UploadParameters(network.Parameters);
            return new DeviceNetwork(device.Context, device.Accelerator, gpu);
        }
        catch
        {
            device.Accelerator.Dispose();
            device.Context.Dispose();
            throw;
        }
    }

    private sealed class DeviceNetwork(ILGPU.Context context, ILGPU.Runtime.Accelerator accelerator, GpuNetwork gpu) : IDisposable
    {
        public void ForwardBatch(ReadOnlySpan<float> images, Span<float> logits) => gpu.ForwardBatch(images, logits);

        public void PredictBatch(ReadOnlySpan<float> images, Span<int> predictions) => gpu.PredictBatch(images, predictions);

        public void Dispose()
        {
            gpu.Dispose();
            accelerator.Dispose();
            context.Dispose();
        }
    }
}
