using System.Numerics.Tensors;
using Shouldly;
using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;
using Xunit;

namespace StaticConvNet.Tests.Runtime;

/// <summary><see cref="Arithmetic"/> and <see cref="Relu.Forward"/> give TensorPrimitives' bits, which the kernels got
/// before they moved off it (and the networks' results with them): at lengths that leave every tail (block of 16,
/// vector, scalar), with zeros of both signs, infinities, NaN and subnormals among the values. The narrow-tier runs of
/// the suite check the AVX2 and 128-bit blocks the same way.</summary>
public sealed class Test_Arithmetic
{
    public static TheoryData<int> Lengths => [1, 3, 15, 16, 17, 33, 250, 1001];

    [Theory, MemberData(nameof(Lengths))]
    public void Binary_operations_match_TensorPrimitives(int length)
    {
        var (x, y) = (Values(length, 1), Values(length, 2));
        Same(d => Arithmetic.Multiply(x, y, d), d => TensorPrimitives.Multiply(x, y, d), length);
        Same(d => Arithmetic.Divide(x, y, d), d => TensorPrimitives.Divide(x, y, d), length);
        Same(d => Arithmetic.Divide(x, 49f, d), d => TensorPrimitives.Divide(x, 49f, d), length);
        Same(d => Arithmetic.Scale(x, -0.3f, d), d => TensorPrimitives.Multiply(x, -0.3f, d), length);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Multiply_adds_round_the_product_first_as_TensorPrimitives_does(int length)
    {
        var (x, y, z) = (Values(length, 3), Values(length, 4), Values(length, 5));
        Same(d => Arithmetic.MultiplyAdd(x, y, z, d), d => TensorPrimitives.MultiplyAdd(x, y, z, d), length);
        Same(d => Arithmetic.Affine(x, 0.0001f, 2f, d), d =>
        {
            TensorPrimitives.Multiply(x, 0.0001f, d);
            TensorPrimitives.Add(d, 2f, d);
        }, length);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Square_roots_reciprocals_and_relu_match_TensorPrimitives(int length)
    {
        var x = Values(length, 6);
        Same(d => Arithmetic.Sqrt(x, d), d => TensorPrimitives.Sqrt(x, d), length);
        Same(d => Arithmetic.Reciprocal(x, d), d => TensorPrimitives.Reciprocal(x, d), length);
        Same(d => Relu.Forward(x, d), d => TensorPrimitives.Max(x, 0f, d), length);
    }

    [Fact]
    public void The_output_may_be_an_input()
    {
        var x = Values(37, 7);
        var expected = new float[37];
        TensorPrimitives.MultiplyAdd(x, x, x, expected);
        Arithmetic.MultiplyAdd(x, x, x, x);
        FloatBits.Of(x).ShouldBe(FloatBits.Of(expected));
    }

    private static void Same(Action<float[]> ours, Action<float[]> theirs, int length)
    {
        var (mine, reference) = (new float[length], new float[length]);
        ours(mine);
        theirs(reference);
        FloatBits.Of(mine).ShouldBe(FloatBits.Of(reference));
    }


    /// <summary>Ordinary values of mixed signs and sizes, with the awkward ones spread through (so that they land in
    /// full blocks and in the tails).</summary>
    private static float[] Values(int length, int seed)
    {
        float[] awkward = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-40f, -1e-40f, float.MaxValue];
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
            values[i] = i % 11 == 5 ? awkward[(i / 11 + seed) % awkward.Length] : (random.NextSingle() - 0.4f) * MathF.Pow(10, random.Next(-3, 4));
        return values;
    }
}
