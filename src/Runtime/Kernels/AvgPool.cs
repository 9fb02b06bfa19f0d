using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticConvNet.Kernels;

/// <summary>Average pooling per channel with <c>tf.nn.avg_pool</c> semantics: each output is the mean of the window's
/// inputs that lie inside the image, so under SAME padding a border window divides by its in-image taps, not by
/// Size²; VALID windows are always full. Every window is summed in scan order (rows, then columns) and divided once,
/// in the vector lanes and the scalar tail alike, so both give the same bits. The windows are walked by
/// <see cref="PoolShape.ForEachWindow{TPass}"/>.</summary>
public static class AvgPool
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, in PoolShape s)
    {
        if (input.Length != s.InputLength || output.Length != s.OutputLength)
            throw new ArgumentException($"AvgPool buffers ({input.Length}, {output.Length}) do not match shape {s}.");
        var pass = new ForwardPass(input, output, s);
        s.ForEachWindow(ref pass);
    }

    /// <summary>Each window's gradient, divided by its tap count, spread evenly over the inputs it averaged.
    /// Overwrites <paramref name="inputGradient"/>. Needs neither the input nor the output.</summary>
    public static void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, in PoolShape s)
    {
        if (outputGradient.Length != s.OutputLength || inputGradient.Length != s.InputLength)
            throw new ArgumentException($"AvgPool gradients ({outputGradient.Length}, {inputGradient.Length}) do not match shape {s}.");
        inputGradient.Clear();
        var pass = new BackwardPass(outputGradient, inputGradient, s);
        s.ForEachWindow(ref pass);
    }

    private ref struct ForwardPass(ReadOnlySpan<float> input, Span<float> output, PoolShape s) : IPoolPass
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(input);
        private readonly ref float _y = ref MemoryMarshal.GetReference(output);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var sum = Vector512<float>.Zero;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    sum += Vector512.LoadUnsafe(ref _x, (nuint)s.Index(iy, ix, c));
            (sum / w.Taps).StoreUnsafe(ref _y, (nuint)(w.OutBase + c));
        }

        public void Single(in PoolWindow w, int c)
        {
            var sum = 0f;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    sum += Unsafe.Add(ref _x, s.Index(iy, ix, c));
            Unsafe.Add(ref _y, w.OutBase + c) = sum / w.Taps;
        }
    }

    private ref struct BackwardPass(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, PoolShape s) : IPoolPass
    {
        private readonly ref float _g = ref MemoryMarshal.GetReference(outputGradient);
        private readonly ref float _dx = ref MemoryMarshal.GetReference(inputGradient);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per window: the call would cost more than the work
        public void Register(in PoolWindow w, int c)
        {
            var share = Vector512.LoadUnsafe(ref _g, (nuint)(w.OutBase + c)) / w.Taps;
            for (var iy = w.Y0; iy < w.Y1; iy++)
            {
                for (var ix = w.X0; ix < w.X1; ix++)
                {
                    var index = (nuint)s.Index(iy, ix, c);
                    (Vector512.LoadUnsafe(ref _dx, index) + share).StoreUnsafe(ref _dx, index);
                }
            }
        }

        public void Single(in PoolWindow w, int c)
        {
            var share = Unsafe.Add(ref _g, w.OutBase + c) / w.Taps;
            for (var iy = w.Y0; iy < w.Y1; iy++)
                for (var ix = w.X0; ix < w.X1; ix++)
                    Unsafe.Add(ref _dx, s.Index(iy, ix, c)) += share;
        }
    }
}
