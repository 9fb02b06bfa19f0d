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
    /// <summary>Height, width, channels, window, stride, padding.</summary>
    public static TheoryData<Type> PoolCases => new()
    {
        typeof(PoolShape<N7, N5, N17, N3, N2, Same>),   // symmetric SAME padding, 16 lanes + 1 tail channel
        typeof(PoolShape<N6, N9, N3, N4, N1, Same>),    // SAME: 1 row/column before, 2 after
        typeof(PoolShape<N9, N8, N17, N4, N3, Same>),   // stride 3: rows padded 0 before / 1 after, columns 1 / 1
        typeof(PoolShape<N10, N7, N48, N5, N3, Same>),  // three full registers
        typeof(PoolShape<N8, N11, N16, N2, N3, Same>),  // stride wider than the window: some inputs feed no output
        typeof(PoolShape<N5, N5, N1, N5, N1, Same>),    // window as large as the image
        typeof(PoolShape<N9, N7, N17, N3, N2, Valid>),  // VALID
        typeof(PoolShape<N10, N7, N3, N4, N3, Valid>),  // VALID, stride 3, the last rows/columns unused
        typeof(PoolShape<N6, N6, N32, N2, N2, Valid>),
    };

    private static float[] RandomValues(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (u, v) => (double)u * v).Sum();

    /// <summary>Whether the reference should pad as SAME: where SAME gives VALID's output size it pads nothing, and
    /// the two are the same pooling.</summary>
    private static bool IsSame<T>() where T : struct, IPoolShape =>
        T.OutHeight != WindowAxis.Output(T.InHeight, T.Size, T.Stride, same: false) || T.OutWidth != WindowAxis.Output(T.InWidth, T.Size, T.Stride, same: false);

    private static double[] Reference<T>(float[] x) where T : struct, IPoolShape =>
        new ReferenceNet.AvgPool(T.Size, T.Stride, IsSame<T>()).Forward(x.Select(v => (double)v).ToArray(), new(T.InHeight, T.InWidth, T.Channels), default);

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Avg_pool_forward_matches_the_reference(Type shape) => ForShape.Run(typeof(Test_AvgPool), nameof(ForwardMatchesTheReference), shape);

    private static void ForwardMatchesTheReference<T>() where T : struct, IPoolShape
    {
        var x = RandomValues(PoolLengths<T>.InputLength, 1);
        var y = new float[PoolLengths<T>.OutputLength];
        AvgPool.Forward<T>(x, y);
        var expected = Reference<T>(x);
        expected.Length.ShouldBe(y.Length);
        // A float mean of at most 25 values in [-1, 1]: error ~1e-7.
        for (var i = 0; i < y.Length; i++) ((double)y[i]).ShouldBe(expected[i], 1e-6, $"output {i}");
    }

    [Fact]
    public void Avg_pool_same_padding_divides_a_corner_by_its_four_pixels_not_nine() => CornerDividesByItsOwnPixels<PoolShape<N3, N3, N1, N3, N1, Same>>();

    private static void CornerDividesByItsOwnPixels<T>() where T : struct, IPoolShape
    {
        (T.OutHeight, T.OutWidth, T.PadTop, T.PadLeft).ShouldBe((3, 3, 1, 1));
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var y = new float[9];
        AvgPool.Forward<T>(x, y);
        // Corners: (1+2+4+5)/4; edges: six pixels; centre: all nine.
        y.ShouldBe([3f, 3.5f, 4f, 4.5f, 5f, 5.5f, 6f, 6.5f, 7f]);

        var dx = new float[9];
        AvgPool.Backward<T>([8f, 0, 0, 0, 0, 0, 0, 0, 0], dx);
        dx.ShouldBe([2f, 2f, 0, 2f, 2f, 0, 0, 0, 0]);
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Avg_pool_backward_is_the_adjoint_of_forward(Type shape) => ForShape.Run(typeof(Test_AvgPool), nameof(BackwardIsTheAdjoint), shape);

    private static void BackwardIsTheAdjoint<T>() where T : struct, IPoolShape
    {
        // Forward is linear, so <Forward(x), g> = <x, Backward(g)> for every x and g.
        var x = RandomValues(PoolLengths<T>.InputLength, 2);
        var g = RandomValues(PoolLengths<T>.OutputLength, 3);
        var y = new float[PoolLengths<T>.OutputLength];
        AvgPool.Forward<T>(x, y);
        var dx = Enumerable.Repeat(float.NaN, PoolLengths<T>.InputLength).ToArray(); // overwritten, not accumulated
        AvgPool.Backward<T>(g, dx);
        var left = Dot(y, g);
        var right = Dot(x, dx);
        var magnitude = y.Zip(g, (u, v) => Math.Abs((double)u * v)).Sum();
        right.ShouldBe(left, 1e-5 * (1 + magnitude));
    }

    public static TheoryData<Type> FiniteDifferenceCases => new()
    {
        typeof(PoolShape<N5, N4, N17, N3, N2, Same>),
        typeof(PoolShape<N6, N5, N3, N4, N3, Same>),
        typeof(PoolShape<N7, N6, N2, N3, N2, Valid>),
    };

    [Theory]
    [MemberData(nameof(FiniteDifferenceCases))]
    public void Avg_pool_backward_matches_finite_differences_of_the_reference(Type shape) =>
        ForShape.Run(typeof(Test_AvgPool), nameof(BackwardMatchesFiniteDifferences), shape);

    private static void BackwardMatchesFiniteDifferences<T>() where T : struct, IPoolShape
    {
        // L(x) = <Reference(x), g> in double; its central difference in x[k] against the kernel's input gradient.
        var x = RandomValues(PoolLengths<T>.InputLength, 4).Select(v => (double)v).ToArray();
        var g = RandomValues(PoolLengths<T>.OutputLength, 5);
        var dx = new float[PoolLengths<T>.InputLength];
        AvgPool.Backward<T>(g, dx);
        var layer = new ReferenceNet.AvgPool(T.Size, T.Stride, IsSame<T>());
        var shape = new ReferenceNet.Shape(T.InHeight, T.InWidth, T.Channels);
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
        Should.Throw<ArgumentException>(() => AvgPool.Forward<PoolShape<N4, N4, N2, N2, N2, Same>>(new float[32], new float[7]));
        Should.Throw<ArgumentException>(() => AvgPool.Forward<PoolShape<N4, N4, N2, N2, N2, Same>>(new float[31], new float[8]));
        Should.Throw<ArgumentException>(() => AvgPool.Backward<PoolShape<N4, N4, N2, N2, N2, Same>>(new float[8], new float[33]));
        Should.Throw<ArgumentException>(() => AvgPool.Backward<PoolShape<N4, N4, N2, N2, N2, Same>>(new float[9], new float[32]));
    }
}
