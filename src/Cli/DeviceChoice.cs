using System.CommandLine;
using StaticConvNet.Gpu;

namespace StaticConvNet.Cli;

/// <summary>The <c>--device</c> option every command that runs a network takes, and what the library's
/// <see cref="Devices"/> and <see cref="DeviceInference"/> refuse, as one-line user errors.</summary>
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

    /// <summary>The network's generated GPU launches; every model in src/Models has them (that project references the GPU library).</summary>
    public static GpuNetwork GpuNetworkOf(IConvNet network, ILGPU.Runtime.Accelerator accelerator, int batchCapacity)
        => OrUserError(() => DeviceInference.GpuNetworkOf(network, accelerator, batchCapacity));

    /// <summary><see cref="DeviceInference.Logits"/>, its refusals as one-line user errors.</summary>
    public static float[] Logits(IConvNet network, float[] images, int count, DeviceKind kind)
        => OrUserError(() => DeviceInference.Logits(network, images, count, kind));

    /// <summary><see cref="DeviceInference.Predictions"/>, its refusals as one-line user errors.</summary>
    public static int[] Predictions(IConvNet network, float[] images, int count, DeviceKind kind)
        => OrUserError(() => DeviceInference.Predictions(network, images, count, kind));

    private static T OrUserError<T>(Func<T> run)
    {
        try { return run(); }
        catch (NoGpuCodeException e) { throw new UserError($"{e.Message}; use --device cpu"); }
        catch (InvalidOperationException e) { throw new UserError(e.Message); } // no such device here
    }
}
