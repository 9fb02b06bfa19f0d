using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Max pooling per channel. Padding never wins (TensorFlow pads with −inf). The backward pass routes
/// each gradient to the first maximum of its window in scan order, found again from the input, so no index
/// buffer is kept between the passes. Channels are processed a register (16) at a time where they fit.</summary>
public static class MaxPool
{
    private const int Lanes = 16;

    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in PoolShape s)
    {
        Check(input, output, s);
        ref var x = ref MemoryMarshal.GetReference(input);
        ref var y = ref MemoryMarshal.GetReference(output);
        var vectorChannels = Vector512.IsHardwareAccelerated ? s.Channels / Lanes * Lanes : 0;
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            var (y0, y1) = s.Rows(oy);
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                var (x0, x1) = s.Columns(ox);
                var outBase = (oy * s.OutWidth + ox) * s.Channels;
                for (var c = 0; c < vectorChannels; c += Lanes)
                {
                    WindowMax(ref x, s, y0, y1, x0, x1, c).StoreUnsafe(ref y, (nuint)(outBase + c));
                }
                for (var c = vectorChannels; c < s.Channels; c++)
                {
                    var max = float.NegativeInfinity;
                    for (var iy = y0; iy < y1; iy++)
                        for (var ix = x0; ix < x1; ix++)
                            max = MathF.Max(max, Unsafe.Add(ref x, (iy * s.InWidth + ix) * s.Channels + c));
                    Unsafe.Add(ref y, outBase + c) = max;
                }
            }
        }
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in PoolShape s)
    {
        Check(input, outputGradient, s);
        if (inputGradient.Length != s.InputLength) throw new ArgumentException("MaxPool input gradient does not match the shape.");
        inputGradient.Clear();
        ref var x = ref MemoryMarshal.GetReference(input);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        ref var dx = ref MemoryMarshal.GetReference(inputGradient);
        var vectorChannels = Vector512.IsHardwareAccelerated ? s.Channels / Lanes * Lanes : 0;
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            var (y0, y1) = s.Rows(oy);
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                var (x0, x1) = s.Columns(ox);
                var outBase = (oy * s.OutWidth + ox) * s.Channels;
                for (var c = 0; c < vectorChannels; c += Lanes)
                {
                    var max = WindowMax(ref x, s, y0, y1, x0, x1, c);
                    var gradient = Vector512.LoadUnsafe(ref g, (nuint)(outBase + c));
                    var taken = Vector512<float>.Zero; // lanes whose first maximum was already found
                    for (var iy = y0; iy < y1; iy++)
                    {
                        for (var ix = x0; ix < x1; ix++)
                        {
                            var index = (nuint)((iy * s.InWidth + ix) * s.Channels + c);
                            var first = Vector512.AndNot(Vector512.Equals(Vector512.LoadUnsafe(ref x, index), max), taken);
                            (Vector512.LoadUnsafe(ref dx, index) + (gradient & first)).StoreUnsafe(ref dx, index);
                            taken |= first;
                        }
                    }
                }
                for (var c = vectorChannels; c < s.Channels; c++)
                {
                    var best = -1;
                    for (var iy = y0; iy < y1; iy++)
                    {
                        for (var ix = x0; ix < x1; ix++)
                        {
                            var index = (iy * s.InWidth + ix) * s.Channels + c;
                            if (best < 0 || Unsafe.Add(ref x, index) > Unsafe.Add(ref x, best)) best = index;
                        }
                    }
                    Unsafe.Add(ref dx, best) += Unsafe.Add(ref g, outBase + c);
                }
            }
        }
    }

    /// <summary>The maximum of a window for 16 channels from <paramref name="c"/>, as both passes need it.</summary>
    private static Vector512<float> WindowMax(ref float x, in PoolShape s, int y0, int y1, int x0, int x1, int c)
    {
        var max = Vector512.Create(float.NegativeInfinity);
        for (var iy = y0; iy < y1; iy++)
            for (var ix = x0; ix < x1; ix++)
                max = Vector512.Max(max, Vector512.LoadUnsafe(ref x, (nuint)((iy * s.InWidth + ix) * s.Channels + c)));
        return max;
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, in PoolShape s)
    {
        if (input.Length != s.InputLength || output.Length != s.OutputLength)
            throw new ArgumentException($"MaxPool buffers ({input.Length}, {output.Length}) do not match shape {s}.");
    }
}
