using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace StaticConvNet.Kernels;

/// <summary>Short-row SIMD helpers for the convolution and dense inner loops, where rows are one or two
/// registers long (16 channels) and a library call per row would cost more than the arithmetic. Rows of any length:
/// the widest vectors first, then narrower ones, then scalars; multiply-adds fused where the hardware fuses.
/// Whole-buffer element-wise work uses <see cref="Elementwise"/> (every step) or <c>TensorPrimitives</c> instead.</summary>
internal static class Simd
{
    /// <summary>Whether 128-bit vectors have a fused multiply-add (ARM64, x64 with FMA). Where they have none
    /// (WebAssembly, x64 without FMA) <c>Vector128.MultiplyAddEstimate</c> is a multiply then an add, and the 128-bit
    /// paths write it so: Mono's interpreter, which runs .NET in the browser without ahead-of-time compilation, does not
    /// treat MultiplyAddEstimate as an intrinsic and runs its element-by-element fallback. The same arithmetic either
    /// way; the JIT folds this test to a constant.</summary>
    public static bool Has128BitFusedMultiplyAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => AdvSimd.IsSupported || System.Runtime.Intrinsics.X86.Fma.IsSupported;
    }

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
                var sum = Vector256.MultiplyAddEstimate(xs, Vector256.LoadUnsafe(ref row, (nuint)i), Vector256.LoadUnsafe(ref acc, (nuint)i));
                sum.StoreUnsafe(ref acc, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var xs = Vector128.Create(x);
            for (; i <= length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var sum = Has128BitFusedMultiplyAdd
                    ? Vector128.MultiplyAddEstimate(xs, Vector128.LoadUnsafe(ref row, (nuint)i), Vector128.LoadUnsafe(ref acc, (nuint)i))
                    : xs * Vector128.LoadUnsafe(ref row, (nuint)i) + Vector128.LoadUnsafe(ref acc, (nuint)i);
                sum.StoreUnsafe(ref acc, (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            Unsafe.Add(ref acc, i) = float.MultiplyAddEstimate(x, Unsafe.Add(ref row, i), Unsafe.Add(ref acc, i));
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
                sum = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), sum);
            }
            total += Vector256.Sum(sum);
        }
        if (Vector128.IsHardwareAccelerated && length - i >= Vector128<float>.Count)
        {
            var sum = Vector128<float>.Zero;
            for (; i <= length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                sum = Has128BitFusedMultiplyAdd
                    ? Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)i), Vector128.LoadUnsafe(ref b, (nuint)i), sum)
                    : Vector128.LoadUnsafe(ref a, (nuint)i) * Vector128.LoadUnsafe(ref b, (nuint)i) + sum;
            }
            total += Vector128.Sum(sum);
        }
        for (; i < length; i++)
        {
            total = float.MultiplyAddEstimate(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), total);
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(Span<float> span, int index) => ref Unsafe.Add(ref MemoryMarshal.GetReference(span), index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(ReadOnlySpan<float> span, int index) => ref Unsafe.Add(ref MemoryMarshal.GetReference(span), index);
}
