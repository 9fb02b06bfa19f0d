using ILGPU;
using ILGPU.Algorithms;
using StaticConvNet.Kernels;

namespace StaticConvNet.Gpu;

/// <summary>Geometry of a convolution or pooling window, as kernels take it.</summary>
public struct WindowShape
{
    public int InHeight, InWidth, InChannels, OutHeight, OutWidth, OutChannels, Window, Stride, PadTop, PadLeft;
}

/// <summary>One thread per output value, every kernel: no atomics, so every sum runs in a fixed order and a run
/// repeats exactly. Layouts are the CPU path's: images HWC, conv weights HWIO, dense weights [in, out].
/// Forward and backward of each layer sit side by side, as in the generated CPU code.</summary>
internal static class GpuKernels
{
    // ---- Conv2D ------------------------------------------------------------------------------

    public static void ConvForward(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, WindowShape s)
    {
        int i = index, oc = i % s.OutChannels, pixel = i / s.OutChannels;
        int ox = pixel % s.OutWidth, oy = pixel / s.OutWidth % s.OutHeight, n = pixel / (s.OutWidth * s.OutHeight);
        var sum = b[oc];
        for (var ky = 0; ky < s.Window; ky++)
        {
            var iy = oy * s.Stride - s.PadTop + ky;
            if (iy < 0 || iy >= s.InHeight) continue;
            for (var kx = 0; kx < s.Window; kx++)
            {
                var ix = ox * s.Stride - s.PadLeft + kx;
                if (ix < 0 || ix >= s.InWidth) continue;
                var xBase = ((n * s.InHeight + iy) * s.InWidth + ix) * s.InChannels;
                var wBase = (ky * s.Window + kx) * s.InChannels * s.OutChannels + oc;
                for (var c = 0; c < s.InChannels; c++) sum += x[xBase + c] * w[wBase + c * s.OutChannels];
            }
        }
        y[i] = sum;
    }

    /// <summary>dIn[n, iy, ix, c] = Σ over the outputs whose window covers (iy, ix) of dOut · W.</summary>
    public static void ConvInputGradient(Index1D index, ArrayView<float> w, ArrayView<float> g, ArrayView<float> dx, WindowShape s)
    {
        int i = index, c = i % s.InChannels, pixel = i / s.InChannels;
        int ix = pixel % s.InWidth, iy = pixel / s.InWidth % s.InHeight, n = pixel / (s.InWidth * s.InHeight);
        var sum = 0f;
        for (var ky = 0; ky < s.Window; ky++)
        {
            var oyStride = iy + s.PadTop - ky;
            if (oyStride < 0 || oyStride % s.Stride != 0 || oyStride / s.Stride >= s.OutHeight) continue;
            var oy = oyStride / s.Stride;
            for (var kx = 0; kx < s.Window; kx++)
            {
                var oxStride = ix + s.PadLeft - kx;
                if (oxStride < 0 || oxStride % s.Stride != 0 || oxStride / s.Stride >= s.OutWidth) continue;
                var ox = oxStride / s.Stride;
                var gBase = ((n * s.OutHeight + oy) * s.OutWidth + ox) * s.OutChannels;
                var wBase = ((ky * s.Window + kx) * s.InChannels + c) * s.OutChannels;
                for (var o = 0; o < s.OutChannels; o++) sum += g[gBase + o] * w[wBase + o];
            }
        }
        dx[i] = sum;
    }

    /// <summary>dW[ky, kx, c, o] = Σ_n Σ_pixels x · dOut; one thread per weight, summing the whole batch.</summary>
    public static void ConvWeightGradient(Index1D index, ArrayView<float> x, ArrayView<float> g, ArrayView<float> dw, WindowShape s, int count)
    {
        int i = index, o = i % s.OutChannels, row = i / s.OutChannels;
        int c = row % s.InChannels, tap = row / s.InChannels, kx = tap % s.Window, ky = tap / s.Window;
        var sum = 0f;
        for (var n = 0; n < count; n++)
        {
            for (var oy = 0; oy < s.OutHeight; oy++)
            {
                var iy = oy * s.Stride - s.PadTop + ky;
                if (iy < 0 || iy >= s.InHeight) continue;
                for (var ox = 0; ox < s.OutWidth; ox++)
                {
                    var ix = ox * s.Stride - s.PadLeft + kx;
                    if (ix < 0 || ix >= s.InWidth) continue;
                    sum += x[((n * s.InHeight + iy) * s.InWidth + ix) * s.InChannels + c] * g[((n * s.OutHeight + oy) * s.OutWidth + ox) * s.OutChannels + o];
                }
            }
        }
        dw[i] = sum;
    }

    /// <summary>dBias[o] = Σ over every position of the batch of dOut[..., o]; <paramref name="rows"/> positions.</summary>
    public static void BiasGradient(Index1D o, ArrayView<float> g, ArrayView<float> db, int rows, int channels)
    {
        var sum = 0f;
        for (var r = 0; r < rows; r++) sum += g[r * channels + o];
        db[o] = sum;
    }

    // ---- Dense -------------------------------------------------------------------------------

    public static void DenseForward(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, int inputs, int outputs)
    {
        int j = index % outputs, n = index / outputs;
        var sum = b[j];
        for (var i = 0; i < inputs; i++) sum += x[n * inputs + i] * w[i * outputs + j];
        y[index] = sum;
    }

    public static void DenseInputGradient(Index1D index, ArrayView<float> w, ArrayView<float> g, ArrayView<float> dx, int inputs, int outputs)
    {
        int i = index % inputs, n = index / inputs;
        var sum = 0f;
        for (var j = 0; j < outputs; j++) sum += w[i * outputs + j] * g[n * outputs + j];
        dx[index] = sum;
    }

    public static void DenseWeightGradient(Index1D index, ArrayView<float> x, ArrayView<float> g, ArrayView<float> dw, int inputs, int outputs, int count)
    {
        int j = index % outputs, i = index / outputs;
        var sum = 0f;
        for (var n = 0; n < count; n++) sum += x[n * inputs + i] * g[n * outputs + j];
        dw[index] = sum;
    }

    // ---- MaxPool -----------------------------------------------------------------------------

    private static int ArgMax(ArrayView<float> x, WindowShape s, int n, int oy, int ox, int c)
    {
        var best = -1;
        var bestValue = 0f;
        for (var ky = 0; ky < s.Window; ky++)
        {
            var iy = oy * s.Stride - s.PadTop + ky;
            if (iy < 0 || iy >= s.InHeight) continue;
            for (var kx = 0; kx < s.Window; kx++)
            {
                var ix = ox * s.Stride - s.PadLeft + kx;
                if (ix < 0 || ix >= s.InWidth) continue;
                var at = ((n * s.InHeight + iy) * s.InWidth + ix) * s.InChannels + c;
                if (best < 0 || x[at] > bestValue) { best = at; bestValue = x[at]; }
            }
        }
        return best;
    }

    public static void PoolForward(Index1D index, ArrayView<float> x, ArrayView<float> y, WindowShape s)
    {
        int i = index, c = i % s.InChannels, pixel = i / s.InChannels;
        int ox = pixel % s.OutWidth, oy = pixel / s.OutWidth % s.OutHeight, n = pixel / (s.OutWidth * s.OutHeight);
        y[i] = x[ArgMax(x, s, n, oy, ox, c)];
    }

    /// <summary>Gathers, per input value, the gradients of the windows whose first maximum it is.</summary>
    public static void PoolBackward(Index1D index, ArrayView<float> x, ArrayView<float> g, ArrayView<float> dx, WindowShape s)
    {
        int i = index, c = i % s.InChannels, pixel = i / s.InChannels;
        int ix = pixel % s.InWidth, iy = pixel / s.InWidth % s.InHeight, n = pixel / (s.InWidth * s.InHeight);
        var sum = 0f;
        for (var oy = 0; oy < s.OutHeight; oy++)
        {
            var top = oy * s.Stride - s.PadTop;
            if (iy < top || iy >= top + s.Window) continue;
            for (var ox = 0; ox < s.OutWidth; ox++)
            {
                var left = ox * s.Stride - s.PadLeft;
                if (ix < left || ix >= left + s.Window) continue;
                if (ArgMax(x, s, n, oy, ox, c) == i) sum += g[((n * s.OutHeight + oy) * s.OutWidth + ox) * s.InChannels + c];
            }
        }
        dx[i] = sum;
    }

    // ---- AvgPool -----------------------------------------------------------------------------

    /// <summary>How many of a window's rows (or columns) from <paramref name="start"/> lie inside the image.</summary>
    private static int Taps(int start, int window, int extent) => XMath.Min(start + window, extent) - XMath.Max(start, 0);

    /// <summary>The mean of the window's in-image inputs (TensorFlow SAME: padding is not counted), summed in the
    /// CPU path's order (rows, then columns) and divided once.</summary>
    public static void AvgPoolForward(Index1D index, ArrayView<float> x, ArrayView<float> y, WindowShape s)
    {
        int i = index, c = i % s.InChannels, pixel = i / s.InChannels;
        int ox = pixel % s.OutWidth, oy = pixel / s.OutWidth % s.OutHeight, n = pixel / (s.OutWidth * s.OutHeight);
        int top = oy * s.Stride - s.PadTop, left = ox * s.Stride - s.PadLeft;
        var sum = 0f;
        for (var iy = XMath.Max(top, 0); iy < XMath.Min(top + s.Window, s.InHeight); iy++)
            for (var ix = XMath.Max(left, 0); ix < XMath.Min(left + s.Window, s.InWidth); ix++)
                sum += x[((n * s.InHeight + iy) * s.InWidth + ix) * s.InChannels + c];
        y[i] = sum / (float)(Taps(top, s.Window, s.InHeight) * Taps(left, s.Window, s.InWidth));
    }

    /// <summary>One thread per input value: the sum, over the windows that cover it in output order, of each window's
    /// gradient divided by its tap count.</summary>
    public static void AvgPoolBackward(Index1D index, ArrayView<float> g, ArrayView<float> dx, WindowShape s)
    {
        int i = index, c = i % s.InChannels, pixel = i / s.InChannels;
        int ix = pixel % s.InWidth, iy = pixel / s.InWidth % s.InHeight, n = pixel / (s.InWidth * s.InHeight);
        // Outputs whose window [o·stride − pad, o·stride − pad + window) holds the input: o from ⌈(i + pad − window + 1) / stride⌉ to ⌊(i + pad) / stride⌋.
        int rowsFrom = iy + s.PadTop - s.Window + 1, columnsFrom = ix + s.PadLeft - s.Window + 1;
        int oy0 = rowsFrom <= 0 ? 0 : (rowsFrom + s.Stride - 1) / s.Stride, oy1 = XMath.Min((iy + s.PadTop) / s.Stride, s.OutHeight - 1);
        int ox0 = columnsFrom <= 0 ? 0 : (columnsFrom + s.Stride - 1) / s.Stride, ox1 = XMath.Min((ix + s.PadLeft) / s.Stride, s.OutWidth - 1);
        var sum = 0f;
        for (var oy = oy0; oy <= oy1; oy++)
        {
            var rows = Taps(oy * s.Stride - s.PadTop, s.Window, s.InHeight);
            for (var ox = ox0; ox <= ox1; ox++)
            {
                var count = (float)(rows * Taps(ox * s.Stride - s.PadLeft, s.Window, s.InWidth));
                sum += g[((n * s.OutHeight + oy) * s.OutWidth + ox) * s.InChannels + c] / count;
            }
        }
        dx[i] = sum;
    }

    // ---- ReLU, tanh, dropout ------------------------------------------------------------------

    public static void ReluForward(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i] > 0f ? x[i] : 0f;

    public static void ReluBackward(Index1D i, ArrayView<float> x, ArrayView<float> g, ArrayView<float> dx) => dx[i] = x[i] > 0f ? g[i] : 0f;

    public static void TanhForward(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Tanh(x[i]);

    /// <summary>Takes the layer's output y: dx = g · (1 − y·y), as the CPU path and TensorFlow's TanhGrad.</summary>
    public static void TanhBackward(Index1D i, ArrayView<float> y, ArrayView<float> g, ArrayView<float> dx) => dx[i] = g[i] * (1f - y[i] * y[i]);

    /// <summary>The CPU path's masks exactly: the same counter-based hash of (seed, step, layer, image, element).</summary>
    public static void DropoutForward(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask, int length, float rate, ulong seed, ulong step, int layer)
    {
        int n = i / length, e = i % length;
        var key = SplitMix.Mix(seed ^ SplitMix.Mix(Dropout.Stream(step, layer, n)));
        mask[i] = SplitMix.UnitFloat(SplitMix.Mix(key + (ulong)e)) < rate ? 0f : 1f / (1f - rate);
        y[i] = x[i] * mask[i];
    }

    public static void Multiply(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> result) => result[i] = a[i] * b[i];

    public static void Copy(Index1D i, ArrayView<float> from, ArrayView<float> to) => to[i] = from[i];

    // ---- Local response normalisation ---------------------------------------------------------

    private static float Scale(ArrayView<float> x, int row, int c, int channels, int radius, float bias, float alpha)
    {
        var sum = 0f;
        for (var d = XMath.Max(0, c - radius); d <= XMath.Min(channels - 1, c + radius); d++) sum += x[row + d] * x[row + d];
        return bias + alpha * sum;
    }

    public static void LrnForward(Index1D i, ArrayView<float> x, ArrayView<float> y, int channels, int radius, float bias, float alpha, float beta)
    {
        int c = i % channels, row = i - c;
        y[i] = x[i] * XMath.Pow(Scale(x, row, c, channels, radius, bias, alpha), -beta);
    }

    public static void LrnBackward(Index1D i, ArrayView<float> x, ArrayView<float> g, ArrayView<float> dx, int channels, int radius, float bias, float alpha, float beta)
    {
        int d = i % channels, row = i - d;
        var sum = 0f;
        for (var c = XMath.Max(0, d - radius); c <= XMath.Min(channels - 1, d + radius); c++)
            sum += g[row + c] * x[row + c] * XMath.Pow(Scale(x, row, c, channels, radius, bias, alpha), -beta - 1f);
        dx[i] = g[i] * XMath.Pow(Scale(x, row, d, channels, radius, bias, alpha), -beta) - 2f * alpha * beta * x[i] * sum;
    }

    // ---- Loss and update ----------------------------------------------------------------------

    /// <summary>Per image: loss = logsumexp(z) − z[label]; dz = (softmax − onehot) / count.</summary>
    public static void SoftmaxCrossEntropy(Index1D n, ArrayView<float> z, ArrayView<int> labels, ArrayView<float> dz, ArrayView<float> loss, int classes, int count)
    {
        var row = n * classes;
        var max = z[row];
        for (var k = 1; k < classes; k++) max = XMath.Max(max, z[row + k]);
        var sum = 0f;
        for (var k = 0; k < classes; k++) sum += XMath.Exp(z[row + k] - max);
        loss[n] = max + XMath.Log(sum) - z[row + labels[n]];
        for (var k = 0; k < classes; k++)
            dz[row + k] = (XMath.Exp(z[row + k] - max) / sum - (k == labels[n] ? 1f : 0f)) / count;
    }

    /// <summary>v ← μ·v + g; p ← p − lr·v (μ = 0 is plain SGD).</summary>
    public static void SgdStep(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> v, float learningRate, float momentum)
    {
        var velocity = momentum * v[i] + g[i];
        v[i] = velocity;
        p[i] -= learningRate * velocity;
    }
}
