using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Sixteen floats in two AVX2 registers, channels 0–7 and 8–15.</summary>
public readonly struct Block256 : IChannelBlock<Block256>
{
    private readonly Vector256<float> _low, _high;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Block256(Vector256<float> low, Vector256<float> high) => (_low, _high) = (low, high);

    public static bool IsAccelerated { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256.IsHardwareAccelerated; }

    /// <summary>Sixteen ymm registers: six blocks (12) beside an operand block (2) and a broadcast (1).</summary>
    public static int Accumulators { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => 6; }

    public static Block256 Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => default; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 Load(ref readonly float source) => new(Vector256.LoadUnsafe(in source), Vector256.LoadUnsafe(in source, 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 Load(ref readonly float source, nuint offset) => new(Vector256.LoadUnsafe(in source, offset), Vector256.LoadUnsafe(in source, offset + 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 Broadcast(float value)
    {
        var v = Vector256.Create(value);
        return new(v, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 LoadBroadcast(ref readonly float source)
    {
        var v = Vector256.Create(source);
        return new(v, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 MultiplyAdd(Block256 left, Block256 right, Block256 addend)
        => new(Vector256.MultiplyAddEstimate(left._low, right._low, addend._low), Vector256.MultiplyAddEstimate(left._high, right._high, addend._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 Max(Block256 left, Block256 right) => new(Vector256.Max(left._low, right._low), Vector256.Max(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 Equals(Block256 left, Block256 right) => new(Vector256.Equals(left._low, right._low), Vector256.Equals(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 GreaterThan(Block256 left, Block256 right) => new(Vector256.GreaterThan(left._low, right._low), Vector256.GreaterThan(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 AndNot(Block256 left, Block256 right) => new(Vector256.AndNot(left._low, right._low), Vector256.AndNot(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator &(Block256 left, Block256 right) => new(left._low & right._low, left._high & right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator |(Block256 left, Block256 right) => new(left._low | right._low, left._high | right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator +(Block256 left, Block256 right) => new(left._low + right._low, left._high + right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator -(Block256 left, Block256 right) => new(left._low - right._low, left._high - right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator *(Block256 left, Block256 right) => new(left._low * right._low, left._high * right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator -(Block256 value) => new(-value._low, -value._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator /(Block256 left, float right) => new(left._low / right, left._high / right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 operator /(Block256 left, Block256 right) => new(left._low / right._low, left._high / right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block256 Sqrt(Block256 value) => new(Vector256.Sqrt(value._low), Vector256.Sqrt(value._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target)
    {
        _low.StoreUnsafe(ref target);
        _high.StoreUnsafe(ref target, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target, nuint offset)
    {
        _low.StoreUnsafe(ref target, offset);
        _high.StoreUnsafe(ref target, offset + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector256.Sum(_low + _high);

    /// <summary>As four 8 × 8 tiles, each in eight of the sixteen ymm registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ref readonly float source, nuint sourceStride, ref float target, nuint targetStride)
    {
        for (nuint row = 0; row < 16; row += 8)
        {
            for (nuint column = 0; column < 16; column += 8)
                TransposeEight(in Unsafe.Add(ref Unsafe.AsRef(in source), row * sourceStride + column), sourceStride, ref Unsafe.Add(ref target, column * targetStride + row), targetStride);
        }
    }

    /// <summary>An 8 × 8 tile through three butterfly stages, each swapping the off-diagonal 4 × 4, 2 × 2 and 1 × 1
    /// blocks between the rows that far apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeEight(ref readonly float source, nuint sourceStride, ref float target, nuint targetStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(in source), r1 = Vector256.LoadUnsafe(in source, sourceStride),
            r2 = Vector256.LoadUnsafe(in source, 2 * sourceStride), r3 = Vector256.LoadUnsafe(in source, 3 * sourceStride),
            r4 = Vector256.LoadUnsafe(in source, 4 * sourceStride), r5 = Vector256.LoadUnsafe(in source, 5 * sourceStride),
            r6 = Vector256.LoadUnsafe(in source, 6 * sourceStride), r7 = Vector256.LoadUnsafe(in source, 7 * sourceStride);

        var across4 = Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3);
        var upper4 = Vector256.Create(0, 0, 0, 0, -1, -1, -1, -1).AsSingle();
        Exchange(ref r0, ref r4, across4, upper4); Exchange(ref r1, ref r5, across4, upper4);
        Exchange(ref r2, ref r6, across4, upper4); Exchange(ref r3, ref r7, across4, upper4);

        var across2 = Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5);
        var upper2 = Vector256.Create(0, 0, -1, -1, 0, 0, -1, -1).AsSingle();
        Exchange(ref r0, ref r2, across2, upper2); Exchange(ref r1, ref r3, across2, upper2);
        Exchange(ref r4, ref r6, across2, upper2); Exchange(ref r5, ref r7, across2, upper2);

        var across1 = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
        var upper1 = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
        Exchange(ref r0, ref r1, across1, upper1); Exchange(ref r2, ref r3, across1, upper1);
        Exchange(ref r4, ref r5, across1, upper1); Exchange(ref r6, ref r7, across1, upper1);

        r0.StoreUnsafe(ref target); r1.StoreUnsafe(ref target, targetStride);
        r2.StoreUnsafe(ref target, 2 * targetStride); r3.StoreUnsafe(ref target, 3 * targetStride);
        r4.StoreUnsafe(ref target, 4 * targetStride); r5.StoreUnsafe(ref target, 5 * targetStride);
        r6.StoreUnsafe(ref target, 6 * targetStride); r7.StoreUnsafe(ref target, 7 * targetStride);
    }

    /// <summary>One butterfly: the lanes set in <paramref name="upper"/> of <paramref name="low"/> trade places with the
    /// lanes clear in it of <paramref name="high"/> (<paramref name="across"/> maps each lane to its partner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange(ref Vector256<float> low, ref Vector256<float> high, Vector256<int> across, Vector256<float> upper)
    {
        var (a, b) = (low, high);
        low = Vector256.ConditionalSelect(upper, Vector256.Shuffle(b, across), a);
        high = Vector256.ConditionalSelect(upper, b, Vector256.Shuffle(a, across));
    }
}
