using ILGPU;

namespace StaticConvNet.Gpu;

// Every matrix product of a training step, as TiledProduct runs them. Layouts are the CPU path's: images HWC, the
// batch's images end to end, convolution weights HWIO (row k = (ky, kx, c) of a [K × filters] matrix), dense weights
// [inputs × outputs]. A dense layer is a 1 × 1 convolution of a 1 × 1 image (WindowShape.Dense: InChannels inputs,
// OutChannels outputs), whose weights are exactly that [inputs × outputs] matrix, so it runs on the same products.

/// <summary>Where pixel <paramref name="row"/> of the batch's outputs reads tap <paramref name="k"/> = (ky, kx, c) of
/// its window: the input value, or 0 in the padding. The patch matrix of implicit GEMM, never stored.</summary>
internal static class Patches
{
    public static float Read(ArrayView<float> x, WindowShape s, int row, int k)
    {
        int ox = row % s.OutWidth, rest = row / s.OutWidth, oy = rest % s.OutHeight, n = rest / s.OutHeight;
        int c = k % s.InChannels, tap = k / s.InChannels, kx = tap % s.Window, ky = tap / s.Window;
        int iy = oy * s.Stride - s.PadTop + ky, ix = ox * s.Stride - s.PadLeft + kx;
        return iy >= 0 && iy < s.InHeight && ix >= 0 && ix < s.InWidth ? x[((n * s.InHeight + iy) * s.InWidth + ix) * s.InChannels + c] : 0f;
    }

    /// <summary>Output pixels of a batch of <paramref name="count"/> images.</summary>
    public static int OutputPixels(WindowShape s, int count) => count * s.OutHeight * s.OutWidth;
}

/// <summary>Partial sums of a split reduction: part p of C[rows × columns] at p · rows · columns.</summary>
internal static class Partials
{
    public static void Store(ArrayView<float> partials, int rows, int columns, int row, int column, int part, float sum)
        => partials[((long)part * rows + row) * columns + column] = sum;
}

/// <summary>Convolution forward: y[pixel, o] = Σ_k patch[pixel, k] · W[k, o] + b[o], then max(·, 0) when the ReLU
/// after the convolution runs in its store (the generated plan gives the two one buffer, as on the CPU).</summary>
public struct ConvForwardProduct(ArrayView<float> x, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> y, int count, int relu) : IProduct
{
    public readonly int Rows(WindowShape s) => Patches.OutputPixels(s, count);
    public readonly int Columns(WindowShape s) => s.OutChannels;
    public readonly int Depth(WindowShape s) => s.Window * s.Window * s.InChannels;
    public readonly float Left(WindowShape s, int row, int k) => Patches.Read(x, s, row, k);
    public readonly float Right(WindowShape s, int k, int column) => weights[k * s.OutChannels + column];

    public readonly void Store(WindowShape s, int row, int column, int part, float sum)
    {
        var value = sum + bias[column];
        y[row * s.OutChannels + column] = relu != 0 && !(value > 0f) ? 0f : value; // max(value, 0), as ReluForward
    }
}

/// <summary>Convolution input gradient: dx[pixel, c] = Σ over (ky, kx, o) of dOut at the output whose window puts
/// tap (ky, kx) on the pixel (none at a stride's gaps or past the borders) · W[ky, kx, c, o].</summary>
public struct ConvInputGradientProduct(ArrayView<float> weights, ArrayView<float> outputGradient, ArrayView<float> inputGradient, int count) : IProduct
{
    public readonly int Rows(WindowShape s) => count * s.InHeight * s.InWidth;
    public readonly int Columns(WindowShape s) => s.InChannels;
    public readonly int Depth(WindowShape s) => s.Window * s.Window * s.OutChannels;

    public readonly float Left(WindowShape s, int row, int k)
    {
        int ix = row % s.InWidth, rest = row / s.InWidth, iy = rest % s.InHeight, n = rest / s.InHeight;
        int o = k % s.OutChannels, tap = k / s.OutChannels, kx = tap % s.Window, ky = tap / s.Window;
        int rowOffset = iy + s.PadTop - ky, columnOffset = ix + s.PadLeft - kx;
        if (rowOffset < 0 || columnOffset < 0 || rowOffset % s.Stride != 0 || columnOffset % s.Stride != 0) return 0f;
        int oy = rowOffset / s.Stride, ox = columnOffset / s.Stride;
        return oy < s.OutHeight && ox < s.OutWidth ? outputGradient[((n * s.OutHeight + oy) * s.OutWidth + ox) * s.OutChannels + o] : 0f;
    }

    public readonly float Right(WindowShape s, int k, int column)
    {
        int o = k % s.OutChannels, tap = k / s.OutChannels;
        return weights[(tap * s.InChannels + column) * s.OutChannels + o];
    }

    public readonly void Store(WindowShape s, int row, int column, int part, float sum) => inputGradient[row * s.InChannels + column] = sum;
}

/// <summary>Weight and bias gradients: dW[k, o] = Σ over every output pixel of the batch of patch[pixel, k] ·
/// dOut[pixel, o] (the patch matrix transposed times the output gradient), and one more row, K, of ones:
/// db[o] = Σ dOut[pixel, o]. The bias follows the weights in the parameters, so the product's rows are the two
/// gradients laid out as they are stored. Split into parts along the pixels.</summary>
public struct ConvWeightGradientProduct(ArrayView<float> x, ArrayView<float> outputGradient, ArrayView<float> partials, int count) : IProduct
{
    public readonly int Rows(WindowShape s) => s.Window * s.Window * s.InChannels + 1;
    public readonly int Columns(WindowShape s) => s.OutChannels;
    public readonly int Depth(WindowShape s) => Patches.OutputPixels(s, count);
    public readonly float Left(WindowShape s, int row, int k) => row < Rows(s) - 1 ? Patches.Read(x, s, k, row) : 1f;
    public readonly float Right(WindowShape s, int k, int column) => outputGradient[k * s.OutChannels + column];
    public readonly void Store(WindowShape s, int row, int column, int part, float sum) => Partials.Store(partials, Rows(s), s.OutChannels, row, column, part, sum);
}
