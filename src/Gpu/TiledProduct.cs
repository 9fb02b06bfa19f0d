using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace StaticConvNet.Gpu;

/// <summary>A matrix product C = A·B whose operands a layer reads where they lie (a convolution's patches straight
/// from its input image, as implicit GEMM does, with no im2col buffer) and whose result it stores its own way (bias
/// and ReLU in the forward's store; a reduction's partial sums into their part's slice). Each layer pass is one such
/// struct; <see cref="TiledProduct.Kernel{TProduct}"/> is the one kernel that runs them all.</summary>
/// <remarks>Every size comes from the layer's <see cref="WindowShape"/>, which the kernel takes as a specialised
/// value: the accelerator compiles a copy of the kernel per layer with that layer's sizes as constants.</remarks>
public interface IProduct
{
    /// <summary>M: rows of A and C.</summary>
    int Rows(WindowShape s);

    /// <summary>N: columns of B and C.</summary>
    int Columns(WindowShape s);

    /// <summary>K: the summed dimension.</summary>
    int Depth(WindowShape s);

    /// <summary>A[row, k]; only called for row &lt; M and k &lt; K.</summary>
    float Left(WindowShape s, int row, int k);

    /// <summary>B[k, column]; only called for k &lt; K and column &lt; N.</summary>
    float Right(WindowShape s, int k, int column);

    /// <summary>Stores C[row, column] (of part <paramref name="part"/> of K, when the sum is split).</summary>
    void Store(WindowShape s, int row, int column, int part, float sum);
}

/// <summary>The tiled product kernel. A group of side × side threads computes a tile of 4·side × side values of C (four
/// rows per thread, in registers), walking K in steps of side: each step stages a 4·side × side slice of A and a
/// side × side slice of B in shared memory, so every value read from global memory is used side (A) or 4·side (B)
/// times. On a GPU side is 16 (groups of 256 threads, tiles of 64 × 16).</summary>
/// <remarks>
/// Reductions over long K (weight gradients sum over every pixel of every image of the batch, hundreds of thousands
/// of terms for a first convolution at batch 1024) are split into parts of <see cref="DepthPerPart"/> terms, each a
/// block of groups of its own writing its own partial sums, which <see cref="GpuKernels.SumParts"/> then adds
/// in part order. No atomics anywhere: every value is summed in one fixed order (k ascending within a part, parts
/// ascending) that depends neither on the group size nor on the device's scheduling, so a run repeats exactly.
///
/// ILGPU's CPU accelerator runs every thread of a group as an operating-system thread, and each barrier is a
/// rendezvous of those threads: a tiled weight gradient there costs seconds. It runs <see cref="Untiled{TProduct}"/>
/// instead, one thread per value of C summing the same terms in the same order, so the two give the same sums.
/// </remarks>
public static class TiledProduct
{
    private const int RowsPerThread = 4;

    /// <summary>Terms of K one part of a split reduction sums: a multiple of every group side, fixed so that the order
    /// of every sum depends on the batch size alone, never on the device.</summary>
    public const int DepthPerPart = 512;

    /// <summary>The group side for <paramref name="accelerator"/>: 16 where groups of 256 threads fit, else 8 or 4.</summary>
    public static int GroupSide(Accelerator accelerator)
        => accelerator.MaxNumThreadsPerGroup >= 256 ? 16 : accelerator.MaxNumThreadsPerGroup >= 64 ? 8 : 4;

    /// <summary>How many parts a reduction of <paramref name="depth"/> terms is split into.</summary>
    public static int Parts(long depth) => (int)Math.Max(1, (depth + DepthPerPart - 1) / DepthPerPart);

    /// <summary>Floats of partial sums a reduction of <paramref name="depth"/> terms into <paramref name="outputs"/>
    /// values needs.</summary>
    public static long PartialFloats(long depth, int outputs) => (long)Parts(depth) * outputs;

    /// <summary>The launch for a product of <paramref name="rows"/> × <paramref name="columns"/> in
    /// <paramref name="parts"/> parts, with groups of <paramref name="side"/> × <paramref name="side"/> threads. The
    /// parts go along the grid's first dimension with the row tiles (part-major): CUDA allows 2^31 − 1 groups there
    /// but only 65,535 along the others, and a first layer at batch 4,096 can need more parts than that.</summary>
    public static KernelConfig Launch(int rows, int columns, int parts, int side)
    {
        int tileRows = RowsPerThread * side, rowTiles = (rows + tileRows - 1) / tileRows;
        return new(new Index3D(checked(rowTiles * parts), (columns + side - 1) / side, 1), new Index3D(side, side, 1),
            SharedMemoryConfig.RequestDynamic<float>(tileRows * side + side * side));
    }

    /// <summary>One thread per value of C (and part): the same sums as <see cref="Kernel{TProduct}"/>, in the same
    /// order, without shared memory or barriers. The shape is a plain argument: this is the CPU accelerator's kernel,
    /// where a specialised copy per layer would only add compile time.</summary>
    public static void Untiled<TProduct>(Index3D index, TProduct product, WindowShape s, int depthPerPart)
        where TProduct : struct, IProduct
    {
        int rows = product.Rows(s), part = index.X / rows, row = index.X % rows; // parts along X, part-major
        int from = part * depthPerPart, to = XMath.Min(from + depthPerPart, product.Depth(s));
        var sum = 0f;
        for (var k = from; k < to; k++) sum += product.Left(s, row, k) * product.Right(s, k, index.Y);
        product.Store(s, row, index.Y, part, sum);
    }

    public static void Kernel<TProduct>(TProduct product, SpecializedValue<WindowShape> shape, SpecializedValue<int> groupSide, int depthPerPart)
        where TProduct : struct, IProduct
    {
        var s = shape.Value;
        int side = groupSide.Value, groupSize = side * side, tileRows = RowsPerThread * side;
        var shared = SharedMemory.GetDynamic<float>();
        var left = shared.SubView(0, tileRows * side);      // [tileRows × side]: A's rows, side values of k each
        var right = shared.SubView(tileRows * side, groupSize); // [side × side]: B's k rows, side columns each
        int column = Group.IdxX, rowGroup = Group.IdxY, thread = rowGroup * side + column;
        int rows = product.Rows(s), columns = product.Columns(s), rowTiles = (rows + tileRows - 1) / tileRows;
        int part = Grid.IdxX / rowTiles, firstRow = Grid.IdxX % rowTiles * tileRows, firstColumn = Grid.IdxY * side;
        int from = part * depthPerPart, to = XMath.Min(from + depthPerPart, product.Depth(s));
        float sum0 = 0f, sum1 = 0f, sum2 = 0f, sum3 = 0f;
        for (var step = from; step < to; step += side)
        {
            // Consecutive threads stage consecutive k of one row of A and consecutive columns of one row of B: in the
            // forward pass both are contiguous (an image's channels in HWC, a weight row); the gradients read one of
            // the two with a stride.
            for (var e = thread; e < tileRows * side; e += groupSize)
            {
                int row = firstRow + e / side, k = step + e % side;
                left[e] = row < rows && k < to ? product.Left(s, row, k) : 0f;
            }
            int rightK = step + rowGroup, rightColumn = firstColumn + column;
            right[thread] = rightK < to && rightColumn < columns ? product.Right(s, rightK, rightColumn) : 0f;
            Group.Barrier();
            var at = rowGroup * RowsPerThread * side;
            for (var k = 0; k < side; k++)
            {
                var b = right[k * side + column];
                sum0 += left[at + k] * b;
                sum1 += left[at + side + k] * b;
                sum2 += left[at + 2 * side + k] * b;
                sum3 += left[at + 3 * side + k] * b;
            }
            Group.Barrier();
        }
        var storeColumn = firstColumn + column;
        if (storeColumn >= columns) return;
        var storeRow = firstRow + rowGroup * RowsPerThread;
        if (storeRow < rows) product.Store(s, storeRow, storeColumn, part, sum0);
        if (storeRow + 1 < rows) product.Store(s, storeRow + 1, storeColumn, part, sum1);
        if (storeRow + 2 < rows) product.Store(s, storeRow + 2, storeColumn, part, sum2);
        if (storeRow + 3 < rows) product.Store(s, storeRow + 3, storeColumn, part, sum3);
    }
}
