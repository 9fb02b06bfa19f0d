using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Short-row SIMD helpers for the convolution and dense inner loops, where rows are one or two
/// registers long (16 channels) and a library call per row would cost more than the arithmetic.
/// Whole-buffer element-wise work uses <c>TensorPrimitives</c> instead.</summary>
internal static class Simd
{
    /// <summary>acc[i] += x · row[i] for i &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(ref float acc, ref float row, float x, int length)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var xs = Vector512.Create(x);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var sum = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref row, (nuint)i), Vector512.LoadUnsafe(ref acc, (nuint)i));
                sum.StoreUnsafe(ref acc, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var xs = Vector256.Create(x);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var sum = Vector256.FusedMultiplyAdd(xs, Vector256.LoadUnsafe(ref row, (nuint)i), Vector256.LoadUnsafe(ref acc, (nuint)i));
                sum.StoreUnsafe(ref acc, (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            Unsafe.Add(ref acc, i) = MathF.FusedMultiplyAdd(x, Unsafe.Add(ref row, i), Unsafe.Add(ref acc, i));
        }
    }

    /// <summary>Σ a[i] · b[i] for i &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int length)
    {
        var i = 0;
        var total = 0f;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            var sum = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                sum = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), sum);
            }
            total = Vector512.Sum(sum);
        }
        if (Vector256.IsHardwareAccelerated && length - i >= Vector256<float>.Count)
        {
            var sum = Vector256<float>.Zero;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                sum = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), sum);
            }
            total += Vector256.Sum(sum);
        }
        for (; i < length; i++)
        {
            total = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), total);
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(Span<float> span, int index) => ref Unsafe.Add(ref MemoryMarshal.GetReference(span), index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(ReadOnlySpan<float> span, int index) => ref Unsafe.Add(ref MemoryMarshal.GetReference(span), index);
}
