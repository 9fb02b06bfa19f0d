using ILGPU.Runtime.Cuda;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Gpu;

/// <summary>scn train --device: the ILGPU path from the command line, and the error when CUDA is asked for and absent.</summary>
public class Test_DeviceOption
{
    private static string SmallPickle => Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", "pickles", "udacity-protocol2-small.pickle");

    [Fact]
    public void Training_on_ilgpu_cpu_takes_batches_larger_than_the_compiled_capacity()
    {
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("train", "arch1", "--device", "ilgpu-cpu", "--data", SmallPickle, "--batch-size", "17", "--steps", "3", "--eval-every", "0", "--out", folder.Path);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain("device: CPU");
        Checkpoint.Load(folder["checkpoint.scnc"]).StepsDone.ShouldBe(3);
    }

    [Fact]
    public void The_ilgpu_devices_refuse_a_batch_past_their_limit()
        => Scn.Run("train", "arch1", "--device", "ilgpu-cpu", "--batch-size", "100000", "--steps", "1").ShouldBeCleanError("--batch-size must be 1..");

    [SkippableFact]
    public void Asking_for_cuda_without_a_device_is_a_clear_error_listing_what_is_present()
    {
        using (var context = ILGPU.Context.Create(builder => builder.Cuda()))
            Skip.If(context.GetCudaDevices().Count > 0, "this machine has a CUDA device");
        Scn.Run("train", "arch1", "--device", "cuda").ShouldBeCleanError("--device cuda: no CUDA device is present (devices found: CPU: CPUAccelerator)");
    }
}
