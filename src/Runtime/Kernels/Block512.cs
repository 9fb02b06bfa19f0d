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
    public void Store(ref float target) => _v.StoreUnsafe(ref target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float target, nuint offset) => _v.StoreUnsafe(ref target, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector512.Sum(_v);
}
