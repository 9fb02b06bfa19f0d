namespace StaticConvNet.Kernels;

/// <summary>Sixteen channels' floats as the machine holds them: the unit every fast kernel works in. One Vector512
/// with AVX-512, two Vector256 with AVX2, four Vector128 on SSE, ARM64 and WebAssembly. A kernel is written once,
/// generic over its block type, and the JIT compiles it for the widest block this machine accelerates, as it compiles
/// it for each layer's shape; the data layouts (16-channel groups) are the same on every tier.
///
/// <see cref="MultiplyAdd"/> is fused where the hardware fuses (AVX-512, AVX2 with FMA, ARM64) and a multiply then
/// an add where it has no fused multiply-add (x64 without FMA, WebAssembly without relaxed SIMD): never a fused
/// multiply-add emulated in software. So results on those tiers round differently (docs/performance.md).</summary>
public interface IChannelBlock<TSelf> where TSelf : unmanaged, IChannelBlock<TSelf>
{
    /// <summary>Floats in a block: the channel group of every layout.</summary>
    const int Lanes = 16;

    /// <summary>Whether the JIT accelerates this block's vectors here (a constant of the machine, folded by the JIT).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>How many blocks a register-blocked kernel may keep as accumulators beside one operand block and a
    /// broadcast: what the register file holds (32 zmm: 28; 16 ymm, two per block: 6; 16 xmm, four per block: 2;
    /// ARM64's 32 q registers: 6).</summary>
    static abstract int Accumulators { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Load(ref readonly float source);

    static abstract TSelf Load(ref readonly float source, nuint offset);

    static abstract TSelf Broadcast(float value);

    /// <summary>The float at <paramref name="source"/> in every lane. Read through the reference, so the JIT can fold the
    /// load into the instruction that uses it (AVX-512's embedded broadcast): a value passed in a register cannot be.</summary>
    static abstract TSelf LoadBroadcast(ref readonly float source);

    /// <summary>left · right + addend: fused where the hardware has a fused multiply-add, plain elsewhere.</summary>
    static abstract TSelf MultiplyAdd(TSelf left, TSelf right, TSelf addend);

    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>All bits set in the lanes where left == right, none elsewhere.</summary>
    static abstract TSelf Equals(TSelf left, TSelf right);

    /// <summary>All bits set in the lanes where left &gt; right, none elsewhere.</summary>
    static abstract TSelf GreaterThan(TSelf left, TSelf right);

    /// <summary>left's bits where right's are clear.</summary>
    static abstract TSelf AndNot(TSelf left, TSelf right);

    static abstract TSelf operator &(TSelf left, TSelf right);

    static abstract TSelf operator |(TSelf left, TSelf right);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf value);

    static abstract TSelf operator /(TSelf left, float right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>Each lane's square root, correctly rounded (the hardware's).</summary>
    static abstract TSelf Sqrt(TSelf value);

    void Store(ref float target);

    void Store(ref float target, nuint offset);

    /// <summary>The sum of the sixteen floats.</summary>
    float Sum();

    /// <summary>Writes the 16 × 16 floats at <paramref name="source"/> (row r at r · <paramref name="sourceStride"/>)
    /// transposed at <paramref name="target"/>: target[c · targetStride + r] = source[r · sourceStride + c]. In
    /// registers, with the vectors' own shuffles: a scalar transpose moves one float per load and store.</summary>
    static abstract void Transpose(ref readonly float source, nuint sourceStride, ref float target, nuint targetStride);
}
