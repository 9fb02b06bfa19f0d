using System.Runtime.CompilerServices;

namespace StaticConvNet.Kernels;

/// <summary>Arithmetic on whole buffers, element by element, for the kernels that are a chain of such steps (local
/// response normalisation, dropout's masks, BatchNorm's per-channel maps, global average pooling): <see cref="Elementwise"/>'s loop, compiled optimised at its first
/// call. They called <c>TensorPrimitives</c>, whose generic loops the runtime compiles for each operation at tier 0 and
/// again, once hot, on a background thread in the middle of a training run: in a console app, arch4's run compiled them
/// for 50–60 ms after its first steps, every compile taking one of the two cores from a step that the other then waited
/// for. Every operation here is correctly rounded per element (a product, a quotient, a square root; a multiply-add is
/// a rounded product then a rounded sum, as <c>TensorPrimitives.MultiplyAdd</c>'s), so the results are the same bits.
/// The callers check the buffers' lengths.</summary>
public static class Arithmetic
{
    /// <summary>destination = x · y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => Elementwise.Map(new Product(), x, y, destination);

    /// <summary>destination = x / y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Divide(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => Elementwise.Map(new Quotient(), x, y, destination);

    /// <summary>destination = x · y + z, the product rounded before the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination)
        => Elementwise.Map(new ProductPlus(), x, y, z, destination);

    /// <summary>destination = x / divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Divide(ReadOnlySpan<float> x, float divisor, Span<float> destination) => Elementwise.Map(new DividedBy(divisor), x, destination);

    /// <summary>destination = x · a + b, the product rounded before the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine(ReadOnlySpan<float> x, float a, float b, Span<float> destination) => Elementwise.Map(new AffineMap(a, b), x, destination);

    /// <summary>destination = x · a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(ReadOnlySpan<float> x, float a, Span<float> destination) => Elementwise.Map(new Scaled(a), x, destination);

    /// <summary>destination = √x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> destination) => Elementwise.Map(new SquareRoot(), x, destination);

    /// <summary>destination = 1 / x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reciprocal(ReadOnlySpan<float> x, Span<float> destination) => Elementwise.Map(new OneOver(), x, destination);

    private readonly struct Product : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x, TBlock y) where TBlock : unmanaged, IChannelBlock<TBlock> => x * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x, float y) => x * y;
    }

    private readonly struct Quotient : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x, TBlock y) where TBlock : unmanaged, IChannelBlock<TBlock> => x / y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x, float y) => x / y;
    }

    private readonly struct ProductPlus : IElementwiseTernary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x, TBlock y, TBlock z) where TBlock : unmanaged, IChannelBlock<TBlock> => x * y + z;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x, float y, float z) => x * y + z;
    }

    private readonly struct DividedBy(float divisor) : IElementwiseUnary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x) where TBlock : unmanaged, IChannelBlock<TBlock> => x / divisor;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x) => x / divisor;
    }

    private readonly struct AffineMap(float a, float b) : IElementwiseUnary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x) where TBlock : unmanaged, IChannelBlock<TBlock> => x * TBlock.Broadcast(a) + TBlock.Broadcast(b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x) => x * a + b;
    }

    private readonly struct Scaled(float a) : IElementwiseUnary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x) where TBlock : unmanaged, IChannelBlock<TBlock> => x * TBlock.Broadcast(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x) => x * a;
    }

    private readonly struct SquareRoot : IElementwiseUnary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x) where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Sqrt(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x) => MathF.Sqrt(x);
    }

    private readonly struct OneOver : IElementwiseUnary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock Apply<TBlock>(TBlock x) where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Broadcast(1f) / x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float x) => 1f / x;
    }
}
