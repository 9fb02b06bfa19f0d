using ILGPU;
using ILGPU.Runtime;

namespace StaticConvNet.Tests.Support;

/// <summary>A test class written once against an ILGPU accelerator and instantiated per accelerator kind, as ILGPU's
/// own tests are: the CPU accelerator always runs (in CI too), CUDA where a device is present.</summary>
public abstract class AcceleratorTests : IDisposable
{
    private readonly Context _context;
    private readonly Accelerator? _accelerator;

    /// <param name="create">The accelerator to test, or null where this machine has none of its kind.</param>
    protected AcceleratorTests(Func<Context, Accelerator?> create)
    {
        _context = StaticConvNet.Gpu.Devices.CreateContext();
        _accelerator = create(_context);
    }

    /// <summary>The accelerator; a test on a machine without one is reported as skipped, with the reason.</summary>
    protected Accelerator Accelerator
    {
        get
        {
            Skip.If(_accelerator is null, $"no {GetType().Name.Split('_')[^1]} device on this machine");
            return _accelerator!;
        }
    }

    public void Dispose()
    {
        _accelerator?.Dispose();
        _context.Dispose();
        GC.SuppressFinalize(this);
    }
}
