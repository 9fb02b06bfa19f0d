using StaticConvNet.Models;
using static StaticConvNet.Tests.Support.ReferenceNet;

namespace StaticConvNet.Tests.Support;

/// <summary>Each generated test network next to its hand-written reference twin.</summary>
public static class ReferenceNets
{
    public sealed record Case(string Name, Func<IConvNet> Create, ReferenceNet Reference)
    {
        public override string ToString() => Name;
    }

    public static readonly IReadOnlyDictionary<string, Case> All = new Case[]
    {
        new("ConvSameStride2", () => new ConvSameStride2Net(), new(7, 9, 3, new Conv(5, 3, 2), new Dense(4))),
        new("ConvValidStride3", () => new ConvValidStride3Net(), new(10, 8, 2, new Conv(3, 4, 3, Same: false), new Relu(), new Dense(3))),
        new("Conv1x1", () => new Conv1x1Net(), new(4, 5, 3, new Conv(6, 1), new Dense(2))),
        new("WideConv", () => new WideConvNet(), new(6, 5, 2, new Conv(17, 3), new Conv(16, 2), new Relu(), new Conv(8, 4, 2), new Dense(5))),
        new("Pool", () => new PoolNet(), new(7, 6, 2, new Conv(3, 2), new Pool(3, 2), new Pool(2, 2), new Conv(4, 1), new Pool(2, 1, Same: false), new Dense(3))),
        new("ReluPool", () => new ReluPoolNet(), new(7, 6, 2, new Conv(17, 3), new Relu(), new Pool(3, 2), new Conv(16, 2), new Relu(), new Pool(2, 2), new Dense(3))),
        new("ReluPoolBlocks", () => new ReluPoolBlocksNet(), new(6, 5, 2, new Conv(6, 2), new Relu(), new Pool(2, 2), new BatchNorm(),
            new Concat([new Conv(4, 3), new Relu(), new Pool(3, 1)], [new Conv(5, 1), new Relu()]), new Dense(3))),
        new("DenseRelu", () => new DenseReluNet(), new(3, 4, 2, new Dense(8), new Relu(), new Dense(3))),
        new("Lrn", () => new LrnNet(), new(5, 4, 1, new Conv(7, 3), new Lrn(2, 1.5, 0.3, 0.75), new Dense(3))),
        new("Dropout", () => new DropoutNet(), new(6, 6, 1, new Conv(4, 3), new Drop(0.3f, LayerIndex: 1), new Dense(3))),
        new("ReluFirst", () => new ReluFirstNet(), new(2, 3, 2, new Relu(), new Dense(2))),
        new("AvgPool", () => new AvgPoolNet(), new(7, 10, 3, new AvgPool(3, 2), new Tanh(), new Conv(5, 2), new AvgPool(2, 3), new AvgPool(2, 1, Same: false), new Dense(3))),
        new("GlobalAvgPool", () => new GlobalAvgPoolNet(), new(5, 7, 2, new Conv(19, 3), new Relu(), new GlobalAvgPool(), new Conv(6, 1), new Dense(3))),
        new("DenseLrn", () => new DenseLrnNet(), new(3, 4, 2, new Dense(8), new Residual([new Lrn(1, 1.5, 0.3, 0.75)]), new Dense(6),
            new Concat([new Lrn(2, 1.5, 0.3, 0.75)], [new GlobalAvgPool()]), new Dense(3))),
        new("GlobalAvgPoolFirst", () => new GlobalAvgPoolFirstNet(), new(3, 4, 5, new GlobalAvgPool(), new Dense(2))),
        new("Concat", () => new ConcatNet(), new(6, 7, 2, new Conv(3, 2),
            new Concat([new Conv(5, 1), new Relu()], [new Conv(4, 3), new Pool(3, 1), new Conv(17, 1)], [new Conv(5, 1), new Relu()]), new Relu(), new Dense(3))),
        new("Residual", () => new ResidualNet(), new(5, 6, 3, new Conv(4, 3), new Residual([new Relu(), new Conv(4, 3)]),
            new Residual([new Conv(6, 3, 2), new Tanh()], [new Conv(6, 1, 2)]), new GlobalAvgPool(), new Dense(3))),
        new("ResidualFirst", () => new ResidualFirstNet(), new(4, 5, 2, new Residual([new Concat([new Conv(1, 1)], [new Conv(1, 1)])]), new Dense(2))),
        new("BatchNorm", () => new BatchNormNet(), new(5, 6, 2, new Conv(17, 3), new BatchNorm(), new Relu(),
            new Residual([new Conv(17, 3), new BatchNorm()]), new Relu(), new Dense(8), new BatchNorm(0.001), new Tanh(), new Dense(3))),
        new("BatchNormFirst", () => new BatchNormFirstNet(), new(3, 4, 3, new BatchNorm(), new Conv(4, 2), new Dense(2))),
        new("Tanh", () => new TanhNet(), new(8, 5, 2, new Conv(17, 3), new Tanh(), new AvgPool(3, 3), new Dense(6), new Tanh(), new Dense(4))),
        new("WinogradUnfused", () => new WinogradUnfusedNet(), new(9, 9, 16, new Conv(16, 5), new Pool(2, 1), new Conv(16, 5, 2), new Tanh(), new Dense(3))),
        new("ClassicLeNet5", () => new ClassicLeNet5(), new(32, 32, 1, new Conv(6, 5, Same: false), new Tanh(), new AvgPool(2, 2), new Conv(16, 5, Same: false), new Tanh(), new AvgPool(2, 2), new Dense(120), new Tanh(), new Dense(84), new Tanh(), new Dense(10))),
        new("arch1", () => new Arch1StridedConv(), new(28, 28, 1, new Conv(16, 5, 2), new Relu(), new Conv(16, 5, 2), new Relu(), new Dense(64), new Relu(), new Dense(10))),
        new("arch2", () => new Arch2ConvPool(), new(28, 28, 1, new Conv(16, 5), new Relu(), new Pool(2, 2), new Conv(16, 5), new Relu(), new Pool(2, 2), new Dense(64), new Relu(), new Dense(10))),
        new("arch3", () => new Arch3ThreeBlocks(), new(28, 28, 1, new Conv(16, 5), new Relu(), new Pool(2, 2), new Conv(16, 5), new Relu(), new Pool(2, 2), new Conv(16, 5), new Relu(), new Pool(2, 2), new Dense(64), new Relu(), new Dense(10))),
        new("arch4", () => new Arch4LeNet(), new(28, 28, 1, new Conv(16, 5), new Relu(), new Drop(0.5f, LayerIndex: 2), new Pool(2, 2), new Lrn(4, 1.0, 0.001f / 9f, 0.75), new Conv(16, 5), new Relu(), new Pool(2, 2), new Conv(16, 5), new Relu(), new Dense(64), new Relu(), new Dense(10))),
    }.ToDictionary(c => c.Name);

    /// <summary>Uniform random values in [−scale, scale], seeded.</summary>
    public static float[] Random(int count, int seed, float scale)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
    }

    /// <summary>A network with random parameters (wider than the initialiser's, so biases and every unit matter)
    /// and a random batch of images and labels.</summary>
    public static (IConvNet Network, float[] Images, int[] Labels) Setup(Case c, int batch, int seed = 7, float parameterScale = 0.3f)
    {
        var network = c.Create();
        Random(network.ParameterCount, seed, parameterScale).CopyTo(network.Parameters);
        // Running statistics away from a new network's 0 and 1, so inference that ignored them would show.
        foreach (var layer in network.Description.AllLayers.OfType<BatchNormLayer>())
        {
            var channels = layer.Output.Channels;
            Random(channels, seed + 3, 0.2f).CopyTo(network.State.Slice(layer.StateOffset, channels));
            Random(channels, seed + 4, 0.5f).Select(v => 1f + v).ToArray().CopyTo(network.State.Slice(layer.StateOffset + channels, channels));
        }
        var images = Random(batch * network.InputLength, seed + 1, 0.5f);
        var random = new Random(seed + 2);
        var labels = Enumerable.Range(0, batch).Select(_ => random.Next(network.OutputLength)).ToArray();
        return (network, images, labels);
    }
}
