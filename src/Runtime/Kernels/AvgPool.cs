using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Average pooling per channel with <c>tf.nn.avg_pool</c> semantics: each output is the mean of the window's
/// inputs that lie inside the image, so under SAME padding a border window divides by its in-image taps, not by
/// Size²; VALID windows are always full. Every window is summed in scan order (rows, then columns) and divided once,
/// in the vector lanes and the scalar tail alike, so both give the same bits. Channels are processed a register (16)
/// at a time where they fit.</summary>
public static class AvgPool
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
                float count = (y1 - y0) * (x1 - x0);
                var outBase = (oy * s.OutWidth + ox) * s.Channels;
                for (var c = 0; c < vectorChannels; c += Lanes)
                {
                    var sum = Vector512<float>.Zero;
                    for (var iy = y0; iy < y1; iy++)
                        for (var ix = x0; ix < x1; ix++)
                            sum += Vector512.LoadUnsafe(ref x, (nuint)((iy * s.InWidth + ix) * s.Channels + c));
                    (sum / count).StoreUnsafe(ref y, (nuint)(outBase + c));
                }
                for (var c = vectorChannels; c < s.Channels; c++)
                {
                    var sum = 0f;
                    for (var iy = y0; iy < y1; iy++)
                        for (var ix = x0; ix < x1; ix++)
                            sum += Unsafe.Add(ref x, (iy * s.InWidth + ix) * s.Channels + c);
                    Unsafe.Add(ref y, outBase + c) = sum / count;
                }
            }
        }
    }

    /// <summary>Each window's gradient, divided by its tap count, spread evenly over the inputs it averaged.
    /// Overwrites <paramref name="inputGradient"/>. Needs neither the input nor the output.</summary>
    public static void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in PoolShape s)
    {
        if (outputGradient.Length != s.OutputLength || inputGradient.Length != s.InputLength)
            throw new ArgumentException($"AvgPool gradients ({outputGradient.Length}, {inputGradient.Length}) do not match shape {s}.");
        inputGradient.Clear();
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        ref var dx = ref MemoryMarshal.GetReference(inputGradient);
        var vectorChannels = Vector512.IsHardwareAccelerated ? s.Channels / Lanes * Lanes : 0;
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            var (y0, y1) = s.Rows(oy);
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                var (x0, x1) = s.Columns(ox);
                float count = (y1 - y0) * (x1 - x0);
                var outBase = (oy * s.OutWidth + ox) * s.Channels;
                for (var c = 0; c < vectorChannels; c += Lanes)
                {
                    var share = Vector512.LoadUnsafe(ref g, (nuint)(outBase + c)) / count;
                    for (var iy = y0; iy < y1; iy++)
                    {
                        for (var ix = x0; ix < x1; ix++)
                        {
                            var index = (nuint)((iy * s.InWidth + ix) * s.Channels + c);
                            (Vector512.LoadUnsafe(ref dx, index) + share).StoreUnsafe(ref dx, index);
                        }
                    }
                }
                for (var c = vectorChannels; c < s.Channels; c++)
                {
                    var share = Unsafe.Add(ref g, outBase + c) / count;
                    for (var iy = y0; iy < y1; iy++)
                        for (var ix = x0; ix < x1; ix++)
                            Unsafe.Add(ref dx, (iy * s.InWidth + ix) * s.Channels + c) += share;
                }
            }
        }
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, in PoolShape s)
    {
        if (input.Length != s.InputLength || output.Length != s.OutputLength)
            throw new ArgumentException($"AvgPool buffers ({input.Length}, {output.Length}) do not match shape {s}.");
    }
}
