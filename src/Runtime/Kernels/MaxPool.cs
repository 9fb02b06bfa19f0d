using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Max pooling per channel. Padding never wins (TensorFlow pads with −inf). The backward pass routes
/// each gradient to the first maximum of its window in scan order, found again from the input, so no index
/// buffer is kept between the passes. The windows are walked by <see cref="PoolShape.ForEachWindow{TPass}"/>.</summary>
public static class MaxPool
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in PoolShape s)
    {
        Check(input, output, s);
        var pass = new ForwardPass(input, output, s);
        s.ForEachWindow(ref pass);
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in PoolShape s)
    {
        Check(input, outputGradient, s);
        if (inputGradient.Length != s.InputLength) throw new ArgumentException("MaxPool input gradient does not match the shape.");
        // Windows that tile the input write every input gradient exactly once; otherwise gradients are added into zeros.
        var tiles = s.Tiles;
        if (!tiles) inputGradient.Clear();
        var pass = new BackwardPass(input, outputGradient, inputGradient, s, tiles);
        s.ForEachWindow(ref pass);
    }

    private ref struct ForwardPass(ReadOnlySpan<float> input, Span<float> output, PoolShape s) : IPoolPass
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _y = ref MemoryMarshal.GetReference(output);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c) => WindowMax(ref _x, s, w, c).StoreUnsafe(ref _y, (nuint)(w.OutBase + c));

        public void Single(in PoolWindow w, int c)
        {
            var max = float.NegativeInfinity;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    max = MathF.Max(max, Unsafe.Add(ref _x, s.Index(iy, ix, c)));
            Unsafe.Add(ref _y, w.OutBase + c) = max;
        }
    }

    private ref struct BackwardPass(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, PoolShape s, bool overwrite) : IPoolPass
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _g = ref MemoryMarshal.GetReference(outputGradient);
        private readonly ref float _dx = ref MemoryMarshal.GetReference(inputGradient);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var max = WindowMax(ref _x, s, w, c);
            var gradient = Vector512.LoadUnsafe(ref _g, (nuint)(w.OutBase + c));
            var taken = Vector512<float>.Zero; // lanes whose first maximum was already found
            for (var iy = w.Y0; iy < w.Y1; iy++)
            {
                for (var ix = w.X0; ix < w.X1; ix++)
                {
                    var index = (nuint)s.Index(iy, ix, c);
                    var first = Vector512.AndNot(Vector512.Equals(Vector512.LoadUnsafe(ref _x, index), max), taken);
                    var routed = gradient & first;
                    (overwrite ? routed : Vector512.LoadUnsafe(ref _dx, index) + routed).StoreUnsafe(ref _dx, index);
                    taken |= first;
                }
            }
        }

        public void Single(in PoolWindow w, int c)
        {
            var best = -1;
            for (var iy = w.Y0; iy < w.Y1; iy++)
            {
                for (var ix = w.X0; ix < w.X1; ix++)
                {
                    var index = s.Index(iy, ix, c);
                    if (overwrite) Unsafe.Add(ref _dx, index) = 0f;
                    if (best < 0 || Unsafe.Add(ref _x, index) > Unsafe.Add(ref _x, best)) best = index;
                }
            }
            Unsafe.Add(ref _dx, best) += Unsafe.Add(ref _g, w.OutBase + c);
        }
    }

    /// <summary>The maximum of a window for 16 channels from <paramref name="c"/>, as both passes need it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> WindowMax(ref float x, in PoolShape s, in PoolWindow w, int c)
    {
        var max = Vector512.Create(float.NegativeInfinity);
        for (var iy = w.Y0; iy < w.Y1; iy++)
            for (var ix = w.X0; ix < w.X1; ix++)
                max = Vector512.Max(max, Vector512.LoadUnsafe(ref x, (nuint)s.Index(iy, ix, c)));
        return max;
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, in PoolShape s)
    {
        if (input.Length != s.InputLength || output.Length != s.OutputLength)
            throw new ArgumentException($"MaxPool buffers ({input.Length}, {output.Length}) do not match shape {s}.");
    }
}
