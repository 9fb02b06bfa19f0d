using StaticConvNet.Gpu;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Gpu;

/// <summary>What <c>scn evaluate</c> and <c>scn predict</c> run with <c>--device</c>, from the library: the same classes
/// and (to float rounding) the same logits on ILGPU's CPU accelerator as the generated CPU code.</summary>
public class Test_DeviceInference
{
    [Fact]
    public void The_ilgpu_cpu_device_classifies_as_the_cpu_code_does()
    {
        var network = new PoolNet();
        ReferenceNets.Random(PoolNet.ParameterCount, 5, 0.3f).CopyTo(network.Parameters);
        const int count = 7;
        var images = ReferenceNets.Random(count * PoolNet.InputLength, 6, 1f);

        var cpu = DeviceInference.Logits(network, images, count, DeviceKind.Cpu);
        var device = DeviceInference.Logits(network, images, count, DeviceKind.IlgpuCpu);
        for (var i = 0; i < cpu.Length; i++)
            Tolerance.Difference(device[i], cpu[i]).ShouldBeLessThan(1e-4f + 1e-3f * Math.Abs(cpu[i]), $"logit {i}");

        var expected = new int[count];
        network.PredictBatch(images, expected);
        DeviceInference.Predictions(network, images, count, DeviceKind.Cpu).ShouldBe(expected);
        DeviceInference.Predictions(network, images, count, DeviceKind.IlgpuCpu).ShouldBe(expected);
    }
}
