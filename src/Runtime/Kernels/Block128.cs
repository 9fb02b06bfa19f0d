using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace StaticConvNet.Kernels;

/// <summary>Sixteen floats in four 128-bit registers: ARM64's NEON, WebAssembly's SIMD, x64 without AVX2.</summary>
public readonly struct Block128 : IChannelBlock<Block128>
{
    private readonly Vector128<float> _a, _b, _c, _d;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Block128(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) => (_a, _b, _c, _d) = (a, b, c, d);

    public static bool IsAccelerated { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector128.IsHardwareAccelerated; }

    /// <summary>ARM64's 32 q registers: six blocks (24) beside an operand block (4) and a broadcast. x64's 16 xmm:
    /// two (8), leaving room for a product on the way to its add where there is no fused multiply-add.</summary>
    public static int Accumulators { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => AdvSimd.Arm64.IsSupported ? 6 : 2; }

    public static Block128 Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => default; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 Load(ref readonly float source)
        => new(Vector128.LoadUnsafe(in source), Vector128.LoadUnsafe(in source, 4), Vector128.LoadUnsafe(in source, 8), Vector128.LoadUnsafe(in source, 12));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 Load(ref readonly float source, nuint offset)
        => new(Vector128.LoadUnsafe(in source, offset), Vector128.LoadUnsafe(in source, offset + 4), Vector128.LoadUnsafe(in source, offset + 8),
            Vector128.LoadUnsafe(in source, offset + 12));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 Broadcast(float value)
    {
        var v = Vector128.Create(value);
        return new(v, v, v, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 LoadBroadcast(ref readonly float source)
    {
        var v = Vector128.Create(source);
        return new(v, v, v, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 MultiplyAdd(Block128 left, Block128 right, Block128 addend)
        => Simd.Has128BitFusedMultiplyAdd
            ? new(Vector128.MultiplyAddEstimate(left._a, right._a, addend._a), Vector128.MultiplyAddEstimate(left._b, right._b, addend._b),
                Vector128.MultiplyAddEstimate(left._c, right._c, addend._c), Vector128.MultiplyAddEstimate(left._d, right._d, addend._d))
            : new(left._a * right._a + addend._a, left._b * right._b + addend._b, left._c * right._c + addend._c, left._d * right._d + addend._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 Max(Block128 left, Block128 right)
        => new(Vector128.Max(left._a, right._a), Vector128.Max(left._b, right._b), Vector128.Max(left._c, right._c), Vector128.Max(left._d, right._d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 Equals(Block128 left, Block128 right) => new(Vector128.Equals(left._a, right._a), Vector128.Equals(left._b, right._b), Vector128.Equals(left._c, right._c), Vector128.Equals(left._d, right._d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 GreaterThan(Block128 left, Block128 right) => new(Vector128.GreaterThan(left._a, right._a), Vector128.GreaterThan(left._b, right._b), Vector128.GreaterThan(left._c, right._c), Vector128.GreaterThan(left._d, right._d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 AndNot(Block128 left, Block128 right) => new(Vector128.AndNot(left._a, right._a), Vector128.AndNot(left._b, right._b), Vector128.AndNot(left._c, right._c), Vector128.AndNot(left._d, right._d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator &(Block128 left, Block128 right) => new(left._a & right._a, left._b & right._b, left._c & right._c, left._d & right._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator |(Block128 left, Block128 right) => new(left._a | right._a, left._b | right._b, left._c | right._c, left._d | right._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator +(Block128 left, Block128 right) => new(left._a + right._a, left._b + right._b, left._c + right._c, left._d + right._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator -(Block128 left, Block128 right) => new(left._a - right._a, left._b - right._b, left._c - right._c, left._d - right._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator *(Block128 left, Block128 right) => new(left._a * right._a, left._b * right._b, left._c * right._c, left._d * right._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator -(Block128 value) => new(-value._a, -value._b, -value._c, -value._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator /(Block128 left, float right) => new(left._a / right, left._b / right, left._c / right, left._d / right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 operator /(Block128 left, Block128 right) => new(left._a / right._a, left._b / right._b, left._c / right._c, left._d / right._d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block128 Sqrt(Block128 value) => new(Vector128.Sqrt(value._a), Vector128.Sqrt(value._b), Vector128.Sqrt(value._c), Vector128.Sqrt(value._d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target)
    {
        _a.StoreUnsafe(ref target);
        _b.StoreUnsafe(ref target, 4);
        _c.StoreUnsafe(ref target, 8);
        _d.StoreUnsafe(ref target, 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target, nuint offset)
    {
        _a.StoreUnsafe(ref target, offset);
        _b.StoreUnsafe(ref target, offset + 4);
        _c.StoreUnsafe(ref target, offset + 8);
        _d.StoreUnsafe(ref target, offset + 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector128.Sum((_a + _b) + (_c + _d));

    /// <summary>As sixteen 4 × 4 tiles, each in four registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ref readonly float source, nuint sourceStride, ref float target, nuint targetStride)
    {
        for (nuint row = 0; row < 16; row += 4)
        {
            for (nuint column = 0; column < 16; column += 4)
                TransposeFour(in Unsafe.Add(ref Unsafe.AsRef(in source), row * sourceStride + column), sourceStride, ref Unsafe.Add(ref target, column * targetStride + row), targetStride);
        }
    }

    /// <summary>A 4 × 4 tile through two butterfly stages, swapping the off-diagonal 2 × 2, then 1 × 1 blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeFour(ref readonly float source, nuint sourceStride, ref float target, nuint targetStride)
    {
        Vector128<float> r0 = Vector128.LoadUnsafe(in source), r1 = Vector128.LoadUnsafe(in source, sourceStride),
            r2 = Vector128.LoadUnsafe(in source, 2 * sourceStride), r3 = Vector128.LoadUnsafe(in source, 3 * sourceStride);

        var across2 = Vector128.Create(2, 3, 0, 1);
        var upper2 = Vector128.Create(0, 0, -1, -1).AsSingle();
        Exchange(ref r0, ref r2, across2, upper2); Exchange(ref r1, ref r3, across2, upper2);

        var across1 = Vector128.Create(1, 0, 3, 2);
        var upper1 = Vector128.Create(0, -1, 0, -1).AsSingle();
        Exchange(ref r0, ref r1, across1, upper1); Exchange(ref r2, ref r3, across1, upper1);

        r0.StoreUnsafe(ref target); r1.StoreUnsafe(ref target, targetStride);
        r2.StoreUnsafe(ref target, 2 * targetStride); r3.StoreUnsafe(ref target, 3 * targetStride);
    }

    /// <summary>One butterfly: the lanes set in <paramref name="upper"/> of <paramref name="low"/> trade places with the
    /// lanes clear in it of <paramref name="high"/> (<paramref name="across"/> maps each lane to its partner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange(ref Vector128<float> low, ref Vector128<float> high, Vector128<int> across, Vector128<float> upper)
    {
        var (a, b) = (low, high);
        low = Vector128.ConditionalSelect(upper, Vector128.Shuffle(b, across), a);
        high = Vector128.ConditionalSelect(upper, b, Vector128.Shuffle(a, across));
    }
}
