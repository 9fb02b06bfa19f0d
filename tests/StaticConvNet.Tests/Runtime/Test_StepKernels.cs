using System.Numerics.Tensors;
using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

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
        FloatBits.Of(actual).ShouldBe(FloatBits.Of(expected));
        var inPlace = (float[])y.Clone();
        Axpy.Apply(a, x, inPlace, inPlace);
        FloatBits.Of(inPlace).ShouldBe(FloatBits.Of(expected));

        TensorPrimitives.Add(x, y, expected);
        Sum.Add(x, y, actual);
        FloatBits.Of(actual).ShouldBe(FloatBits.Of(expected));
        Sum.AddInto(y, x);
        FloatBits.Of(y).ShouldBe(FloatBits.Of(expected));
    }

    [Fact]
    public void Axpy_rounds_the_product_before_the_sum_in_the_vector_loop_and_the_tail()
    {
        // 1 + 2^-12 squared is 1 + 2^-11 + 2^-24; rounded to a float it is 1 + 2^-11, and minus that it is 0. A fused
        // multiply-add would keep the 2^-24 and give it. 33 values: two blocks of 16 and a tail of one.
        var x = 1f + MathF.Pow(2, -12);
        var result = new float[33];
        Axpy.Apply(x, Enumerable.Repeat(x, 33).ToArray(), Enumerable.Repeat(-(1f + MathF.Pow(2, -11)), 33).ToArray(), result);
        FloatBits.Of(result).ShouldAllBe(b => b == 0);
    }

}
