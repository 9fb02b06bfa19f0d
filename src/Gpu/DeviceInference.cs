namespace StaticConvNet.Gpu;

/// <summary>Inference over many images on the device a <see cref="DeviceKind"/> names: the generated CPU code, or the
/// network's ILGPU launches with its parameters uploaded (what <c>scn evaluate</c> and <c>scn predict</c> run with
/// <c>--device</c>). Each call opens the device and closes it again.</summary>
public static class DeviceInference
{
    /// <summary>Images a device classifies at a time: the batch its buffers are made for.</summary>
    private const int Batch = 1024;

    /// <summary>The logits of <paramref name="count"/> images laid end to end in <paramref name="images"/>,
    /// [count × classes], computed with <paramref name="network"/>'s parameters on the device <paramref name="kind"/> names.</summary>
    /// <exception cref="InvalidOperationException">The device is not present.</exception>
    /// <exception cref="NoGpuCodeException">The network was compiled without GPU code.</exception>
    public static float[] Logits(IConvNet network, ReadOnlySpan<float> images, int count, DeviceKind kind)
    {
        ArgumentNullException.ThrowIfNull(network);
        var logits = new float[(long)count * network.OutputLength];
        images = images[..(count * network.InputLength)];
        if (OnDevice(network, count, kind) is { } gpu)
        {
            using (gpu) gpu.Network.ForwardBatch(images, logits);
            return logits;
        }
        for (var i = 0; i < count; i++)
            network.Forward(images.Slice(i * network.InputLength, network.InputLength), logits.AsSpan(i * network.OutputLength, network.OutputLength));
        return logits;
    }

    /// <summary>The class of each of <paramref name="count"/> images, chosen on the device <paramref name="kind"/> names.</summary>
    /// <exception cref="InvalidOperationException">The device is not present.</exception>
    /// <exception cref="NoGpuCodeException">The network was compiled without GPU code.</exception>
    public static int[] Predictions(IConvNet network, ReadOnlySpan<float> images, int count, DeviceKind kind)
    {
        ArgumentNullException.ThrowIfNull(network);
        var predictions = new int[count];
        images = images[..(count * network.InputLength)];
        if (OnDevice(network, count, kind) is { } gpu)
        {
            using (gpu) gpu.Network.PredictBatch(images, predictions);
        }
        else network.PredictBatch(images, predictions);
        return predictions;
    }

    /// <summary>The network's generated GPU half for <paramref name="accelerator"/>, holding batches of up to
    /// <paramref name="batchCapacity"/> images.</summary>
    /// <exception cref="NoGpuCodeException">The network's project does not reference StaticConvNet.Gpu.</exception>
    public static GpuNetwork GpuNetworkOf(IConvNet network, ILGPU.Runtime.Accelerator accelerator, int batchCapacity)
        => network is IGpuConvNet gpu
            ? gpu.CreateGpuNetwork(accelerator, batchCapacity)
            : throw new NoGpuCodeException(network.Description.Name);

    /// <summary>The network on an ILGPU device with its parameters uploaded, for inference over <paramref name="count"/>
    /// images; null for the cpu device. Disposing it closes the device.</summary>
    private static OpenDevice? OnDevice(IConvNet network, int count, DeviceKind kind)
    {
        if (Devices.Open(kind) is not { } device) return null;
        try
        {
            var gpu = GpuNetworkOf(network, device.Accelerator, Math.Min(count, Batch));
            gpu.UploadParameters(network.Parameters);
            gpu.UploadState(network.State);
            return new OpenDevice(device.Context, device.Accelerator, gpu);
        }
        catch
        {
            device.Accelerator.Dispose();
            device.Context.Dispose();
            throw;
        }
    }

    private sealed class OpenDevice(ILGPU.Context context, ILGPU.Runtime.Accelerator accelerator, GpuNetwork network) : IDisposable
    {
        public GpuNetwork Network => network;

        public void Dispose()
        {
            network.Dispose();
            accelerator.Dispose();
            context.Dispose();
        }
    }
}
