using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Max pooling per channel. Padding never wins (TensorFlow pads with −inf). The backward pass routes
/// each gradient to the first maximum of its window in scan order, found again from the input, so no index
/// buffer is kept between the passes. The windows are walked by <c>PoolWindows&lt;TShape&gt;.ForEach</c>.</summary>
public static class MaxPool
{
    public static void Forward<TShape>(ReadOnlySpan<float> input, Span<float> output) where TShape : struct, IPoolShape
    {
        PoolWindows<TShape>.Check(input.Length, output.Length, "MaxPool");
        var pass = new ForwardPass<TShape>(input, output);
        PoolWindows<TShape>.ForEach(ref pass);
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    public static void Backward<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        where TShape : struct, IPoolShape
    {
        PoolWindows<TShape>.Check(input.Length, outputGradient.Length, "MaxPool");
        if (inputGradient.Length != PoolWindows<TShape>.InputLength) throw new ArgumentException("MaxPool input gradient does not match the shape.");
        // Windows that tile the input write every input gradient exactly once; otherwise gradients are added into zeros.
        if (!PoolWindows<TShape>.Tiles) inputGradient.Clear();
        var pass = new BackwardPass<TShape>(input, outputGradient, inputGradient);
        PoolWindows<TShape>.ForEach(ref pass);
    }

    /// <summary>The same, for a shape known only at run time.</summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in PoolShape s)
    {
        using var _ = RuntimePoolShape.Use(s);
        Forward<RuntimePoolShape>(input, output);
    }

    /// <summary>The same, for a shape known only at run time.</summary>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in PoolShape s)
    {
        using var _ = RuntimePoolShape.Use(s);
        Backward<RuntimePoolShape>(input, outputGradient, inputGradient);
    }

    private ref struct ForwardPass<TShape>(ReadOnlySpan<float> input, Span<float> output) : IPoolPass where TShape : struct, IPoolShape
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _y = ref MemoryMarshal.GetReference(output);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c) => WindowMax<TShape>(ref _x, w, c).StoreUnsafe(ref _y, (nuint)(w.OutBase + c));

        public void Single(in PoolWindow w, int c)
        {
            var max = float.NegativeInfinity;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    max = MathF.Max(max, Unsafe.Add(ref _x, PoolWindows<TShape>.Index(iy, ix, c)));
            Unsafe.Add(ref _y, w.OutBase + c) = max;
        }
    }

    private ref struct BackwardPass<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        : IPoolPass where TShape : struct, IPoolShape
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _g = ref MemoryMarshal.GetReference(outputGradient);
        private readonly ref float _dx = ref MemoryMarshal.GetReference(inputGradient);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var max = WindowMax<TShape>(ref _x, w, c);
            var gradient = Vector512.LoadUnsafe(ref _g, (nuint)(w.OutBase + c));
            var taken = Vector512<float>.Zero; // lanes whose first maximum was already found
            for (var iy = w.Y0; iy < w.Y1; iy++)
            {
                for (var ix = w.X0; ix < w.X1; ix++)
                {
                    var index = (nuint)PoolWindows<TShape>.Index(iy, ix, c);
                    var first = Vector512.AndNot(Vector512.Equals(Vector512.LoadUnsafe(ref _x, index), max), taken);
                    var routed = gradient & first;
                    (PoolWindows<TShape>.Tiles ? routed : Vector512.LoadUnsafe(ref _dx, index) + routed).StoreUnsafe(ref _dx, index);
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
                    var index = PoolWindows<TShape>.Index(iy, ix, c);
                    if (PoolWindows<TShape>.Tiles) Unsafe.Add(ref _dx, index) = 0f;
                    if (best < 0 || Unsafe.Add(ref _x, index) > Unsafe.Add(ref _x, best)) best = index;
                }
            }
            Unsafe.Add(ref _dx, best) += Unsafe.Add(ref _g, w.OutBase + c);
        }
    }

    /// <summary>The maximum of a window for 16 channels from <paramref name="c"/>, as both passes need it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> WindowMax<TShape>(ref float x, in PoolWindow w, int c) where TShape : struct, IPoolShape
    {
        var max = Vector512.Create(float.NegativeInfinity);
        for (var iy = w.Y0; iy < w.Y1; iy++)
            for (var ix = w.X0; ix < w.X1; ix++)
                max = Vector512.Max(max, Vector512.LoadUnsafe(ref x, (nuint)PoolWindows<TShape>.Index(iy, ix, c)));
        return max;
    }
}
