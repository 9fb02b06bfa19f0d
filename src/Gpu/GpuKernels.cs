using ILGPU;
using ILGPU.Algorithms;
using StaticConvNet.Kernels;

namespace StaticConvNet.Gpu;

/// <summary>Geometry of a convolution or pooling window, as kernels take it (a dense layer's is a 1 × 1 window over
/// InChannels inputs to OutChannels outputs). Kernels take it as a specialised value, so each layer gets its own
/// compiled copy with these sizes as constants: hence equality.</summary>
public struct WindowShape : IEquatable<WindowShape>
{
    public int InHeight, InWidth, InChannels, OutHeight, OutWidth, OutChannels, Window, Stride, PadTop, PadLeft;

    public readonly bool Equals(WindowShape other)
        => InHeight == other.InHeight && InWidth == other.InWidth && InChannels == other.InChannels
           && OutHeight == other.OutHeight && OutWidth == other.OutWidth && OutChannels == other.OutChannels
           && Window == other.Window && Stride == other.Stride && PadTop == other.PadTop && PadLeft == other.PadLeft;

    public override readonly bool Equals(object? obj) => obj is WindowShape other && Equals(other);

    public override readonly int GetHashCode()
        => HashCode.Combine(HashCode.Combine(InHeight, InWidth, InChannels, OutHeight, OutWidth), OutChannels, Window, Stride, PadTop, PadLeft);

    /// <summary>A dense layer of <paramref name="inputs"/> → <paramref name="outputs"/>.</summary>
    public static WindowShape Dense(int inputs, int outputs)
        => new() { InHeight = 1, InWidth = 1, InChannels = inputs, OutHeight = 1, OutWidth = 1, OutChannels = outputs, Window = 1, Stride = 1 };
}

/// <summary>The kernels besides the matrix products (<see cref="TiledProduct"/>): pooling, element-wise layers, the
/// loss and the update, one thread per value each, and the fixed-order reductions. No atomics, so every sum runs in
/// a fixed order and a run repeats exactly. Layouts are the CPU path's: images HWC. Forward and backward of each
/// layer sit side by side, as in the generated CPU code.</summary>
internal static class GpuKernels
{
    // ---- MaxPool -----------------------------------------------------------------------------

    private static int WindowMaximum(ArrayView<float> x, WindowShape s, int n, int oy, int ox, int c)
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
        y[i] = x[WindowMaximum(x, s, n, oy, ox, c)];
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
                if (WindowMaximum(x, s, n, oy, ox, c) == i) sum += g[((n * s.OutHeight + oy) * s.OutWidth + ox) * s.InChannels + c];
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

    // ---- GlobalAvgPool -----------------------------------------------------------------------

    /// <summary>One thread per image and channel: the channel's pixels summed in order and divided once, as the CPU
    /// kernel does.</summary>
    public static void GlobalAvgPoolForward(Index1D i, ArrayView<float> x, ArrayView<float> y, int pixels, int channels)
    {
        int c = i % channels, first = i / channels * pixels * channels + c;
        var sum = x[first];
        for (var pixel = 1; pixel < pixels; pixel++) sum += x[first + pixel * channels];
        y[i] = sum / pixels;
    }

    /// <summary>One thread per input value: its channel's gradient divided by the pixel count.</summary>
    public static void GlobalAvgPoolBackward(Index1D i, ArrayView<float> g, ArrayView<float> dx, int pixels, int channels)
    {
        int c = i % channels, image = i / (pixels * channels);
        dx[i] = g[image * channels + c] / pixels;
    }

    // ---- BatchNorm ---------------------------------------------------------------------------
    // One thread per channel for the batch sums, in the CPU kernel's order (images, then pixels) and in double; one
    // thread per value for the rest. batch = [mean C][1 / deviation C], state = [running mean C][running variance C],
    // sums = [Σ dy C][Σ dy · x̂ C], gradients = [γ's C][β's C].

    public static void BatchNormStatistics(Index1D c, ArrayView<float> x, ArrayView<float> batch, ArrayView<float> state, int values, int channels, float epsilon, float momentum)
    {
        double sum = 0, squares = 0;
        for (var v = 0; v < values; v++)
        {
            double value = x[v * channels + c];
            sum += value;
            squares += value * value;
        }
        var mean = sum / values;
        var variance = XMath.Max(squares / values - mean * mean, 0.0);
        batch[c] = (float)mean;
        batch[channels + c] = (float)(1.0 / XMath.Sqrt(variance + epsilon));
        var unbiased = values > 1 ? variance * values / (values - 1) : variance;
        state[c] = (float)((1.0 - momentum) * state[c] + momentum * mean);
        state[channels + c] = (float)((1.0 - momentum) * state[channels + c] + momentum * unbiased);
    }

    public static void BatchNormForward(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> batch, ArrayView<float> gamma, ArrayView<float> beta, int channels)
    {
        var c = i % channels;
        y[i] = gamma[c] * ((x[i] - batch[c]) * batch[channels + c]) + beta[c];
    }

    public static void BatchNormInference(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> state, ArrayView<float> gamma, ArrayView<float> beta, int channels, float epsilon)
    {
        var c = i % channels;
        y[i] = gamma[c] * ((x[i] - state[c]) / XMath.Sqrt(state[channels + c] + epsilon)) + beta[c];
    }

    public static void BatchNormGradientSums(Index1D c, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> batch, ArrayView<float> sums, ArrayView<float> gradients, int values, int channels)
    {
        double sumDy = 0, sumDyX = 0;
        for (var v = 0; v < values; v++)
        {
            var i = v * channels + c;
            sumDy += dy[i];
            sumDyX += (double)dy[i] * x[i];
        }
        var sumDyXhat = batch[channels + c] * (sumDyX - batch[c] * sumDy);
        sums[c] = (float)sumDy;
        sums[channels + c] = (float)sumDyXhat;
        gradients[c] = (float)sumDyXhat;
        gradients[channels + c] = (float)sumDy;
    }

    public static void BatchNormBackward(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx, ArrayView<float> batch, ArrayView<float> sums, ArrayView<float> gamma, int channels, int values)
    {
        var c = i % channels;
        var xhat = (x[i] - batch[c]) * batch[channels + c];
        dx[i] = gamma[c] * batch[channels + c] * (dy[i] - sums[c] / values - xhat * (sums[channels + c] / values));
    }

    // ---- Where a graph joins --------------------------------------------------------------------

    /// <summary>One thread per value of a block's output: copied to its channel in the concatenation.</summary>
    public static void ConcatForward(Index1D i, ArrayView<float> part, ArrayView<float> y, int partChannels, int channels, int offset)
    {
        int c = i % partChannels, pixel = i / partChannels;
        y[pixel * channels + offset + c] = part[i];
    }

    /// <summary>One thread per value of a block's output gradient: read from its channel in the concatenation's.</summary>
    public static void ConcatBackward(Index1D i, ArrayView<float> g, ArrayView<float> partGradient, int partChannels, int channels, int offset)
    {
        int c = i % partChannels, pixel = i / partChannels;
        partGradient[i] = g[pixel * channels + offset + c];
    }

    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] + b[i];

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
        var key = Dropout.Key(seed, Dropout.Stream(step, layer, n));
        mask[i] = Dropout.IsDropped(key, e, rate) ? 0f : 1f / (1f - rate);
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

    /// <summary>Per image: loss = logsumexp(z) − z[label]; dz = (softmax − onehot) / count; and whether the first
    /// largest logit is the label's (the minibatch accuracy), as 1 or 0 in <paramref name="right"/>.</summary>
    public static void SoftmaxCrossEntropy(Index1D n, ArrayView<float> z, ArrayView<int> labels, ArrayView<float> dz, ArrayView<float> loss, ArrayView<float> right, int classes, int count)
    {
        var row = n * classes;
        right[n] = FirstLargest(z, row, classes) == labels[n] ? 1f : 0f;
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

    // ---- Reductions and predictions ----------------------------------------------------------

    /// <summary>result[i] = Σ over parts p, in order, of partials[p · length + i]: the second half of a split
    /// reduction (<see cref="TiledProduct"/>).</summary>
    public static void SumParts(Index1D i, ArrayView<float> partials, ArrayView<float> result, int parts, int length)
    {
        var sum = 0f;
        for (var p = 0; p < parts; p++) sum += partials[(long)p * length + i];
        result[i] = sum;
    }

    /// <summary>The largest group <see cref="SumTwo"/> runs in (a power of two).</summary>
    public const int SummaryGroup = 256;

    /// <summary>One group (of a power of two threads, at most <see cref="SummaryGroup"/>) sums the first
    /// <paramref name="count"/> values of each of <paramref name="a"/> and <paramref name="b"/> (the batch's losses
    /// and right answers) into summary[0] and summary[1]: thread t sums values t, t + group, …, then a tree halves
    /// the partial sums, always pairing the same threads, so the order is fixed.</summary>
    public static void SumTwo(ArrayView<float> a, ArrayView<float> b, ArrayView<float> summary, int count)
    {
        var size = Group.DimX;
        var shared = SharedMemory.GetDynamic<float>();
        var sharedA = shared.SubView(0, size);
        var sharedB = shared.SubView(size, size);
        var t = Group.IdxX;
        float sumA = 0f, sumB = 0f;
        for (var i = t; i < count; i += size)
        {
            sumA += a[i];
            sumB += b[i];
        }
        sharedA[t] = sumA;
        sharedB[t] = sumB;
        Group.Barrier();
        for (var half = size / 2; half > 0; half /= 2)
        {
            if (t < half)
            {
                sharedA[t] += sharedA[t + half];
                sharedB[t] += sharedB[t + half];
            }
            Group.Barrier();
        }
        if (t == 0)
        {
            summary[0] = sharedA[0];
            summary[1] = sharedB[0];
        }
    }

    /// <summary>The class of each image: the index of its first largest logit, as the CPU's Evaluation.ArgMax.</summary>
    public static void ArgMax(Index1D n, ArrayView<float> z, ArrayView<int> classes, int classCount) => classes[n] = FirstLargest(z, n * classCount, classCount);

    private static int FirstLargest(ArrayView<float> z, int row, int count)
    {
        var best = 0;
        for (var k = 1; k < count; k++) if (z[row + k] > z[row + best]) best = k;
        return best;
    }
}
