using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace StaticConvNet.Gpu;

/// <summary>Where a network runs: cpu (the generated SIMD code), ilgpu-cpu (ILGPU's CPU accelerator, for testing
/// the kernels anywhere), cuda (an NVIDIA GPU), auto (CUDA when present, else cpu).</summary>
public enum DeviceKind { Cpu, IlgpuCpu, Cuda, Auto }

public static class Devices
{
    public static DeviceKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "cpu" => DeviceKind.Cpu,
        "ilgpu-cpu" => DeviceKind.IlgpuCpu,
        "cuda" => DeviceKind.Cuda,
        "auto" => DeviceKind.Auto,
        _ => throw new ArgumentException($"--device must be cpu, ilgpu-cpu, cuda or auto, got '{name}'"),
    };

    /// <summary>An ILGPU context with every device ILGPU finds (CUDA GPUs and its default CPU accelerator).</summary>
    public static Context CreateContext() => Context.Create(builder => builder.Default().EnableAlgorithms());

    /// <summary>An ILGPU context and accelerator for <paramref name="kind"/>, or null when the generated CPU code
    /// should run (cpu, or auto without CUDA).</summary>
    public static (Context Context, Accelerator Accelerator)? Open(DeviceKind kind)
    {
        if (kind == DeviceKind.Cpu) return null;
        var context = CreateContext();
        try
        {
            var cuda = context.GetCudaDevices();
            switch (kind)
            {
                case DeviceKind.IlgpuCpu:
                    return (context, context.CreateCPUAccelerator(0));
                case DeviceKind.Cuda when cuda.Count == 0:
                    var present = string.Join(", ", context.Devices.Select(d => $"{d.AcceleratorType}: {d.Name}"));
                    throw new InvalidOperationException($"--device cuda: no CUDA device is present (devices found: {present}); use --device cpu or ilgpu-cpu");
                case DeviceKind.Cuda:
                case DeviceKind.Auto when cuda.Count > 0:
                    return (context, cuda[0].CreateAccelerator(context));
                default:
                    context.Dispose();
                    return null;
            }
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}
