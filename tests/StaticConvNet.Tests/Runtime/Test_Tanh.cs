using StaticConvNet.Kernels;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The Tanh kernel against Math.Tanh, its backward pass against the formula and against finite differences,
/// on saturated, moderate and tiny inputs with a vector tail. Comparisons use ShouldBe with a tolerance, which fails on
/// NaN.</summary>
public class Test_Tanh
{
    private static float[] RandomValues(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>Saturated, moderate and tiny inputs; 1003 values so the vector loops leave a tail.</summary>
    private static float[] TanhInputs()
    {
        var x = RandomValues(1003, 6, scale: 4f);
        float[] special = [0f, -0f, 1e-7f, -1e-7f, 0.5f, -0.5f, 9f, -9f, 20f, -20f, 88f, -88f, float.MaxValue, float.MinValue];
        special.CopyTo(x, 0);
        return x;
    }

    [Fact]
    public void Tanh_forward_matches_Math_Tanh()
    {
        var x = TanhInputs();
        var y = new float[x.Length];
        Tanh.Forward(x, y);
        // TensorPrimitives.Tanh is accurate to ~1.5e-7 absolute (not relative near 0: it returns −2⁻²⁴ for 0);
        // 3e-7 is 2.5 float spacings at 1.
        for (var i = 0; i < x.Length; i++) ((double)y[i]).ShouldBe(Math.Tanh(x[i]), 3e-7, $"tanh({x[i]:R})");
    }

    [Fact]
    public void Tanh_backward_is_the_gradient_times_one_minus_output_squared()
    {
        var x = TanhInputs();
        var y = new float[x.Length];
        Tanh.Forward(x, y);
        float[] saturated = [1f, -1f, 0f, 1f - 1f / (1 << 20), -(1f - 1f / (1 << 20)), 0.999f, -0.999f];
        saturated.CopyTo(y, 0);
        var g = RandomValues(y.Length, 7, scale: 3f);
        var dx = Enumerable.Repeat(float.NaN, y.Length).ToArray(); // overwritten, not accumulated
        Tanh.Backward(y, g, dx);
        for (var i = 0; i < y.Length; i++)
        {
            // Float y·y rounds by up to 6e-8, which 1 − y·y keeps as an absolute error: bound it relative to g.
            var expected = g[i] * (1 - (double)y[i] * y[i]);
            ((double)dx[i]).ShouldBe(expected, 1e-6 * Math.Abs(expected) + 1.5e-7 * Math.Abs(g[i]), $"y = {y[i]:R}, g = {g[i]:R}");
        }
        dx[0].ShouldBe(0f);
        dx[1].ShouldBe(0f);
        dx[2].ShouldBe(g[2]);
    }

    [Fact]
    public void Tanh_backward_is_the_derivative_of_forward()
    {
        var x = RandomValues(101, 8, scale: 3f);
        var y = new float[x.Length];
        Tanh.Forward(x, y);
        var g = Enumerable.Repeat(1f, x.Length).ToArray();
        var dx = new float[x.Length];
        Tanh.Backward(y, g, dx);
        for (var i = 0; i < x.Length; i++)
        {
            const double step = 1e-5;
            var derivative = (Math.Tanh(x[i] + step) - Math.Tanh(x[i] - step)) / (2 * step);
            ((double)dx[i]).ShouldBe(derivative, 1e-6, $"x = {x[i]}");
        }
    }

    [Fact]
    public void Tanh_rejects_buffers_that_differ_in_length_or_overlap()
    {
        Should.Throw<ArgumentException>(() => Tanh.Forward(new float[4], new float[5]));
        Should.Throw<ArgumentException>(() => Tanh.Backward(new float[4], new float[4], new float[3]));
        Should.Throw<ArgumentException>(() => Tanh.Backward(new float[4], new float[5], new float[4]));
        var shared = new float[4];
        Should.Throw<ArgumentException>(() => Tanh.Backward(new float[4], shared, shared));
        Should.Throw<ArgumentException>(() => Tanh.Backward(shared, new float[4], shared));
    }
}
