using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StaticConvNet.Data;
using StaticConvNet.Interop;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Interop;

/// <summary>An exported model, run in ONNX Runtime, gives the logits the generated network gives.</summary>
public class Test_OnnxExport
{
    public static TheoryData<string> Cases => new(ReferenceNets.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntime_reproduces_the_logits(string name)
    {
        var c = ReferenceNets.All[name];
        var (network, images, _) = ReferenceNets.Setup(c, batch: 4, parameterScale: 0.2f);
        if (name.StartsWith("arch")) images = BundledData.Load().Valid.Images.AsSpan(0, 4 * network.InputLength).ToArray(); // real letters
        var d = network.Description;

        using var session = new InferenceSession(OnnxExport.Export(network));
        var input = new DenseTensor<float>(images, [4, d.InputHeight, d.InputWidth, d.InputChannels]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
        var onnx = results.Single(r => r.Name == OnnxExport.OutputName).AsTensor<float>().ToArray();

        onnx.Length.ShouldBe(4 * network.OutputLength);
        var logits = new float[network.OutputLength];
        for (var n = 0; n < 4; n++)
        {
            network.Forward(images.AsSpan(n * network.InputLength, network.InputLength), logits);
            for (var k = 0; k < logits.Length; k++)
            {
                // Two float implementations summing in different orders: agreement to ~1e-5 relative is expected.
                Tolerance.Difference(onnx[n * network.OutputLength + k], logits[k]).ShouldBeLessThan(1e-4f + 1e-4f * Math.Abs(logits[k]), $"image {n}, logit {k}");
            }
        }
    }

    [Fact]
    public void The_CLI_exports_a_checkpoint()
    {
        using var folder = new Scn.TempFolder();
        Scn.Run("train", "arch1", "--steps", "5", "--eval-every", "0", "--out", folder.Path).ExitCode.ShouldBe(0);
        var run = Scn.Run("export-onnx", "--checkpoint", folder["checkpoint.scnc"], "--output", folder["m.onnx"]);
        run.ExitCode.ShouldBe(0, run.Error);
        using var session = new InferenceSession(folder["m.onnx"]);
        session.InputMetadata[OnnxExport.InputName].Dimensions.ShouldBe([-1, 28, 28, 1]);
    }
}
