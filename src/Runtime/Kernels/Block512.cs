using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Sixteen floats in one AVX-512 register (every AVX-512 machine has a fused multiply-add).</summary>
public readonly struct Block512 : IChannelBlock<Block512>
{
    private readonly Vector512<float> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Block512(Vector512<float> v) => _v = v;

    public static bool IsAccelerated { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.IsHardwareAccelerated; }

    public static int Accumulators { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => 28; }

    public static Block512 Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => default; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 Load(ref readonly float source) => new(Vector512.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 Load(ref readonly float source, nuint offset) => new(Vector512.LoadUnsafe(in source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 Broadcast(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 LoadBroadcast(ref readonly float source) => new(Vector512.Create(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 MultiplyAdd(Block512 left, Block512 right, Block512 addend) => new(Vector512.FusedMultiplyAdd(left._v, right._v, addend._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 Max(Block512 left, Block512 right) => new(Vector512.Max(left._v, right._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 Equals(Block512 left, Block512 right) => new(Vector512.Equals(left._v, right._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 GreaterThan(Block512 left, Block512 right) => new(Vector512.GreaterThan(left._v, right._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 AndNot(Block512 left, Block512 right) => new(Vector512.AndNot(left._v, right._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator &(Block512 left, Block512 right) => new(left._v & right._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator |(Block512 left, Block512 right) => new(left._v | right._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator +(Block512 left, Block512 right) => new(left._v + right._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator -(Block512 left, Block512 right) => new(left._v - right._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator *(Block512 left, Block512 right) => new(left._v * right._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator -(Block512 value) => new(-value._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator /(Block512 left, float right) => new(left._v / right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 operator /(Block512 left, Block512 right) => new(left._v / right._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Block512 Sqrt(Block512 value) => new(Vector512.Sqrt(value._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target) => _v.StoreUnsafe(ref target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target, nuint offset) => _v.StoreUnsafe(ref target, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector512.Sum(_v);

    /// <summary>All sixteen rows in zmm registers (16 of the 32) through four butterfly stages: each swaps the
    /// off-diagonal 8 × 8, 4 × 4, 2 × 2 and 1 × 1 blocks between the rows that far apart. 64 shuffles and 64 blends
    /// for 256 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ref readonly float source, nuint sourceStride, ref float target, nuint targetStride)
    {
        Vector512<float> r0 = Vector512.LoadUnsafe(in source), r1 = Vector512.LoadUnsafe(in source, sourceStride),
            r2 = Vector512.LoadUnsafe(in source, 2 * sourceStride), r3 = Vector512.LoadUnsafe(in source, 3 * sourceStride),
            r4 = Vector512.LoadUnsafe(in source, 4 * sourceStride), r5 = Vector512.LoadUnsafe(in source, 5 * sourceStride),
            r6 = Vector512.LoadUnsafe(in source, 6 * sourceStride), r7 = Vector512.LoadUnsafe(in source, 7 * sourceStride),
            r8 = Vector512.LoadUnsafe(in source, 8 * sourceStride), r9 = Vector512.LoadUnsafe(in source, 9 * sourceStride),
            r10 = Vector512.LoadUnsafe(in source, 10 * sourceStride), r11 = Vector512.LoadUnsafe(in source, 11 * sourceStride),
            r12 = Vector512.LoadUnsafe(in source, 12 * sourceStride), r13 = Vector512.LoadUnsafe(in source, 13 * sourceStride),
            r14 = Vector512.LoadUnsafe(in source, 14 * sourceStride), r15 = Vector512.LoadUnsafe(in source, 15 * sourceStride);

        var across8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
        var upper8 = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1).AsSingle();
        Exchange(ref r0, ref r8, across8, upper8); Exchange(ref r1, ref r9, across8, upper8);
        Exchange(ref r2, ref r10, across8, upper8); Exchange(ref r3, ref r11, across8, upper8);
        Exchange(ref r4, ref r12, across8, upper8); Exchange(ref r5, ref r13, across8, upper8);
        Exchange(ref r6, ref r14, across8, upper8); Exchange(ref r7, ref r15, across8, upper8);

        var across4 = Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
        var upper4 = Vector512.Create(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, -1, -1, -1, -1).AsSingle();
        Exchange(ref r0, ref r4, across4, upper4); Exchange(ref r1, ref r5, across4, upper4);
        Exchange(ref r2, ref r6, across4, upper4); Exchange(ref r3, ref r7, across4, upper4);
        Exchange(ref r8, ref r12, across4, upper4); Exchange(ref r9, ref r13, across4, upper4);
        Exchange(ref r10, ref r14, across4, upper4); Exchange(ref r11, ref r15, across4, upper4);

        var across2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        var upper2 = Vector512.Create(0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1).AsSingle();
        Exchange(ref r0, ref r2, across2, upper2); Exchange(ref r1, ref r3, across2, upper2);
        Exchange(ref r4, ref r6, across2, upper2); Exchange(ref r5, ref r7, across2, upper2);
        Exchange(ref r8, ref r10, across2, upper2); Exchange(ref r9, ref r11, across2, upper2);
        Exchange(ref r12, ref r14, across2, upper2); Exchange(ref r13, ref r15, across2, upper2);

        var across1 = Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
        var upper1 = Vector512.Create(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
        Exchange(ref r0, ref r1, across1, upper1); Exchange(ref r2, ref r3, across1, upper1);
        Exchange(ref r4, ref r5, across1, upper1); Exchange(ref r6, ref r7, across1, upper1);
        Exchange(ref r8, ref r9, across1, upper1); Exchange(ref r10, ref r11, across1, upper1);
        Exchange(ref r12, ref r13, across1, upper1); Exchange(ref r14, ref r15, across1, upper1);

        r0.StoreUnsafe(ref target); r1.StoreUnsafe(ref target, targetStride);
        r2.StoreUnsafe(ref target, 2 * targetStride); r3.StoreUnsafe(ref target, 3 * targetStride);
        r4.StoreUnsafe(ref target, 4 * targetStride); r5.StoreUnsafe(ref target, 5 * targetStride);
        r6.StoreUnsafe(ref target, 6 * targetStride); r7.StoreUnsafe(ref target, 7 * targetStride);
        r8.StoreUnsafe(ref target, 8 * targetStride); r9.StoreUnsafe(ref target, 9 * targetStride);
        r10.StoreUnsafe(ref target, 10 * targetStride); r11.StoreUnsafe(ref target, 11 * targetStride);
        r12.StoreUnsafe(ref target, 12 * targetStride); r13.StoreUnsafe(ref target, 13 * targetStride);
        r14.StoreUnsafe(ref target, 14 * targetStride); r15.StoreUnsafe(ref target, 15 * targetStride);
    }

    /// <summary>One butterfly of <see cref="Transpose"/>: the lanes set in <paramref name="upper"/> of
    /// <paramref name="low"/> trade places with the lanes clear in it of <paramref name="high"/>
    /// (<paramref name="across"/> maps each lane to its partner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange(ref Vector512<float> low, ref Vector512<float> high, Vector512<int> across, Vector512<float> upper)
    {
        var (a, b) = (low, high);
        low = Vector512.ConditionalSelect(upper, Vector512.Shuffle(b, across), a);
        high = Vector512.ConditionalSelect(upper, b, Vector512.Shuffle(a, across));
    }
}
