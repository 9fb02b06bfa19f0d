using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Average pooling per channel with <c>tf.nn.avg_pool</c> semantics: each output is the mean of the window's
/// inputs that lie inside the image, so under SAME padding a border window divides by its in-image taps, not by
/// Size²; VALID windows are always full. Every window is summed in scan order (rows, then columns) and divided once,
/// in the vector lanes and the scalar tail alike, so both give the same bits. The windows are walked by
/// <c>PoolWindows&lt;TShape&gt;.ForEach</c>.</summary>
public static class AvgPool
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TShape>(ReadOnlySpan<float> input, Span<float> output) where TShape : struct, IPoolShape
    {
        PoolWindows<TShape>.Check(input.Length, output.Length, "AvgPool");
        if (Block512.IsAccelerated) { var pass = new ForwardPass<TShape, Block512>(input, output); PoolWindows<TShape>.ForEach(ref pass); }
        else if (Block256.IsAccelerated) { var pass = new ForwardPass<TShape, Block256>(input, output); PoolWindows<TShape>.ForEach(ref pass); }
        else { var pass = new ForwardPass<TShape, Block128>(input, output); PoolWindows<TShape>.ForEach(ref pass); }
    }

    /// <summary>Each window's gradient, divided by its tap count, spread evenly over the inputs it averaged.
    /// Overwrites <paramref name="inputGradient"/>. Needs neither the input nor the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TShape>(ReadOnlySpan<float> outputGradient, Span<float> inputGradient) where TShape : struct, IPoolShape
    {
        PoolWindows<TShape>.Check(inputGradient.Length, outputGradient.Length, "AvgPool gradient");
        inputGradient.Clear();
        if (Block512.IsAccelerated) { var pass = new BackwardPass<TShape, Block512>(outputGradient, inputGradient); PoolWindows<TShape>.ForEach(ref pass); }
        else if (Block256.IsAccelerated) { var pass = new BackwardPass<TShape, Block256>(outputGradient, inputGradient); PoolWindows<TShape>.ForEach(ref pass); }
        else { var pass = new BackwardPass<TShape, Block128>(outputGradient, inputGradient); PoolWindows<TShape>.ForEach(ref pass); }
    }

    private ref struct ForwardPass<TShape, TBlock>(ReadOnlySpan<float> input, Span<float> output) : IPoolPass where TShape : struct, IPoolShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _y = ref MemoryMarshal.GetReference(output);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var sum = TBlock.Zero;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    sum += TBlock.Load(ref _x, (nuint)PoolWindows<TShape>.Index(iy, ix, c));
            (sum / w.Taps).Store(ref _y, (nuint)(w.OutBase + c));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Single(in PoolWindow w, int c)
        {
            var sum = 0f;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    sum += Unsafe.Add(ref _x, PoolWindows<TShape>.Index(iy, ix, c));
            Unsafe.Add(ref _y, w.OutBase + c) = sum / w.Taps;
        }
    }

    private ref struct BackwardPass<TShape, TBlock>(ReadOnlySpan<float> outputGradient, Span<float> inputGradient) : IPoolPass where TShape : struct, IPoolShape where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        private readonly ref float _g = ref MemoryMarshal.GetReference(outputGradient);
        private readonly ref float _dx = ref MemoryMarshal.GetReference(inputGradient);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var share = TBlock.Load(ref _g, (nuint)(w.OutBase + c)) / w.Taps;
            for (var iy = w.Y0; iy < w.Y1; iy++)
            {
                for (var ix = w.X0; ix < w.X1; ix++)
                {
                    var index = (nuint)PoolWindows<TShape>.Index(iy, ix, c);
                    (TBlock.Load(ref _dx, index) + share).Store(ref _dx, index);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Single(in PoolWindow w, int c)
        {
            var share = Unsafe.Add(ref _g, w.OutBase + c) / w.Taps;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    Unsafe.Add(ref _dx, PoolWindows<TShape>.Index(iy, ix, c)) += share;
        }
    }
}
