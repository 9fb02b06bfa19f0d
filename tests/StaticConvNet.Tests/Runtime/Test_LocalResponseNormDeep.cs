using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>LRN across many channels (past the band matrix's 64, where prefix sums take over; 46,341 channels once
/// overflowed the band's C² length), and at each exponent with its own form (β = 0.75, 0.5 and 1 by square roots, any
/// other through log and exp): forward against the definition in double, backward against finite differences.</summary>
public class Test_LocalResponseNormDeep
{
    [Theory]
    [InlineData(16, 2, 0.75f)]
    [InlineData(100, 5, 0.75f)]
    [InlineData(70, 1000, 0.75f)]
    [InlineData(16, 2, 0.5f)]
    [InlineData(16, 2, 1f)]
    [InlineData(16, 2, 0.6f)]
    [InlineData(100, 5, 1.3f)]
    public void Forward_is_the_definition_and_backward_its_gradient(int channels, int radius, float beta)
    {
        var shape = new LrnShape(Pixels: 3, channels, radius, Bias: 1f, Alpha: 0.3f, Beta: beta);
        var x = ReferenceNets.Random(3 * channels, 4, 1f);
        var output = new float[x.Length];
        LocalResponseNorm.Forward(x, output, shape);
        for (var p = 0; p < 3; p++)
        for (var c = 0; c < channels; c++)
        {
            double sum = 0;
            for (var d = Math.Max(0, c - radius); d <= Math.Min(channels - 1, c + radius); d++) sum += (double)x[p * channels + d] * x[p * channels + d];
            output[p * channels + c].ShouldBe((float)(x[p * channels + c] * Math.Pow(1 + 0.3 * sum, -beta)), 2e-5f);
        }

        var weights = ReferenceNets.Random(x.Length, 5, 1f);
        var gradient = new float[x.Length];
        LocalResponseNorm.Backward(x, weights, gradient, shape);
        double Loss(float[] input)
        {
            var y = new float[input.Length];
            LocalResponseNorm.Forward(input, y, shape);
            return y.Select((v, i) => (double)v * weights[i]).Sum();
        }
        foreach (var i in new[] { 0, channels / 2, x.Length - 1 })
        {
            var (plus, minus) = ((float[])x.Clone(), (float[])x.Clone());
            plus[i] += 1e-2f;
            minus[i] -= 1e-2f;
            gradient[i].ShouldBe((float)((Loss(plus) - Loss(minus)) / 2e-2), 2e-3f);
        }
    }

    /// <summary>Output and input may be one buffer: every exponent's form reads the input before the output is written.</summary>
    [Theory]
    [InlineData(0.75f)]
    [InlineData(0.5f)]
    [InlineData(0.6f)]
    public void Forward_in_place_is_the_same_as_into_another_buffer(float beta)
    {
        var shape = new LrnShape(Pixels: 5, Channels: 16, DepthRadius: 2, Bias: 1f, Alpha: 0.3f, Beta: beta);
        var x = ReferenceNets.Random(5 * 16, 6, 1f);
        var expected = new float[x.Length];
        LocalResponseNorm.Forward(x, expected, shape);
        LocalResponseNorm.Forward(x, x, shape);
        x.ShouldBe(expected);
    }

    /// <summary>An infinite input reaches only the windows that hold it in the prefix-sum path (not every later channel).</summary>
    [Fact]
    public void An_infinite_value_spoils_only_its_own_windows()
    {
        var shape = new LrnShape(Pixels: 1, Channels: 100, DepthRadius: 2, Bias: 1f, Alpha: 0.3f, Beta: 0.75f);
        var x = ReferenceNets.Random(100, 4, 1f);
        x[10] = float.PositiveInfinity;
        var output = new float[100];
        LocalResponseNorm.Forward(x, output, shape);
        output.Select((v, c) => (v, c)).Where(p => Math.Abs(p.c - 10) > 2).ShouldAllBe(p => float.IsFinite(p.v));
    }
}
