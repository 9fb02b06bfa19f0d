namespace StaticConvNet.Gpu;

/// <summary>A network asked to run on an ILGPU device was compiled without GPU code: its project does not reference
/// StaticConvNet.Gpu, so the generator wrote no launches for it.</summary>
public sealed class NoGpuCodeException(string networkName)
    : NotSupportedException($"{networkName} was compiled without GPU code (its project does not reference StaticConvNet.Gpu)");
