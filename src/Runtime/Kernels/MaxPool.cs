using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Max pooling per channel. Padding never wins (TensorFlow pads with −inf). The backward pass routes
/// each gradient to the first maximum of its window in scan order, found again from the input, so no index
/// buffer is kept between the passes. The windows are walked by <c>PoolWindows&lt;TShape&gt;.ForEach</c>.</summary>
public static class MaxPool
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TShape>(ReadOnlySpan<float> input, Span<float> output) where TShape : struct, IPoolShape
    {
        PoolWindows<TShape>.Check(input.Length, output.Length, "MaxPool");
        if (Block512.IsAccelerated) { var pass = new ForwardPass<TShape, Block512>(input, output); PoolWindows<TShape>.ForEach(ref pass); }
        else if (Block256.IsAccelerated) { var pass = new ForwardPass<TShape, Block256>(input, output); PoolWindows<TShape>.ForEach(ref pass); }
        else { var pass = new ForwardPass<TShape, Block128>(input, output); PoolWindows<TShape>.ForEach(ref pass); }
    }

    /// <summary>Overwrites <paramref name="inputGradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TShape>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        where TShape : struct, IPoolShape
        => Backward<TShape, StoreAsIs>(input, outputGradient, inputGradient);

    /// <summary>Overwrites <paramref name="inputGradient"/> with the gradient of the values before
    /// <typeparamref name="TActivation"/> stored <paramref name="input"/>: with <see cref="StoreRelu"/>, each window's
    /// gradient reaches its maximum only where that is > 0, so the ReLU before the pool needs no backward pass of its own
    /// (the same values as the ReLU's backward pass after this one: a position gets 0 either way where the mask is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TShape, TActivation>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        where TShape : struct, IPoolShape where TActivation : struct, IStoreActivation
    {
        PoolWindows<TShape>.Check(input.Length, outputGradient.Length, "MaxPool");
        if (inputGradient.Length != PoolWindows<TShape>.InputLength) throw new ArgumentException("MaxPool input gradient does not match the shape.");
        // Windows that tile the input write every input gradient exactly once; otherwise gradients are added into zeros.
        if (!PoolWindows<TShape>.Tiles) inputGradient.Clear();
        if (Block512.IsAccelerated) { var pass = new BackwardPass<TShape, TActivation, Block512>(input, outputGradient, inputGradient); PoolWindows<TShape>.ForEach(ref pass); }
        else if (Block256.IsAccelerated) { var pass = new BackwardPass<TShape, TActivation, Block256>(input, outputGradient, inputGradient); PoolWindows<TShape>.ForEach(ref pass); }
        else { var pass = new BackwardPass<TShape, TActivation, Block128>(input, outputGradient, inputGradient); PoolWindows<TShape>.ForEach(ref pass); }
    }

    private ref struct ForwardPass<TShape, TBlock>(ReadOnlySpan<float> input, Span<float> output) : IPoolPass where TShape : struct, IPoolShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _y = ref MemoryMarshal.GetReference(output);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c) => WindowMax<TShape, TBlock>(ref _x, w, c).Store(ref _y, (nuint)(w.OutBase + c));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Single(in PoolWindow w, int c)
        {
            var max = float.NegativeInfinity;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    max = MathF.Max(max, Unsafe.Add(ref _x, PoolWindows<TShape>.Index(iy, ix, c)));
            Unsafe.Add(ref _y, w.OutBase + c) = max;
        }
    }

    private ref struct BackwardPass<TShape, TActivation, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        : IPoolPass where TShape : struct, IPoolShape where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _g = ref MemoryMarshal.GetReference(outputGradient);
        private readonly ref float _dx = ref MemoryMarshal.GetReference(inputGradient);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var max = WindowMax<TShape, TBlock>(ref _x, w, c);
            var gradient = TActivation.GradientThrough(TBlock.Load(ref _g, (nuint)(w.OutBase + c)), max);
            var taken = TBlock.Zero; // lanes whose first maximum was already found
            for (var iy = w.Y0; iy < w.Y1; iy++)
            {
                for (var ix = w.X0; ix < w.X1; ix++)
                {
                    var index = (nuint)PoolWindows<TShape>.Index(iy, ix, c);
                    var first = TBlock.AndNot(TBlock.Equals(TBlock.Load(ref _x, index), max), taken);
                    var routed = gradient & first;
                    (PoolWindows<TShape>.Tiles ? routed : TBlock.Load(ref _dx, index) + routed).Store(ref _dx, index);
                    taken |= first;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            Unsafe.Add(ref _dx, best) += TActivation.GradientThrough(Unsafe.Add(ref _g, w.OutBase + c), Unsafe.Add(ref _x, best));
        }
    }

    /// <summary>The maximum of a window for 16 channels from <paramref name="c"/>, as both passes need it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TBlock WindowMax<TShape, TBlock>(ref float x, in PoolWindow w, int c) where TShape : struct, IPoolShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var max = TBlock.Broadcast(float.NegativeInfinity);
        for (var iy = w.Y0; iy < w.Y1; iy++)
            for (var ix = w.X0; ix < w.X1; ix++)
                max = TBlock.Max(max, TBlock.Load(ref x, (nuint)PoolWindows<TShape>.Index(iy, ix, c)));
        return max;
    }
}
