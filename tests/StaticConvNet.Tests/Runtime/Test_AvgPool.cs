using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The AvgPool kernel against the naive double-precision reference (<see cref="ReferenceNet"/>), against
/// hand-computed values, and its backward pass against the exact adjoint and finite differences.
/// Shapes cover SAME with the odd padding row at the bottom, stride 3, stride larger than the window, non-square
/// images, VALID, and channel counts that use the 16-lane path, its scalar tail, or only the tail (1, 3, 17, 48).
/// Comparisons use ShouldBe with a tolerance, which fails on NaN; Math.Abs(d).ShouldBeLessThan(t) would pass on NaN,
/// since double.NaN.CompareTo orders NaN below every number.</summary>
public class Test_AvgPool
{
    /// <summary>Height, width, channels, window, stride, SAME.</summary>
    public static TheoryData<int, int, int, int, int, bool> PoolCases => new()
    {
        { 7, 5, 17, 3, 2, true },   // symmetric SAME padding, 16 lanes + 1 tail channel
        { 6, 9, 3, 4, 1, true },    // SAME: 1 row/column before, 2 after
        { 9, 8, 17, 4, 3, true },   // stride 3: rows padded 0 before / 1 after, columns 1 / 1
        { 10, 7, 48, 5, 3, true },  // three full registers
        { 8, 11, 16, 2, 3, true },  // stride wider than the window: some inputs feed no output
        { 5, 5, 1, 5, 1, true },    // window as large as the image
        { 9, 7, 17, 3, 2, false },  // VALID
        { 10, 7, 3, 4, 3, false },  // VALID, stride 3, the last rows/columns unused
        { 6, 6, 32, 2, 2, false },
    };

    /// <summary>TensorFlow's output size and leading padding for one axis.</summary>
    private static (int Out, int PadBefore) Axis(int input, int window, int stride, bool same)
    {
        if (!same) return ((input - window) / stride + 1, 0);
        var output = (input + stride - 1) / stride;
        return (output, Math.Max((output - 1) * stride + window - input, 0) / 2);
    }

    private static PoolShape Shape(int h, int w, int c, int size, int stride, bool same)
    {
        var (outHeight, padTop) = Axis(h, size, stride, same);
        var (outWidth, padLeft) = Axis(w, size, stride, same);
        return new PoolShape(h, w, c, outHeight, outWidth, size, stride, padTop, padLeft);
    }

    private static float[] RandomValues(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (u, v) => (double)u * v).Sum();

    private static double[] Reference(float[] x, PoolShape s, bool same) =>
        new ReferenceNet.AvgPool(s.Size, s.Stride, same).Forward(x.Select(v => (double)v).ToArray(), new(s.InHeight, s.InWidth, s.Channels), default);

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Avg_pool_forward_matches_the_reference(int h, int w, int c, int size, int stride, bool same)
    {
        var s = Shape(h, w, c, size, stride, same);
        var x = RandomValues(s.InputLength, 1);
        var y = new float[s.OutputLength];
        AvgPool.Forward(x, y, s);
        var expected = Reference(x, s, same);
        expected.Length.ShouldBe(y.Length);
        // A float mean of at most 25 values in [-1, 1]: error ~1e-7.
        for (var i = 0; i < y.Length; i++) ((double)y[i]).ShouldBe(expected[i], 1e-6, $"output {i}");
    }

    [Fact]
    public void Avg_pool_same_padding_divides_a_corner_by_its_four_pixels_not_nine()
    {
        var s = Shape(3, 3, 1, 3, 1, same: true);
        s.ShouldBe(new PoolShape(3, 3, 1, 3, 3, 3, 1, 1, 1));
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var y = new float[9];
        AvgPool.Forward(x, y, s);
        // Corners: (1+2+4+5)/4; edges: six pixels; centre: all nine.
        y.ShouldBe([3f, 3.5f, 4f, 4.5f, 5f, 5.5f, 6f, 6.5f, 7f]);

        var dx = new float[9];
        AvgPool.Backward([8f, 0, 0, 0, 0, 0, 0, 0, 0], dx, s);
        dx.ShouldBe([2f, 2f, 0, 2f, 2f, 0, 0, 0, 0]);
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Avg_pool_backward_is_the_adjoint_of_forward(int h, int w, int c, int size, int stride, bool same)
    {
        // Forward is linear, so <Forward(x), g> = <x, Backward(g)> for every x and g.
        var s = Shape(h, w, c, size, stride, same);
        var x = RandomValues(s.InputLength, 2);
        var g = RandomValues(s.OutputLength, 3);
        var y = new float[s.OutputLength];
        AvgPool.Forward(x, y, s);
        var dx = Enumerable.Repeat(float.NaN, s.InputLength).ToArray(); // overwritten, not accumulated
        AvgPool.Backward(g, dx, s);
        var left = Dot(y, g);
        var right = Dot(x, dx);
        var magnitude = y.Zip(g, (u, v) => Math.Abs((double)u * v)).Sum();
        right.ShouldBe(left, 1e-5 * (1 + magnitude));
    }

    [Theory]
    [InlineData(5, 4, 17, 3, 2, true)]
    [InlineData(6, 5, 3, 4, 3, true)]
    [InlineData(7, 6, 2, 3, 2, false)]
    public void Avg_pool_backward_matches_finite_differences_of_the_reference(int h, int w, int c, int size, int stride, bool same)
    {
        // L(x) = <Reference(x), g> in double; its central difference in x[k] against the kernel's input gradient.
        var s = Shape(h, w, c, size, stride, same);
        var x = RandomValues(s.InputLength, 4).Select(v => (double)v).ToArray();
        var g = RandomValues(s.OutputLength, 5);
        var dx = new float[s.InputLength];
        AvgPool.Backward(g, dx, s);
        var layer = new ReferenceNet.AvgPool(size, stride, same);
        var shape = new ReferenceNet.Shape(h, w, c);
        double Loss() => layer.Forward(x, shape, default).Zip(g, (u, v) => u * v).Sum();
        const double step = 1e-3; // L is linear: the difference is exact up to double rounding
        for (var k = 0; k < x.Length; k++)
        {
            var saved = x[k];
            x[k] = saved + step;
            var plus = Loss();
            x[k] = saved - step;
            var minus = Loss();
            x[k] = saved;
            ((double)dx[k]).ShouldBe((plus - minus) / (2 * step), 1e-6, $"input {k}");
        }
    }

    [Fact]
    public void Avg_pool_rejects_buffers_that_do_not_match_the_shape()
    {
        var s = Shape(4, 4, 2, 2, 2, same: true);
        Should.Throw<ArgumentException>(() => AvgPool.Forward(new float[32], new float[7], s));
        Should.Throw<ArgumentException>(() => AvgPool.Forward(new float[31], new float[8], s));
        Should.Throw<ArgumentException>(() => AvgPool.Backward(new float[8], new float[33], s));
        Should.Throw<ArgumentException>(() => AvgPool.Backward(new float[9], new float[32], s));
    }
}
