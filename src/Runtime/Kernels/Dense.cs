using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticConvNet.Kernels;

/// <summary>Fully connected layer, out = in · W + b, with W stored [in, out] (TensorFlow's layout), so a
/// row of W is contiguous over outputs. The forward pass keeps up to four blocks of outputs (64) in
/// registers while it walks the inputs, at whatever width this machine accelerates (<see cref="IChannelBlock{TSelf}"/>). Those blocks do not skip zero inputs: in training the zeros move with every
/// update, and the mispredicted branch cost more than the multiply-adds it saved (the scalar rest, a few outputs, does).</summary>
public static class Dense
{
    private const int Lanes = IChannelBlock<Block512>.Lanes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
        => Forward<StoreAsIs>(input, weights, bias, output);

    /// <summary>The same, applying <typeparamref name="TActivation"/> to each output as it is stored (the ReLU after a
    /// hidden layer fused into it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TActivation>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
        where TActivation : struct, IStoreActivation
    {
        Check(input, weights, bias, output.Length);
        if (Block512.IsAccelerated) Forward<TActivation, Block512>(input, weights, bias, output);
        else if (Block256.IsAccelerated) Forward<TActivation, Block256>(input, weights, bias, output);
        else Forward<TActivation, Block128>(input, weights, bias, output);
    }

    /// <summary>Output blocks one pass of the forward kernel keeps in registers: four (64 outputs) where they fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PassBlocks<TBlock>() where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Accumulators < 4 ? TBlock.Accumulators : 4;

    // Compiled on its own (not inlined into the width dispatch above): profile-guided tier-1 compilation inlined it into
    // Forward<TActivation> at 128 bits, ran out of inlining budget there and left the block operations as calls with
    // their operands on the stack, which took the layer from 2.4 to 4.8 µs per arch2 image.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TActivation, TBlock>(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output)
        where TActivation : struct, IStoreActivation where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var outputs = output.Length;
        bias.CopyTo(output);
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var y = ref MemoryMarshal.GetReference(output);
        int count = PassBlocks<TBlock>(), pass = count * Lanes;
        var block = 0;
        if (TBlock.IsAccelerated)
        {
            for (; block + pass <= outputs; block += pass)
            {
                var a0 = TBlock.Load(ref y, (nuint)block);
                var a1 = count > 1 ? TBlock.Load(ref y, (nuint)(block + Lanes)) : default;
                var a2 = count > 2 ? TBlock.Load(ref y, (nuint)(block + 2 * Lanes)) : default;
                var a3 = count > 3 ? TBlock.Load(ref y, (nuint)(block + 3 * Lanes)) : default;
                for (var i = 0; i < input.Length; i++)
                {
                    var xs = TBlock.Broadcast(input[i]);
                    var row = (nuint)(i * outputs + block);
                    a0 = TBlock.MultiplyAdd(xs, TBlock.Load(ref w, row), a0);
                    if (count > 1) a1 = TBlock.MultiplyAdd(xs, TBlock.Load(ref w, row + Lanes), a1);
                    if (count > 2) a2 = TBlock.MultiplyAdd(xs, TBlock.Load(ref w, row + 2 * Lanes), a2);
                    if (count > 3) a3 = TBlock.MultiplyAdd(xs, TBlock.Load(ref w, row + 3 * Lanes), a3);
                }
                TActivation.Apply(a0).Store(ref y, (nuint)block);
                if (count > 1) TActivation.Apply(a1).Store(ref y, (nuint)(block + Lanes));
                if (count > 2) TActivation.Apply(a2).Store(ref y, (nuint)(block + 2 * Lanes));
                if (count > 3) TActivation.Apply(a3).Store(ref y, (nuint)(block + 3 * Lanes));
            }
        }
        if (block == outputs) return;
        var rest = outputs - block;
        ref var acc = ref Simd.At(output, block);
        for (var i = 0; i < input.Length; i++)
        {
            var x = input[i];
            if (x != 0f) Simd.MultiplyAdd(ref acc, ref Simd.At(weights, i * outputs + block), x, rest);
        }
        TActivation.Apply(output.Slice(block));
    }

    /// <summary>One image's backward pass without the weight gradient (see <see cref="WeightGradient"/>): accumulates
    /// (+=) the bias gradient and overwrites <paramref name="inputGradient"/> unless it is empty, dIn[i] = W[i, :] · dOut.
    /// Up to four rows at a time, each a block-wide product summed once at the end, so the rows' sums overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, Span<float> inputGradient,
        Span<float> biasGradient)
    {
        var outputs = outputGradient.Length;
        if (biasGradient.Length != outputs) throw new ArgumentException($"Dense bias gradient has {biasGradient.Length} values, expected {outputs}.");
        Sum.AddInto(biasGradient, outputGradient);
        if (inputGradient.IsEmpty) return;
        var inputs = inputGradient.Length;
        if (weights.Length != inputs * outputs)
            throw new ArgumentException($"Dense weights ({weights.Length}) do not match {inputs} inputs x {outputs} outputs.");
        if (Block512.IsAccelerated) InputGradient<Block512>(weights, outputGradient, inputGradient);
        else if (Block256.IsAccelerated) InputGradient<Block256>(weights, outputGradient, inputGradient);
        else InputGradient<Block128>(weights, outputGradient, inputGradient);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // as Forward<TActivation, TBlock>
    private static void InputGradient<TBlock>(ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        int outputs = outputGradient.Length, inputs = inputGradient.Length, count = PassBlocks<TBlock>();
        ref var w = ref MemoryMarshal.GetReference(weights);
        ref var g = ref MemoryMarshal.GetReference(outputGradient);
        var i = 0;
        if (TBlock.IsAccelerated && outputs % Lanes == 0)
        {
            for (; i + count <= inputs; i += count)
            {
                TBlock s0 = default, s1 = default, s2 = default, s3 = default;
                for (var o = 0; o < outputs; o += Lanes)
                {
                    var gv = TBlock.Load(ref g, (nuint)o);
                    s0 = TBlock.MultiplyAdd(TBlock.Load(ref w, (nuint)(i * outputs + o)), gv, s0);
                    if (count > 1) s1 = TBlock.MultiplyAdd(TBlock.Load(ref w, (nuint)((i + 1) * outputs + o)), gv, s1);
                    if (count > 2) s2 = TBlock.MultiplyAdd(TBlock.Load(ref w, (nuint)((i + 2) * outputs + o)), gv, s2);
                    if (count > 3) s3 = TBlock.MultiplyAdd(TBlock.Load(ref w, (nuint)((i + 3) * outputs + o)), gv, s3);
                }
                inputGradient[i] = s0.Sum();
                if (count > 1) inputGradient[i + 1] = s1.Sum();
                if (count > 2) inputGradient[i + 2] = s2.Sum();
                if (count > 3) inputGradient[i + 3] = s3.Sum();
            }
        }
        for (; i < inputs; i++) inputGradient[i] = Simd.Dot(ref Unsafe.Add(ref w, i * outputs), ref g, outputs);
    }

    /// <summary>dW[i, :] += Σ_images x_image[i] · dOut_image for <paramref name="count"/> images at once (inputs and
    /// output gradients image after image): each weight row is read and written once for all of them rather than once
    /// per image, which matters because W is larger than the L1 cache. Each weight sums its images in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int count, Span<float> weightGradient)
    {
        var (inputLength, outputs) = CheckImages(inputs, outputGradients, count, weightGradient);
        if (Block512.IsAccelerated) WeightGradientRows<Block512>(inputs, outputGradients, count, weightGradient, 0, inputLength, fromZero: false, inputLength, outputs);
        else if (Block256.IsAccelerated) WeightGradientRows<Block256>(inputs, outputGradients, count, weightGradient, 0, inputLength, fromZero: false, inputLength, outputs);
        else WeightGradientRows<Block128>(inputs, outputGradients, count, weightGradient, 0, inputLength, fromZero: false, inputLength, outputs);
    }

    /// <summary>Half <paramref name="half"/> of the rows of dW (<see cref="CoreTeam.Half"/>) for a whole batch cut into
    /// two shards, images 0 … <paramref name="split"/> − 1 and <paramref name="split"/> … <paramref name="count"/> − 1:
    /// dW = (Σ over the first shard's images) + (Σ over the second's), overwritten. Each shard's sum starts at zero and
    /// adds its images in order, so the bits are those of <see cref="WeightGradient"/> run on each shard into a zeroed
    /// buffer and the two buffers added, while no shard keeps a buffer of these weights' gradients: each core computes
    /// its half of the rows from both shards' activations (arch1's hidden layer: 25 KB a shard) instead of reading the
    /// other shard's partial sums (half the weights: 100 KB).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradientOfShards(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int split, int count, int half,
        Span<float> weightGradient)
    {
        if ((uint)split > (uint)count) throw new ArgumentOutOfRangeException(nameof(split), split, $"The first shard's {split} images are not within the batch's {count}.");
        var (inputLength, outputs) = CheckImages(inputs, outputGradients, count, weightGradient);
        var (firstRow, rows) = RowHalf(inputLength, half);
        if (Block512.IsAccelerated) WeightGradientOfShards<Block512>(inputs, outputGradients, split, count, weightGradient, outputs, firstRow, rows);
        else if (Block256.IsAccelerated) WeightGradientOfShards<Block256>(inputs, outputGradients, split, count, weightGradient, outputs, firstRow, rows);
        else WeightGradientOfShards<Block128>(inputs, outputGradients, split, count, weightGradient, outputs, firstRow, rows);
    }

    /// <summary>Floats of the second shard's sums held at once: 16 KB, in the first-level cache beside the rows they
    /// are added to (more where 16 rows are longer).</summary>
    private const int SecondShardFloats = 4096;

    /// <summary>Rows are shared out between the cores, and tiled, in blocks of this many: the block of rows the columns
    /// past the last 16 outputs take at a time (<see cref="Lanes"/>), so each weight takes the same path (vector or
    /// scalar multiply-adds) as in <see cref="WeightGradient"/>; and 16 rows hold a multiple of 16 floats, whole cache
    /// lines where the layer's weights start on one.</summary>
    public const int RowCut = Lanes;

    /// <summary>Half <paramref name="half"/> (0 or 1) of a layer's <paramref name="rows"/> rows, cut at a multiple of
    /// <see cref="RowCut"/>: the rows <see cref="WeightGradientOfShards"/> computes on that core, and so the parameters
    /// that core then updates (<see cref="WeightRows.Half"/>).</summary>
    public static (int First, int Rows) RowHalf(int rows, int half) => CoreTeam.Half(rows, half, multipleOf: RowCut);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // as Forward<TActivation, TBlock>
    private static void WeightGradientOfShards<TBlock>(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int split, int count,
        Span<float> weightGradient, int outputs, int firstRow, int rows)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var inputLength = inputs.Length / count;
        if (split == ShardOfEight && count == 2 * ShardOfEight && TBlock.Accumulators >= 2 * ShardOfEight + 2)
        {
            TwoShardsOfEight<TBlock>(inputs, outputGradients, weightGradient, inputLength, outputs, firstRow, firstRow + rows);
            return;
        }
        // Tiles of whole blocks of RowCut rows, as the halves: the outputs past the last block of 16 take a block of rows
        // at a time from the first row on (WeightGradientRows), and these keep the same rows in the same blocks.
        var tileRows = Math.Max(1, SecondShardFloats / outputs / RowCut) * RowCut;
        ReadOnlySpan<float> x0 = inputs.Slice(0, split * inputLength), g0 = outputGradients.Slice(0, split * outputs);
        ReadOnlySpan<float> x1 = inputs.Slice(split * inputLength), g1 = outputGradients.Slice(split * outputs);
        var second = Scratch.SecondShard(Math.Min(tileRows, Math.Max(rows, 1)) * outputs);
        // A tile of rows at a time: the first shard's sums into dW, the second's into the scratch, then added to them
        // while both are in the first-level cache.
        for (var row = firstRow; row < firstRow + rows; row += tileRows)
        {
            var end = Math.Min(row + tileRows, firstRow + rows);
            var tile = weightGradient.Slice(row * outputs, (end - row) * outputs);
            var secondTile = second.Slice(0, tile.Length);
            WeightGradientRows<TBlock>(x0, g0, split, tile, row, end, fromZero: true, inputLength, outputs);
            WeightGradientRows<TBlock>(x1, g1, count - split, secondTile, row, end, fromZero: true, inputLength, outputs);
            Sum.AddInto(tile, secondTile);
        }
    }

    /// <summary>A shard of the default batch (16 images, two shards).</summary>
    private const int ShardOfEight = 8;

    /// <summary>Two shards of eight images where sixteen images' gradients fit in registers beside the two sums (AVX-512's
    /// 32 registers): each weight's two sums in one sweep down the rows, added and stored once, where the general way
    /// above writes the first shard's sums, the second's elsewhere, then reads both back to add them. On the Zen 5 a
    /// core's half of arch1's sums (392 of the 784 × 64 rows, and 3,400 other parameters) took 8.1–8.6 µs the general
    /// way, 4.7–5.3 this way. The same multiply-adds in the same order.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // as Forward<TActivation, TBlock>
    private static void TwoShardsOfEight<TBlock>(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, Span<float> weightGradient,
        int inputLength, int outputs, int firstRow, int endRow)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        ref var x = ref MemoryMarshal.GetReference(inputs);
        ref var g = ref MemoryMarshal.GetReference(outputGradients);
        ref var dw = ref MemoryMarshal.GetReference(weightGradient);
        ref var secondX = ref Unsafe.Add(ref x, ShardOfEight * inputLength);
        var o = 0;
        for (; o + Lanes <= outputs; o += Lanes)
        {
            ref var ga = ref Unsafe.Add(ref g, o);
            ref var gb = ref Unsafe.Add(ref g, ShardOfEight * outputs + o);
            TBlock a0 = TBlock.Load(ref ga), a1 = TBlock.Load(ref ga, (nuint)outputs), a2 = TBlock.Load(ref ga, (nuint)(2 * outputs)),
                a3 = TBlock.Load(ref ga, (nuint)(3 * outputs)), a4 = TBlock.Load(ref ga, (nuint)(4 * outputs)), a5 = TBlock.Load(ref ga, (nuint)(5 * outputs)),
                a6 = TBlock.Load(ref ga, (nuint)(6 * outputs)), a7 = TBlock.Load(ref ga, (nuint)(7 * outputs));
            TBlock b0 = TBlock.Load(ref gb), b1 = TBlock.Load(ref gb, (nuint)outputs), b2 = TBlock.Load(ref gb, (nuint)(2 * outputs)),
                b3 = TBlock.Load(ref gb, (nuint)(3 * outputs)), b4 = TBlock.Load(ref gb, (nuint)(4 * outputs)), b5 = TBlock.Load(ref gb, (nuint)(5 * outputs)),
                b6 = TBlock.Load(ref gb, (nuint)(6 * outputs)), b7 = TBlock.Load(ref gb, (nuint)(7 * outputs));
            for (var i = firstRow; i < endRow; i++)
            {
                var first = SumOfEight(ref Unsafe.Add(ref x, i), inputLength, a0, a1, a2, a3, a4, a5, a6, a7);
                var second = SumOfEight(ref Unsafe.Add(ref secondX, i), inputLength, b0, b1, b2, b3, b4, b5, b6, b7);
                (first + second).Store(ref Unsafe.Add(ref dw, i * outputs + o));
            }
        }
        // The outputs past the last whole block, as WeightGradientRows does them (a block of rows at a time, then the
        // rest one by one), each shard's sum from zero.
        Span<float> column = stackalloc float[Lanes];
        ref var c = ref MemoryMarshal.GetReference(column);
        for (; o < outputs; o++)
        {
            var i = firstRow;
            for (; i + Lanes <= endRow; i += Lanes)
            {
                TBlock first = TBlock.Zero, second = TBlock.Zero;
                for (var image = 0; image < ShardOfEight; image++)
                {
                    first = TBlock.MultiplyAdd(TBlock.Load(ref x, (nuint)(image * inputLength + i)), TBlock.Broadcast(Unsafe.Add(ref g, image * outputs + o)), first);
                    second = TBlock.MultiplyAdd(TBlock.Load(ref secondX, (nuint)(image * inputLength + i)),
                        TBlock.Broadcast(Unsafe.Add(ref g, (ShardOfEight + image) * outputs + o)), second);
                }
                (first + second).Store(ref c);
                for (var k = 0; k < Lanes; k++) Unsafe.Add(ref dw, (i + k) * outputs + o) = Unsafe.Add(ref c, k);
            }
            for (; i < endRow; i++)
            {
                float first = 0f, second = 0f;
                for (var image = 0; image < ShardOfEight; image++)
                {
                    first = float.MultiplyAddEstimate(Unsafe.Add(ref x, image * inputLength + i), Unsafe.Add(ref g, image * outputs + o), first);
                    second = float.MultiplyAddEstimate(Unsafe.Add(ref secondX, image * inputLength + i), Unsafe.Add(ref g, (ShardOfEight + image) * outputs + o), second);
                }
                Unsafe.Add(ref dw, i * outputs + o) = first + second;
            }
        }
    }

    /// <summary>Σ x_k · g_k over a shard's eight images from zero, in image order: x_k the input <paramref name="apart"/> ×
    /// k floats after <paramref name="x"/>, g_k its output gradients, held in registers by the caller.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TBlock SumOfEight<TBlock>(ref float x, int apart, TBlock g0, TBlock g1, TBlock g2, TBlock g3, TBlock g4, TBlock g5, TBlock g6, TBlock g7)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        var sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in x), g0, TBlock.Zero);
        sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, apart)), g1, sum);
        sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, 2 * apart)), g2, sum);
        sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, 3 * apart)), g3, sum);
        sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, 4 * apart)), g4, sum);
        sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, 5 * apart)), g5, sum);
        sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, 6 * apart)), g6, sum);
        return TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref x, 7 * apart)), g7, sum);
    }

    /// <summary>Images whose gradients one pass holds in registers: eight where they fit beside the running sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PassImages<TBlock>() where TBlock : unmanaged, IChannelBlock<TBlock> => TBlock.Accumulators < 8 ? TBlock.Accumulators : 8;

    /// <summary>Rows <paramref name="firstRow"/> … <paramref name="endRow"/> − 1 of dW over <paramref name="count"/>
    /// images, in <paramref name="rowsOfDw"/>, which holds just those rows. <paramref name="fromZero"/>: each sum starts
    /// at zero (the same bits as adding into zeros) instead of at what the rows hold.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // as Forward<TActivation, TBlock>
    private static void WeightGradientRows<TBlock>(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int count, Span<float> rowsOfDw,
        int firstRow, int endRow, bool fromZero, int inputLength, int outputs)
        where TBlock : unmanaged, IChannelBlock<TBlock>
    {
        if (count == 0)
        {
            if (fromZero) rowsOfDw.Clear(); // no image: a sum of nothing
            return;
        }
        var pass = PassImages<TBlock>();
        ref var x = ref MemoryMarshal.GetReference(inputs);
        ref var g = ref MemoryMarshal.GetReference(outputGradients);
        // Row i of dW at dw + (i − firstRow) * outputs: the rows held.
        ref var dw = ref MemoryMarshal.GetReference(rowsOfDw);
        var o = 0;
        if (TBlock.IsAccelerated)
        {
            // Sixteen outputs at a time, up to eight images' gradients held in registers while every weight row streams
            // past: one broadcast input per multiply-add, one load and store of the weight gradient per pass.
            for (; o + Lanes <= outputs; o += Lanes)
            {
                var image = 0;
                for (; image + pass <= count; image += pass)
                {
                    var start = fromZero && image == 0;
                    ref var gi = ref Unsafe.Add(ref g, image * outputs + o);
                    var g0 = TBlock.Load(ref gi);
                    var g1 = pass > 1 ? TBlock.Load(ref gi, (nuint)outputs) : default;
                    var g2 = pass > 2 ? TBlock.Load(ref gi, (nuint)(2 * outputs)) : default;
                    var g3 = pass > 3 ? TBlock.Load(ref gi, (nuint)(3 * outputs)) : default;
                    var g4 = pass > 4 ? TBlock.Load(ref gi, (nuint)(4 * outputs)) : default;
                    var g5 = pass > 5 ? TBlock.Load(ref gi, (nuint)(5 * outputs)) : default;
                    var g6 = pass > 6 ? TBlock.Load(ref gi, (nuint)(6 * outputs)) : default;
                    var g7 = pass > 7 ? TBlock.Load(ref gi, (nuint)(7 * outputs)) : default;
                    ref var xi = ref Unsafe.Add(ref x, image * inputLength);
                    for (var i = firstRow; i < endRow; i++)
                    {
                        ref var row = ref Unsafe.Add(ref dw, (i - firstRow) * outputs + o);
                        ref var xs = ref Unsafe.Add(ref xi, i);
                        var sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in xs), g0, start ? TBlock.Zero : TBlock.Load(ref row));
                        if (pass > 1) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, inputLength)), g1, sum);
                        if (pass > 2) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, 2 * inputLength)), g2, sum);
                        if (pass > 3) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, 3 * inputLength)), g3, sum);
                        if (pass > 4) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, 4 * inputLength)), g4, sum);
                        if (pass > 5) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, 5 * inputLength)), g5, sum);
                        if (pass > 6) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, 6 * inputLength)), g6, sum);
                        if (pass > 7) sum = TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xs, 7 * inputLength)), g7, sum);
                        sum.Store(ref row);
                    }
                }
                for (; image < count; image++)
                {
                    var start = fromZero && image == 0;
                    var gv = TBlock.Load(ref g, (nuint)(image * outputs + o));
                    ref var xi = ref Unsafe.Add(ref x, image * inputLength);
                    for (var i = firstRow; i < endRow; i++)
                    {
                        ref var row = ref Unsafe.Add(ref dw, (i - firstRow) * outputs + o);
                        TBlock.MultiplyAdd(TBlock.LoadBroadcast(in Unsafe.Add(ref xi, i)), gv, start ? TBlock.Zero : TBlock.Load(ref row)).Store(ref row);
                    }
                }
            }
        }
        // The outputs past the last whole block (all ten of a 10-class layer): a block of inputs at a time, the output's
        // column of dW gathered into a block, its images' multiply-adds in order, scattered back. Each weight sums its
        // images in the order above, so the bits are the same as one weight at a time, which took 2.9 µs for a 64 → 10
        // layer's eight images on the Zen 5 (dependent scalar multiply-adds), 0.93 µs this way.
        Span<float> column = stackalloc float[Lanes];
        ref var c = ref MemoryMarshal.GetReference(column);
        for (; o < outputs; o++)
        {
            var i = firstRow;
            if (TBlock.IsAccelerated)
            {
                for (; i + Lanes <= endRow; i += Lanes)
                {
                    for (var k = 0; k < Lanes; k++) Unsafe.Add(ref c, k) = fromZero ? 0f : Unsafe.Add(ref dw, (i + k - firstRow) * outputs + o);
                    var sum = TBlock.Load(ref c);
                    for (var image = 0; image < count; image++)
                        sum = TBlock.MultiplyAdd(TBlock.Load(ref x, (nuint)(image * inputLength + i)), TBlock.Broadcast(Unsafe.Add(ref g, image * outputs + o)), sum);
                    sum.Store(ref c);
                    for (var k = 0; k < Lanes; k++) Unsafe.Add(ref dw, (i + k - firstRow) * outputs + o) = Unsafe.Add(ref c, k);
                }
            }
            for (; i < endRow; i++)
            {
                ref var target = ref Unsafe.Add(ref dw, (i - firstRow) * outputs + o);
                var sum = fromZero ? 0f : target;
                for (var image = 0; image < count; image++)
                    sum = float.MultiplyAddEstimate(Unsafe.Add(ref x, image * inputLength + i), Unsafe.Add(ref g, image * outputs + o), sum);
                target = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int InputLength, int Outputs) CheckImages(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int count, Span<float> weightGradient)
    {
        if (count < 1 || inputs.Length % count != 0 || outputGradients.Length % count != 0)
            throw new ArgumentException($"Dense inputs ({inputs.Length}) and output gradients ({outputGradients.Length}) are not {count} images.");
        int inputLength = inputs.Length / count, outputs = outputGradients.Length / count;
        if (weightGradient.Length != inputLength * outputs)
            throw new ArgumentException($"Dense weight gradient ({weightGradient.Length}) does not match {inputLength} inputs x {outputs} outputs.");
        return (inputLength, outputs);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int outputs)
    {
        if (weights.Length != input.Length * outputs || bias.Length != outputs)
            throw new ArgumentException($"Dense buffers (in {input.Length}, weights {weights.Length}, bias {bias.Length}) do not match {outputs} outputs.");
    }
}
