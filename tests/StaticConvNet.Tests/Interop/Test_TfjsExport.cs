using System.Text.Json;
using StaticConvNet.Data;
using StaticConvNet.Interop;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Interop;

/// <summary>An exported TensorFlow.js layers model, run by TensorFlow.js itself (Node.js, CPU backend), gives the
/// logits the generated network gives; what TensorFlow.js cannot hold is refused with the layer named.</summary>
public class Test_TfjsExport
{
    private const int Batch = 3;

    /// <summary>Every reference network a Sequential model can hold: all but blocks and local response normalisation.</summary>
    private static readonly string[] Exportable = ReferenceNets.All.Values
        .Where(c => !c.Create().Description.AllLayers.Any(l => l is ConcatLayer or ResidualLayer or LocalResponseNormLayer))
        .Select(c => c.Name).ToArray();

    [NodeFact]
    public async Task TensorFlowJs_reproduces_the_logits_of_every_layer_stack()
    {
        var modules = await NodeJs.SamplePackages();
        using var folder = new Scn.TempFolder();
        var jobs = new List<object>();
        var expected = new List<float[]>();
        foreach (var name in Exportable)
        {
            var (network, images, _) = ReferenceNets.Setup(ReferenceNets.All[name], Batch, parameterScale: 0.2f);
            if (name.StartsWith("arch")) images = BundledData.Load().Valid.Images.AsSpan(0, Batch * network.InputLength).ToArray(); // real letters
            var d = network.Description;
            var (json, weights) = TfjsExport.Export(network, "w.bin");
            var modelFolder = Directory.CreateDirectory(folder[name]).FullName;
            File.WriteAllText(Path.Combine(modelFolder, TfjsExport.ModelFile), json);
            File.WriteAllBytes(Path.Combine(modelFolder, "w.bin"), weights);
            jobs.Add(new { folder = modelFolder, shape = new[] { Batch, d.InputHeight, d.InputWidth, d.InputChannels }, images });
            var logits = new float[Batch * network.OutputLength];
            for (var n = 0; n < Batch; n++)
                network.Forward(images.AsSpan(n * network.InputLength, network.InputLength), logits.AsSpan(n * network.OutputLength, network.OutputLength));
            expected.Add(logits);
        }
        File.WriteAllText(folder["job.json"], JsonSerializer.Serialize(jobs));

        var script = Path.Combine(GeneratorHarness.RepositoryRoot(), "tests", "StaticConvNet.Tests", "Interop", "tfjs-logits.cjs");
        var node = Processes.Run("node", [script, modules, folder["job.json"], folder["out.json"]], timeout: TimeSpan.FromMinutes(3));
        node.ExitCode.ShouldBe(0, node.Error);
        var answers = JsonSerializer.Deserialize<float[][]>(File.ReadAllText(folder["out.json"]))!;

        answers.Length.ShouldBe(Exportable.Length);
        for (var i = 0; i < Exportable.Length; i++)
        {
            answers[i].Length.ShouldBe(expected[i].Length, Exportable[i]);
            for (var k = 0; k < expected[i].Length; k++)
            {
                // Two float implementations summing in different orders: agreement to ~1e-5 relative is expected.
                Tolerance.Difference(answers[i][k], expected[i][k]).ShouldBeLessThan(1e-4f + 1e-4f * Math.Abs(expected[i][k]), $"{Exportable[i]}, logit {k}");
            }
        }
    }

    [Fact]
    public void The_layer_stacks_cover_every_kind_a_Sequential_model_holds()
    {
        var kinds = Exportable.SelectMany(name => ReferenceNets.All[name].Create().Description.Layers.Select(l => l.GetType().Name)).ToHashSet();
        kinds.ShouldBe(["Conv2DLayer", "DenseLayer", "MaxPoolLayer", "AvgPoolLayer", "GlobalAvgPoolLayer", "BatchNormLayer", "ReluLayer", "TanhLayer", "DropoutLayer"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("Lrn", "layer 'lrn1' is local response normalisation")]
    [InlineData("Concat", "joins blocks")]
    [InlineData("Residual", "adds blocks")]
    public void What_TensorFlowJs_cannot_hold_is_refused_naming_the_layer(string name, string message)
    {
        var network = ReferenceNets.All[name].Create();
        Should.Throw<NotSupportedException>(() => TfjsExport.Export(network, "w.bin")).Message.ShouldContain(message);
    }

    [Fact]
    public void The_CLI_exports_a_weights_file_as_a_model_json_and_its_weights()
    {
        using var folder = new Scn.TempFolder();
        var weights = Path.Combine(GeneratorHarness.RepositoryRoot(), "samples", "LetterClassifier", "arch2.scnw");
        var run = Scn.Run("export-tfjs", "--checkpoint", weights, "--output", folder["tfjs"]);
        run.ExitCode.ShouldBe(0, run.Error);
        var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["tfjs"], "model.json"))).RootElement;
        model.GetProperty("format").GetString().ShouldBe("layers-model");
        var manifest = model.GetProperty("weightsManifest")[0];
        var file = manifest.GetProperty("paths")[0].GetString()!;
        new FileInfo(Path.Combine(folder["tfjs"], file)).Length.ShouldBe(57_722 * 4);
        manifest.GetProperty("weights").GetArrayLength().ShouldBe(8);
    }

    [Fact]
    public void The_CLI_refuses_a_network_TensorFlowJs_cannot_hold_in_one_line()
    {
        using var folder = new Scn.TempFolder();
        Scn.Run("train", "arch4", "--steps", "1", "--eval-every", "0", "--out", folder.Path).ExitCode.ShouldBe(0);
        Scn.Run("export-tfjs", "--checkpoint", folder["checkpoint.scnc"], "--output", folder["tfjs"])
            .ShouldBeCleanError("local response normalisation, which TensorFlow.js has no layer for; export the network to ONNX instead");
        Directory.Exists(folder["tfjs"]).ShouldBeFalse("nothing is written for a network that cannot be exported");
    }
}
