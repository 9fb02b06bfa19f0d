using System.Numerics.Tensors;
using StaticConvNet.Kernels;

namespace StaticConvNet.Tests.Runtime;

/// <summary>The whole-buffer kernels every training step runs (the shards' gradient sum, the optimizers' updates): the
/// same bits as <c>TensorPrimitives</c>' Add and MultiplyAdd, which they replaced, at lengths that are not whole
/// vectors, and in place.</summary>
public class Test_StepKernels
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(1_003)]
    public void Axpy_and_Add_give_the_bits_TensorPrimitives_gave(int length)
    {
        var random = new Random(length);
        float[] Values() => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1e3f).ToArray();
        var (x, y) = (Values(), Values());
        const float a = -0.012345679f;

        var expected = new float[length];
        TensorPrimitives.MultiplyAdd(x, a, y, expected);
        var actual = new float[length];
        Axpy.Apply(a, x, y, actual);
        actual.ShouldBe(expected);
        var inPlace = (float[])y.Clone();
        Axpy.Apply(a, x, inPlace, inPlace);
        inPlace.ShouldBe(expected);

        TensorPrimitives.Add(x, y, expected);
        Sum.Add(x, y, actual);
        actual.ShouldBe(expected);
        Sum.AddInto(y, x);
        y.ShouldBe(expected);
    }

    [Fact]
    public void Axpy_rounds_the_product_before_the_sum()
    {
        // 1 + 2^-12 squared is 1 + 2^-11 + 2^-24; rounded to a float it is 1 + 2^-11, and minus that it is 0. A fused
        // multiply-add would keep the 2^-24 and give it.
        var x = 1f + MathF.Pow(2, -12);
        var result = new float[1];
        Axpy.Apply(x, [x], [-(1f + MathF.Pow(2, -11))], result);
        result[0].ShouldBe(0f);
    }
}
