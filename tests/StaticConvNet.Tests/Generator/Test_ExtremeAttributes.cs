using CsCheck;
using Microsoft.CodeAnalysis;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>Attribute values at the edges (int.MaxValue, int.MinValue, 0, negative, sizes whose products overflow):
/// the generator never throws, the only errors are SCN errors, and every network that compiles runs (a prediction
/// and a training pass) without crashing. Before, `Patch = int.MaxValue` built and then read outside its buffers.</summary>
public class Test_ExtremeAttributes
{
    /// <summary>Edge values, mixed with ordinary ones so that some stacks are valid and get run.</summary>
    private static readonly Gen<int> Value = Gen.Frequency(
        (2, Gen.OneOfConst(int.MaxValue, int.MinValue, -1, 0, 65536, 1 << 20, 46341)),
        (3, Gen.OneOfConst(1, 2, 3, 5, 28)));

    private static readonly Gen<string> Layer = Gen.OneOf(
        Gen.Select(Value, Value, Value, Gen.Bool, (filters, patch, stride, same) => $"[Conv2D({filters}, Patch = {patch}, Stride = {stride}, Padding = Padding.{(same ? "Same" : "Valid")})]"),
        Gen.Select(Value, Value, (size, stride) => $"[MaxPool({size}, Stride = {stride})]"),
        Gen.Select(Value, Value, (size, stride) => $"[AvgPool({size}, Stride = {stride}, Padding = Padding.Valid)]"),
        Value.Select(units => $"[Dense({units})]"),
        Gen.Const("[ReLU]"),
        Value.Select(radius => $"[LocalResponseNorm(DepthRadius = {radius})]"));

    private static readonly Gen<string> Network = Gen.Select(Value, Value, Value, Value, Value, Layer.Array[1, 4],
        (height, width, channels, classes, batch, layers) =>
            "using StaticConvNet;\n" +
            $"[Network(Height = {height}, Width = {width}, Channels = {channels}, Classes = {classes}, BatchCapacity = {batch})]\n" +
            string.Join("\n", layers) + "\n" +
            $"[Dense({classes})]\n" +
            "public sealed partial class ExtremeNet;\n");

    /// <summary>Networks small enough to run here: a few million floats of parameters and activations, and a few
    /// hundred million multiply-adds per image, at most.</summary>
    private const long RunnableFloats = 1 << 22, RunnableWork = 1L << 28;

    /// <summary>Multiply-adds (or window reads) one image's forward pass takes, in arithmetic that cannot wrap.</summary>
    private static double Work(NetworkDescription description) => description.Layers.Sum(layer =>
    {
        double outputs = (double)layer.Output.Height * layer.Output.Width * layer.Output.Channels;
        return layer switch
        {
            Conv2DLayer conv => outputs * conv.Window.Size * conv.Window.Size * conv.Input.Channels,
            DenseLayer dense => outputs * dense.Input.Height * dense.Input.Width * dense.Input.Channels,
            MaxPoolLayer pool => outputs * pool.Window.Size * pool.Window.Size,
            AvgPoolLayer pool => outputs * pool.Window.Size * pool.Window.Size,
            _ => outputs,
        };
    });

    [Fact]
    public void Extreme_values_give_SCN_errors_or_networks_that_run()
    {
        int ran = 0, refused = 0;
        Network.Sample(source =>
        {
            var result = GeneratorHarness.Run(source); // throws if the generator threw
            result.Errors.Where(d => !d.Id.StartsWith("SCN")).ShouldBeEmpty(source);
            if (result.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                refused++;
                return;
            }
            var type = result.Load().GetType("ExtremeNet")!;
            long Constant(string name) => Convert.ToInt64(type.GetField(name)!.GetValue(null));
            if (Constant("ParameterCount") + Constant("InputLength") * Constant("BatchCapacity") > RunnableFloats) return;
            var network = (IConvNet)Activator.CreateInstance(type)!;
            if (Work(network.Description) > RunnableWork) return;
            network.InitializeParameters(1);
            var image = new float[network.InputLength];
            network.Predict(image).ShouldBeInRange(0, network.OutputLength - 1, source);
            float.IsFinite(network.ComputeGradients(image, [0], 1)).ShouldBeTrue(source);
            ran++;
        }, iter: 400, threads: 1);
        refused.ShouldBeGreaterThan(100, "most extreme values are refused");
        ran.ShouldBeGreaterThan(2, "some stacks are valid and run (about 15 of 400 on average)");
    }
}
