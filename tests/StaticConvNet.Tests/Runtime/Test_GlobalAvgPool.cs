using StaticConvNet.Kernels;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The GlobalAvgPool kernel against the same sums written as plain loops (bit for bit: the kernel promises
/// pixel order per channel at every SIMD width), hand-computed values, and its backward pass against the adjoint.
/// Channel counts use the vector path, its tail, or only the tail (1, 3, 16, 19, 40).</summary>
public class Test_GlobalAvgPool
{
    private static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(35, 3)]
    [InlineData(4, 16)]
    [InlineData(9, 19)]
    [InlineData(49, 40)]
    public void Forward_is_each_channel_summed_in_pixel_order_then_divided(int pixels, int channels)
    {
        var x = RandomValues(pixels * channels, pixels + channels);
        var y = new float[channels];
        GlobalAvgPool.Forward(x, y, pixels, channels);
        for (var c = 0; c < channels; c++)
        {
            var sum = x[c];
            for (var p = 1; p < pixels; p++) sum += x[p * channels + c];
            y[c].ShouldBe(sum / pixels, $"channel {c}"); // exact: the same additions in the same order
        }
    }

    [Fact]
    public void Forward_and_backward_by_hand()
    {
        // 2 pixels x 2 channels, HWC: channel 0 holds 1 and 3, channel 1 holds 2 and 6.
        var y = new float[2];
        GlobalAvgPool.Forward([1f, 2f, 3f, 6f], y, pixels: 2, channels: 2);
        y.ShouldBe([2f, 4f]);
        var dx = new float[4];
        GlobalAvgPool.Backward([4f, -2f], dx, pixels: 2, channels: 2);
        dx.ShouldBe([2f, -1f, 2f, -1f]);
    }

    [Theory]
    [InlineData(12, 17)]
    [InlineData(5, 2)]
    public void Backward_is_the_adjoint_of_forward(int pixels, int channels)
    {
        // Forward is linear: <Forward(x), g> = <x, Backward(g)>.
        var x = RandomValues(pixels * channels, 1);
        var g = RandomValues(channels, 2);
        var y = new float[channels];
        GlobalAvgPool.Forward(x, y, pixels, channels);
        var dx = Enumerable.Repeat(float.NaN, x.Length).ToArray(); // overwritten, not accumulated
        GlobalAvgPool.Backward(g, dx, pixels, channels);
        var left = y.Zip(g, (a, b) => (double)a * b).Sum();
        var right = x.Zip(dx, (a, b) => (double)a * b).Sum();
        right.ShouldBe(left, 1e-5);
    }

    [Fact]
    public void Backward_into_no_input_gradient_does_nothing()
        => GlobalAvgPool.Backward([1f, 2f], Span<float>.Empty, pixels: 3, channels: 2);

    [Fact]
    public void Rejects_buffers_that_do_not_match()
    {
        Should.Throw<ArgumentException>(() => GlobalAvgPool.Forward(new float[7], new float[2], pixels: 4, channels: 2));
        Should.Throw<ArgumentException>(() => GlobalAvgPool.Forward(new float[8], new float[3], pixels: 4, channels: 2));
        Should.Throw<ArgumentException>(() => GlobalAvgPool.Backward(new float[2], new float[9], pixels: 4, channels: 2));
    }
}
