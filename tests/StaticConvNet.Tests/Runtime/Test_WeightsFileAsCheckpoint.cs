using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>A .scnw weights file reads as a checkpoint (what evaluate, predict and the exports take), with the
/// checks the generator makes when it bakes one; every damaged file is refused in one line naming it.</summary>
public class Test_WeightsFileAsCheckpoint
{
    private static string Text(out BatchNormNet network)
    {
        network = new BatchNormNet();
        ReferenceNets.Random(BatchNormNet.ParameterCount, 3, 0.5f).CopyTo(network.Parameters);
        ReferenceNets.Random(network.State.Length, 4, 0.5f).AsSpan().CopyTo(network.State);
        return WeightsFile.Format(network.Description.Name, network.Description.Fingerprint, network.Parameters, ["a", "b", "c"], network.State);
    }

    [Fact]
    public void Parameters_state_and_class_names_round_trip_bit_for_bit()
    {
        var text = Text(out var original);
        var checkpoint = WeightsFile.Parse(text, "net.scnw");
        checkpoint.ModelName.ShouldBe("BatchNormNet");
        checkpoint.ClassNames.ShouldBe(["a", "b", "c"]);
        var copy = new BatchNormNet();
        checkpoint.LoadInto(copy, "net.scnw");
        copy.Parameters.ToArray().ShouldBe(original.Parameters.ToArray());
        copy.State.ToArray().ShouldBe(original.State.ToArray());
    }

    [Theory]
    [InlineData("header", "does not start with '# StaticConvNet weights, format 1'")]
    [InlineData("no sha", "has no 'sha256:' line")]
    [InlineData("no data", "has no 'data:' line")]
    [InlineData("count", "has 'parameters: many', not a count")]
    [InlineData("base64", "has data that is not valid base64")]
    [InlineData("short", "but its header says")]
    [InlineData("sha", "is damaged: its data's SHA-256 does not match its header")]
    [InlineData("class", "has no 'class 2:' line")]
    [InlineData("repeated class", "names bad classes")]
    [InlineData("huge classes", "says it names 2147483647 classes but has")]
    [InlineData("negative count", "has 'parameters: -4', not a count")]
    public void A_damaged_file_is_refused_naming_it(string damage, string message)
    {
        var text = Text(out _);
        var lines = text.Split('\n').ToList();
        int Line(string start) => lines.FindIndex(l => l.StartsWith(start));
        switch (damage)
        {
            case "header": lines[0] = "# something else"; break;
            case "no sha": lines.RemoveAt(Line("sha256:")); break;
            case "no data": lines.RemoveAt(Line("data:")); break;
            case "count": lines[Line("parameters:")] = "parameters: many"; break;
            case "base64": lines[Line("data:") + 1] = "!!!" + lines[Line("data:") + 1][3..]; break;
            case "short": lines.RemoveAt(Line("data:") + 1); break;
            case "sha": lines[Line("sha256:")] = "sha256: " + new string('0', 64); break;
            case "class": lines.RemoveAt(Line("class 2:")); break;
            case "repeated class": lines[Line("class 2:")] = "class 2: a"; break;
            case "huge classes": lines[Line("classes:")] = "classes: 2147483647"; break;
            case "negative count": lines[Line("parameters:")] = "parameters: -4"; break;
        }
        var error = Should.Throw<DataFormatException>(() => WeightsFile.Parse(string.Join('\n', lines), "net.scnw"));
        error.Message.ShouldStartWith("net.scnw");
        error.Message.ShouldContain(message);
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void Values_that_are_not_finite_are_refused_naming_the_first()
    {
        var parameters = ReferenceNets.Random(BatchNormNet.ParameterCount, 3, 0.5f);
        parameters[5] = float.NaN;
        var text = WeightsFile.Format("BatchNormNet", BatchNormNet.LayerFingerprint, parameters);
        Should.Throw<DataFormatException>(() => WeightsFile.Parse(text, "net.scnw")).Message.ShouldContain("parameter 5 is NaN");
    }

    [Fact]
    public void A_weights_file_for_another_network_is_refused_when_loaded()
    {
        var checkpoint = WeightsFile.Parse(Text(out _), "net.scnw");
        Should.Throw<DataFormatException>(() => checkpoint.LoadInto(new DenseReluNet(), "net.scnw")).Message.ShouldContain("not the layer stack");
    }

    [Fact]
    public void Scn_evaluates_the_weights_file_an_app_bakes()
    {
        var weights = Path.Combine(GeneratorHarness.RepositoryRoot(), "samples", "LetterClassifier", "arch2.scnw");
        var run = Scn.Run("evaluate", "--checkpoint", weights);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain("accuracy");
    }
}
