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
}
