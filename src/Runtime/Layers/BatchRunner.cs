using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using StaticConvNet.Kernels;

namespace StaticConvNet;

/// <summary>What a generated network supplies to <see cref="BatchRunner"/>: its per-image passes over its own buffers.
/// Each batch slot has its own activations, so different slots may run on different threads at once.</summary>
public interface ISamplePasses
{
    /// <summary>Runs one image (held in batch slot <paramref name="slot"/>) through every layer.</summary>
    void ForwardSample(ReadOnlySpan<float> image, int slot, bool training);

    /// <summary>Lays out, in copy <paramref name="copy"/> (0 … <see cref="LayoutCopies.Count"/> − 1), what the forward
    /// passes read but the images do not change (e.g. convolution kernels in the Winograd domain), skipping what is
    /// already laid out from the current parameters. Called in each call, on the thread that then runs the slots that
    /// read that copy (<see cref="BatchRunner.LayoutCopy"/>), before any of their <see cref="ForwardSample"/>.</summary>
    void PrepareForward(int copy);

    /// <summary>Called by calls that only infer, on the calling thread, before their passes: lays out what inference
    /// alone reads (a BatchNorm folded into the convolution before it, from the parameters, not from
    /// <see cref="PrepareForward"/>'s layouts), once for both cores, skipping what is already laid out. Nothing by default.</summary>
    void PrepareInference() { }

    /// <summary>Lays out, in copy <paramref name="copy"/>, what the backward passes read but the batch does not change
    /// (e.g. convolution weights flipped for the input gradient). Called once per training call and copy, on the thread
    /// that then runs the slots that read it, before any of their <see cref="BackwardSample"/>. The two copies are laid
    /// out at the same time on two threads: they are different buffers, read from the same parameters.</summary>
    void PrepareBackward(int copy);

    /// <summary>Back-propagates the logits' gradient of one image (already in <see cref="LogitsGradient"/> of
    /// <paramref name="slot"/>), ADDING parameter gradients into <paramref name="gradients"/>. Once per runner it runs on a
    /// slot whose forward pass did not run in that call (BatchRunner's compile pass, whose gradient is not kept): the
    /// slot then holds whatever it held, and the pass must not fail on it.</summary>
    void BackwardSample(ReadOnlySpan<float> image, int slot, Span<float> gradients);

    /// <summary>After the <see cref="BackwardSample"/> of a shard's images (batch slots <paramref name="first"/> …
    /// <paramref name="first"/> + <paramref name="count"/> − 1, whose images are <paramref name="images"/>): ADDS the
    /// parameter gradients that are cheaper summed over several images at once: exactly those of
    /// <see cref="WholeBatchWeights"/>. Not called in a training batch of one pass, which computes them with
    /// <see cref="WholeBatchWeightGradients"/> instead.</summary>
    void AccumulateShardGradients(ReadOnlySpan<float> images, int first, int count, Span<float> gradients);

    /// <summary>The weights whose gradients <see cref="AccumulateShardGradients"/> writes, as whole arrays of rows, in
    /// order (dense layers' weights). A training batch that runs in one pass leaves them out of the shards' buffers and
    /// has <see cref="WholeBatchWeightGradients"/> compute them instead, after both shards' passes. None by default.</summary>
    ReadOnlySpan<WeightRows> WholeBatchWeights => [];

    /// <summary>After both shards' passes over batch slots 0 … <paramref name="count"/> − 1 (whose images are
    /// <paramref name="images"/>), the first shard holding slots 0 … <paramref name="split"/> − 1: the gradients of half
    /// <paramref name="half"/> (0 or 1) of each <see cref="WholeBatchWeights"/> layer's rows (<see cref="WeightRows.Half"/>),
    /// WRITTEN into <paramref name="gradients"/> with the bits of <see cref="AccumulateShardGradients"/> run on each shard
    /// into zeros and the two added. The two halves run at once, one on each core. Once per runner it runs on slots
    /// another core is writing (BatchRunner's compile pass, whose result is not kept): it must not fail on their values.
    /// Nothing by default.</summary>
    void WholeBatchWeightGradients(ReadOnlySpan<float> images, int split, int count, int half, Span<float> gradients) { }

    /// <summary>Layer <paramref name="layer"/>'s forward pass alone, as <see cref="ForwardSample"/> runs it (it reads the
    /// previous layer's output in the slot), except that a BatchNorm folded into its convolution at inference runs on
    /// its own here: for profiling one layer.</summary>
    void ForwardLayer(int layer, ReadOnlySpan<float> image, int slot, bool training);

    /// <summary>Layer <paramref name="layer"/>'s backward pass alone, exactly as <see cref="BackwardSample"/> runs it.</summary>
    void BackwardLayer(int layer, ReadOnlySpan<float> image, int slot, Span<float> gradients);

    /// <summary>How many layers normalise with the whole batch's statistics (BatchNorm). A training pass then runs in
    /// that many + 1 stages, every image through one stage before the batch's statistics are taken for the next;
    /// 0: one stage, <see cref="ForwardSample"/> and <see cref="BackwardSample"/> (the defaults below are for that case:
    /// a network with such layers implements all five).</summary>
    int BatchStages { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => 0; }

    /// <summary>Training stage <paramref name="stage"/> (0 … <see cref="BatchStages"/>) of one image: from the stage's
    /// batch layer (stage 0: the first layer) to the next one, exclusive.</summary>
    void ForwardStage(int stage, ReadOnlySpan<float> image, int slot)
    {
        if (stage != 0) throw new ArgumentOutOfRangeException(nameof(stage), stage, "This network trains in one stage.");
        ForwardSample(image, slot, training: true);
    }

    /// <summary>Before <see cref="ForwardStage"/> of stage <paramref name="stage"/> (1 … <see cref="BatchStages"/>): the
    /// stage's batch layer takes the statistics of its inputs in slots 0 … <paramref name="count"/> − 1 (the batch's
    /// <paramref name="images"/>, when it reads them) and, when <paramref name="update"/>, moves its running statistics.</summary>
    void BatchStatistics(int stage, ReadOnlySpan<float> images, int count, bool update)
        => throw new ArgumentOutOfRangeException(nameof(stage), stage, "This network has no layer that needs the whole batch.");

    /// <summary>The backward pass of one image's stage <paramref name="stage"/>, in reverse: the next stage's batch
    /// layer first (its batch sums taken), then the stage's other layers; ADDS parameter gradients.</summary>
    void BackwardStage(int stage, ReadOnlySpan<float> image, int slot, Span<float> gradients)
    {
        if (stage != 0) throw new ArgumentOutOfRangeException(nameof(stage), stage, "This network trains in one stage.");
        BackwardSample(image, slot, gradients);
    }

    /// <summary>After <see cref="BackwardStage"/> of stage <paramref name="stage"/> (1 … <see cref="BatchStages"/>) for
    /// every image: the sums over the batch its batch layer's backward pass reads, and that layer's parameter
    /// gradients, ADDED into <paramref name="gradients"/>.</summary>
    void BatchGradients(int stage, ReadOnlySpan<float> images, int count, Span<float> gradients)
        => throw new ArgumentOutOfRangeException(nameof(stage), stage, "This network has no layer that needs the whole batch.");

    /// <summary>The logits <see cref="ForwardSample"/> left in slot <paramref name="slot"/>.</summary>
    Span<float> Logits(int slot);

    /// <summary>Where the loss puts the gradient of slot <paramref name="slot"/>'s logits for <see cref="BackwardSample"/>.</summary>
    Span<float> LogitsGradient(int slot);
}

/// <summary>The part of a generated network's public surface that does not depend on its layers: argument checks,
/// batches, shards over cores and the loss. The network supplies only its per-image passes.</summary>
/// <remarks>Results are the same bits on one core or many: a batch is cut into <see cref="GradientShards"/> fixed
/// shards, each summing its images in slot order into its own gradient buffer, and the shards are summed in shard
/// order. Nothing allocates after construction, except the room to keep the logits of a training batch larger than the
/// capacity the first time one comes. One call at a time per instance: a call made while another runs on
/// another thread throws <see cref="InvalidOperationException"/> rather than sharing the buffers.</remarks>
public sealed class BatchRunner
{
    /// <summary>A constant, not the core count, so the shard split (and with it the order of every float sum) is the
    /// same on every machine.</summary>
    /// <remarks>Two, for the two halves <see cref="CoreTeam"/> runs at once.</remarks>
    public const int GradientShards = 2;

    private readonly ISamplePasses _network;
    private readonly LayerShape _input;
    private readonly int _inputLength;
    private readonly int _classes;
    private readonly int _batchCapacity;

    // One gradient buffer per shard, so shards never write the same floats, and their sum (Gradients). Each starts on a
    // cache line, and so do the cuts between the cores' halves of it (GradientHalves), but for a dense layer's row cut
    // where the layer's weights do not start on a line.
    private readonly AlignedFloats[] _shardGradients;
    private readonly AlignedFloats _gradients;

    // Which gradients each core sums and updates (GradientHalves). In a batch of one pass the network's
    // WholeBatchWeights are not in the shards' buffers: the two cores compute their gradients after the passes, each
    // half of every such layer's rows from both shards' values (SumHalf). Summed per shard and then added, arch1's
    // 50,176 dense weights cost each core a clear of them, a pass over them per shard and, in the sum, a read of the
    // other shard's partial sums (100 KB) from the other core's cache.
    private readonly GradientHalves _halves;
    private bool _wholeBatchThisCall; // this call's batch runs in one pass and the network has whole-batch weights
    private readonly float[] _shardLosses = new float[GradientShards];

    // The pass's images, read where the caller keeps them: the shard delegates run on other threads and cannot capture a
    // span, so the call pins the caller's images and they read them through this pointer, valid until the call returns
    // (BatchImages). They were copied in, on this core, before the shards started: in a training step that read the
    // half of the batch the helper had just filled (StepBatches) across the cores, and the helper read it back.
    private unsafe float* _passImages;
    private readonly int[] _batchLabels;
    private readonly int[] _batchPredictions;
    private int _batchCount;

    // A batch larger than the capacity runs as passes of up to _batchCapacity images: the first image of this pass,
    // and the whole batch's size (the mean's divisor).
    private int _passFirst;
    private int _batchTotal;

    // Images of the last training batch whose logits TrainingLogits may read (0 once another call ran the network).
    private int _lastTrainingCount;

    // The logits of every image of the last training batch, kept only when it took more than one pass (otherwise
    // the slots hold them); grown to the largest such batch seen.
    private float[] _passLogits = [];

    // Made once here, so that neither a training step nor a batch of predictions allocates a delegate.
    private readonly Action<int> _trainShard;
    private readonly Action<int> _predictShard;
    private readonly Action<int> _forwardStageShard;
    private readonly Action<int> _backwardStageShard;
    private readonly Action<int> _compileShard;
    private readonly Action<int> _sumHalf;

    // Which layout copy each batch slot's passes read (LayoutCopy), and in which call each copy was last laid out for
    // the forward and the backward passes: a copy is laid out once per call, by the first shard that reads it. Each
    // core writes its own copy's marks, a cache line apart (MarkStride longs), so neither takes a line from the other.
    private const int MarkStride = 8;
    private readonly int[] _slotCopies;
    private readonly long[] _forwardLaidOut = new long[LayoutCopies.Count * MarkStride];
    private readonly long[] _backwardLaidOut = new long[LayoutCopies.Count * MarkStride];
    private long _call;

    // Whether this instance's training passes have run once (see CompileBothHalves).
    private bool _compiled;

    // The stage a staged training pass is running (networks with batch layers).
    private int _stage;

    public BatchRunner(ISamplePasses network, LayerShape input, int classes, int parameterCount, int batchCapacity)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (input.Height < 1 || input.Width < 1 || input.Channels < 1)
            throw new ArgumentOutOfRangeException(nameof(input), input, "Every input dimension must be at least 1.");
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);

        _network = network;
        _input = input;
        _inputLength = input.Length;
        _classes = classes;
        _batchCapacity = batchCapacity;
        _shardGradients = new AlignedFloats[GradientShards];
        for (var s = 0; s < GradientShards; s++) _shardGradients[s] = new AlignedFloats(parameterCount);
        _gradients = new AlignedFloats(parameterCount);
        _halves = new GradientHalves(network.WholeBatchWeights, parameterCount);
        _batchLabels = new int[batchCapacity];
        _batchPredictions = new int[batchCapacity];
        _trainShard = TrainShard;
        _predictShard = PredictShard;
        _forwardStageShard = ForwardStageShard;
        _backwardStageShard = BackwardStageShard;
        _compileShard = CompileShard;
        _sumHalf = SumHalf;
        _slotCopies = new int[batchCapacity];
    }

    /// <summary>Seed of the dropout masks.</summary>
    public ulong DropoutSeed { get; set; }

    /// <summary>Which masks the next training pass draws; <see cref="ComputeGradients"/> advances it by one, so
    /// consecutive steps differ and a resumed run can set it back.</summary>
    public ulong DropoutStep { get; [MethodImpl(MethodImplOptions.AggressiveOptimization)] set; }

    private float? _dropoutRate;

    /// <summary>When set, the rate of every dropout layer (in [0, 1)); null leaves each layer's compiled rate.</summary>
    public float? DropoutRate
    {
        get => _dropoutRate;
        set => _dropoutRate = Dropout.CheckRate(value);
    }

    /// <summary>Gradient of the mean loss from the last <see cref="ComputeGradients"/> call, laid out as the parameters.</summary>
    public Span<float> Gradients { [MethodImpl(MethodImplOptions.AggressiveOptimization)] get => _gradients.Span; }

    /// <summary>The gradients core <paramref name="half"/> (0: the calling thread's, 1: the helper's) summed in the last
    /// training call, in order: a training device updates those parameters on that core, where those lines already are.
    /// <see cref="ParameterHalf"/>, except where a batch of one pass computed whole-batch weights (SumHalf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<ParameterRange> GradientHalf(int half) => _halves.Of(half, _wholeBatchThisCall);

    /// <summary>The parameters whose gradients half <paramref name="half"/> of a training call sums on its core (0: this
    /// core, 1: the helper's): the first half, cut at a multiple of 16 floats, then the rest.
    /// <see cref="CpuTrainingDevice"/>'s update takes the same halves, so each core updates the lines it has just written.</summary>
    public static (int Start, int Length) ParameterHalf(int parameterCount, int half) => CoreTeam.Half(parameterCount, half, multipleOf: 16);

    // 1 while a call runs: the activations, pass pointers and shard buffers are the instance's own, so two calls at
    // once would overwrite each other's (silently wrong answers). An overlapping call fails loudly instead.
    private int _inUse;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Exclusive Enter()
    {
        if (Interlocked.Exchange(ref _inUse, 1) != 0)
        {
            throw new InvalidOperationException($"This {_network.GetType().Name} is already running a call on another thread: a network instance "
                + "runs one call at a time (its activations are buffers of its own). Use one instance per thread, or the baked Classify, which is thread-safe.");
        }
        _call++; // what the last call laid out may be stale: the parameters can change between calls
        return new Exclusive(this);
    }

    private readonly struct Exclusive(BatchRunner runner) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref runner._inUse, 0);
    }

    /// <summary>Which copy of the network's per-call layouts (<see cref="LayoutCopies"/>) the passes of batch slot
    /// <paramref name="slot"/> read: the copy of the thread that runs the slot's shard, laid out by that thread.</summary>
    public int LayoutCopy(int slot) => _slotCopies[slot];

    /// <summary>Before a thread runs slots <paramref name="from"/> … <paramref name="to"/> − 1 in this call: they read
    /// the thread's layout copy, laid out now unless this call already did (a shard run after the other on the same
    /// thread, a later pass). On one core both shards read copy 0, laid out once. A staged pass calls this at stage 0
    /// only: its later stages read the copies stage 0 chose, whichever thread runs them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UseLayouts(int from, int to, bool backward)
    {
        var copy = LayoutCopies.OfThisThread;
        // Written only where it changes: both cores' slots share a cache line, which stays in both caches while unchanged.
        foreach (ref var slot in _slotCopies.AsSpan(from, to - from)) if (slot != copy) slot = copy;
        if (_forwardLaidOut[copy * MarkStride] != _call)
        {
            _network.PrepareForward(copy);
            _forwardLaidOut[copy * MarkStride] = _call;
        }
        if (backward && _backwardLaidOut[copy * MarkStride] != _call)
        {
            _network.PrepareBackward(copy);
            _backwardLaidOut[copy * MarkStride] = _call;
        }
    }

    /// <summary>Which image of the current batch batch slot <paramref name="slot"/> holds: the slot itself unless the
    /// batch is larger than the capacity and runs as several passes. Dropout draws an image's mask by this index, so
    /// every image of a batch gets its own whatever pass it runs in.</summary>
    public int ImageOf(int slot) => _passFirst + slot;

    /// <summary>Logits of one image (inference), computed in slot 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(ReadOnlySpan<float> image, Span<float> logits)
    {
        using var _ = Enter();
        StartPass();
        CheckImage(image);
        if (logits.Length != _classes) throw new ArgumentException($"Expected room for {_classes} logits, got {logits.Length}.", nameof(logits));
        UseLayouts(0, 1, backward: false);
        _network.PrepareInference();
        _network.ForwardSample(image, slot: 0, training: false);
        _network.Logits(0).CopyTo(logits);
    }

    /// <summary>The most likely class of one image: the same as <see cref="Forward"/> then the index of the largest logit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Predict(ReadOnlySpan<float> image)
    {
        using var _ = Enter();
        StartPass();
        CheckImage(image);
        UseLayouts(0, 1, backward: false);
        _network.PrepareInference();
        _network.ForwardSample(image, slot: 0, training: false);
        return TensorPrimitives.IndexOfMax<float>(_network.Logits(0));
    }

    /// <summary>The most likely class of each image laid end to end in <paramref name="images"/>, as many at a time as
    /// a batch holds, with one shard per core.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void PredictBatch(ReadOnlySpan<float> images, Span<int> predictions)
    {
        using var _ = Enter();
        // In long: 5,478,275 predictions of 784 values wrap to 304 in int, and the passes would read past the images.
        if (images.Length != (long)predictions.Length * _inputLength)
            throw new ArgumentException($"{predictions.Length} predictions need {(long)predictions.Length * _inputLength} image values ({_inputLength} per image), got {images.Length}.", nameof(images));
        StartPass();
        _network.PrepareInference(); // the shards lay out their own copies (PredictShard)
        fixed (float* pinned = images)
        {
            try
            {
                for (var first = 0; first < predictions.Length; first += _batchCapacity)
                {
                    _batchCount = Math.Min(_batchCapacity, predictions.Length - first);
                    _passFirst = first;
                    _passImages = pinned + (long)first * _inputLength;
                    RunShards(_predictShard);
                    _batchPredictions.AsSpan(0, _batchCount).CopyTo(predictions.Slice(first));
                }
            }
            finally
            {
                _passImages = null; // the images are pinned only until here
            }
        }
        _passFirst = 0;
    }

    /// <summary>Images <paramref name="slot"/> … <paramref name="slot"/> + <paramref name="count"/> − 1 of the pass under
    /// way, where the caller keeps them (see <see cref="_passImages"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe ReadOnlySpan<float> BatchImages(int slot, int count = 1)
        => new(_passImages + (long)slot * _inputLength, count * _inputLength);

    /// <summary>Before a call runs the network: the slots start at image 0, and the slots' logits stop being the last
    /// training batch's (a batch of several passes kept them apart; they go the same way as one pass's).</summary>
    private void StartPass()
    {
        _passFirst = 0;
        _lastTrainingCount = 0;
    }

    /// <summary>Forward and backward over <paramref name="count"/> images in training mode: fills <see cref="Gradients"/>
    /// with the gradient of the mean softmax cross-entropy and returns that mean.</summary>
    /// <remarks>A batch larger than <c>BatchCapacity</c> runs as passes of up to that many images, one after another;
    /// each shard keeps summing its half of every pass into its own buffer, so the sums' order (and the bits) are the
    /// same on one core or two. They do depend on the capacity, which decides the passes and so which images each shard
    /// sums: a network recompiled with another <c>BatchCapacity</c> trains to slightly different bits.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe float ComputeGradients(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        using var _ = Enter();
        CheckBatch(images, labels, count);
        StartPass(); // a pass that throws leaves no batch's logits to read
        _batchTotal = count;
        var passes = count > _batchCapacity;
        // Several passes keep each shard's sums of every parameter from pass to pass; so does a staged pass.
        _wholeBatchThisCall = !passes && _network.BatchStages == 0 && _halves.HasWholeBatchWeights;
        if (passes && _passLogits.Length < count * _classes) _passLogits = new float[count * _classes];
        fixed (float* pinned = images)
        {
            try
            {
                for (var first = 0; first < count; first += _batchCapacity)
                {
                    _passFirst = first;
                    _batchCount = Math.Min(_batchCapacity, count - first);
                    _passImages = pinned + (long)first * _inputLength;
                    labels.Slice(first, _batchCount).CopyTo(_batchLabels);
                    if (!_compiled) CompileBothHalves();
                    if (_network.BatchStages == 0) RunShards(_trainShard);
                    else TrainInStages();
                    for (var slot = 0; passes && slot < _batchCount; slot++) _network.Logits(slot).CopyTo(_passLogits.AsSpan((first + slot) * _classes));
                }
                // While the images are pinned: a dense layer that reads them has its whole-batch gradient summed here.
                CoreTeam.Run(_sumHalf);
            }
            finally
            {
                _passImages = null; // the images are pinned only until here
            }
        }
        _lastTrainingCount = count;
        _passFirst = 0;
        var lossSum = 0f;
        foreach (var loss in _shardLosses) lossSum += loss;
        DropoutStep++; // the next step draws fresh masks
        return lossSum / count;
    }

    /// <summary>Half of the parameters' gradients, summed over the shards in shard order (the same bits on one core or
    /// two) into <see cref="Gradients"/>, which only this sum writes: each core reads the other's shard for its half
    /// once and writes lines only it holds (but one, where a cut falls), and the update then runs on the same halves
    /// (<see cref="GradientHalf"/>). Summed on one core into shard 0's buffer, as before, arch1's step spent 3.7 µs
    /// here with the other core waiting, then 6.5 µs updating parameters the other core held. In a batch of one pass
    /// the whole-batch weights (<see cref="ISamplePasses.WholeBatchWeights"/>) are not in the shards' buffers: each core
    /// computes half of each such layer's rows from both shards' values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumHalf(int half)
    {
        foreach (var range in _halves.ShardSumsOf(half, _wholeBatchThisCall)) SumShards(range.Offset, range.End);
        // Two shards (GradientShards), the first of them slots 0 … split − 1, as ShardSlots cuts them.
        if (_wholeBatchThisCall) _network.WholeBatchWeightGradients(BatchImages(0, _batchCount), ShardSlots(0).To, _batchCount, half, _gradients.Span);
    }

    /// <summary>Gradients <paramref name="from"/> … <paramref name="to"/> − 1 (none when <paramref name="to"/> is not past
    /// <paramref name="from"/>): the shards' sums, added in shard order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumShards(int from, int to)
    {
        if (to <= from) return;
        var sum = _gradients.Slice(from, to - from);
        Sum.Add(_shardGradients[0].Slice(from, to - from), _shardGradients[1].Slice(from, to - from), sum);
        for (var s = 2; s < GradientShards; s++) Sum.Add(sum, _shardGradients[s].Slice(from, to - from), sum);
    }

    /// <summary>A training pass of a network with batch layers: each forward stage on every image, the next batch
    /// layer's statistics taken between them; then each backward stage in reverse, that layer's batch sums between.
    /// Each stage runs on both cores; the batch sums run on this one, in slot order (the same bits either way).</summary>
    /// <remarks>A batch larger than the capacity runs as several passes, each normalised with its own statistics.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TrainInStages()
    {
        var images = BatchImages(0, _batchCount);
        for (var stage = 0; stage <= _network.BatchStages; stage++)
        {
            if (stage > 0) _network.BatchStatistics(stage, images, _batchCount, update: true);
            _stage = stage;
            RunShards(_forwardStageShard);
        }
        for (var stage = _network.BatchStages; stage >= 0; stage--)
        {
            _stage = stage;
            RunShards(_backwardStageShard);
            if (stage > 0) _network.BatchGradients(stage, images, _batchCount, _shardGradients[0].Span);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardStageShard(int shard)
    {
        var (from, to) = ShardSlots(shard);
        if (_stage == 0)
        {
            UseLayouts(from, to, backward: true);
            StartShard(shard);
        }
        var last = _stage == _network.BatchStages;
        for (var slot = from; slot < to; slot++)
        {
            _network.ForwardStage(_stage, BatchImages(slot), slot);
            if (last) _shardLosses[shard] += SoftmaxCrossEntropy.Compute(_network.Logits(slot), _batchLabels[slot], _network.LogitsGradient(slot), 1f / _batchTotal);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardStageShard(int shard)
    {
        var (from, to) = ShardSlots(shard);
        var gradients = _shardGradients[shard].Span;
        for (var slot = from; slot < to; slot++) _network.BackwardStage(_stage, BatchImages(slot), slot, gradients);
        if (_stage == 0 && to > from) _network.AccumulateShardGradients(BatchImages(from, to - from), from, to - from, gradients);
    }

    /// <summary>Logits the last training pass computed for image <paramref name="index"/> of its batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> TrainingLogits(int index)
    {
        var held = Math.Max(_batchCapacity, _lastTrainingCount);
        if ((uint)index >= (uint)held) throw new ArgumentOutOfRangeException(nameof(index), index, $"The last batch holds 0..{held - 1}.");
        return _lastTrainingCount > _batchCapacity ? _passLogits.AsSpan(index * _classes, _classes) : _network.Logits(index);
    }

    /// <summary>Mean softmax cross-entropy without gradients, one image after another on the calling thread (a batch
    /// larger than the capacity, one pass of slots after another).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float ComputeLoss(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, bool training)
    {
        using var _ = Enter();
        CheckBatch(images, labels, count);
        StartPass();
        UseLayouts(0, _batchCapacity, backward: false);
        if (training && _network.BatchStages > 0) return StagedLoss(images, labels, count);
        if (!training) _network.PrepareInference();
        var lossSum = 0f;
        for (var image = 0; image < count; image++)
        {
            var slot = image % _batchCapacity;
            _passFirst = image - slot;
            _network.ForwardSample(images.Slice(image * _inputLength, _inputLength), slot, training);
            lossSum += SoftmaxCrossEntropy.Loss(_network.Logits(slot), labels[image]);
        }
        _passFirst = 0;
        return lossSum / count;
    }

    /// <summary>The training-mode loss of a network with batch layers: passes of up to the capacity, each stage on every
    /// image before the next, normalised with each pass's statistics (the running statistics stay as they are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float StagedLoss(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        var lossSum = 0f;
        for (var first = 0; first < count; first += _batchCapacity)
        {
            var passCount = Math.Min(_batchCapacity, count - first);
            var pass = images.Slice(first * _inputLength, passCount * _inputLength);
            _passFirst = first;
            for (var stage = 0; stage <= _network.BatchStages; stage++)
            {
                if (stage > 0) _network.BatchStatistics(stage, pass, passCount, update: false);
                for (var slot = 0; slot < passCount; slot++) _network.ForwardStage(stage, pass.Slice(slot * _inputLength, _inputLength), slot);
            }
            for (var slot = 0; slot < passCount; slot++) lossSum += SoftmaxCrossEntropy.Loss(_network.Logits(slot), labels[first + slot]);
        }
        _passFirst = 0;
        return lossSum / count;
    }

    /// <summary>Runs <paramref name="shard"/> for every shard of the current batch: one per core when there is more than
    /// one image and more than one core. Which images a shard sums does not depend on which way it runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunShards(Action<int> shard)
    {
        if (_batchCount > 1) CoreTeam.Run(shard);
        else for (var s = 0; s < GradientShards; s++) shard(s);
    }

    /// <summary>The batch slots shard <paramref name="shard"/> owns: a fixed, contiguous range (empty for the last
    /// shards of a small batch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int From, int To) ShardSlots(int shard)
    {
        var shardSize = (_batchCount + GradientShards - 1) / GradientShards;
        return (Math.Min(shard * shardSize, _batchCount), Math.Min((shard + 1) * shardSize, _batchCount));
    }

    /// <summary>Forward, loss and backward for one shard's images, gradients into that shard's own buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TrainShard(int shard)
    {
        var (from, to) = ShardSlots(shard);
        var gradients = _shardGradients[shard].Span;
        UseLayouts(from, to, backward: true);
        StartShard(shard);
        var lossSum = 0f;
        for (var slot = from; slot < to; slot++)
        {
            var image = BatchImages(slot);
            _network.ForwardSample(image, slot, training: true);
            lossSum += SoftmaxCrossEntropy.Compute(_network.Logits(slot), _batchLabels[slot], _network.LogitsGradient(slot), 1f / _batchTotal);
            _network.BackwardSample(image, slot, gradients);
        }
        if (to > from && !_wholeBatchThisCall) _network.AccumulateShardGradients(BatchImages(from, to - from), from, to - from, gradients);
        _shardLosses[shard] += lossSum;
    }

    /// <summary>The first training pass of a process compiles the network's kernels (the JIT: 65–135 ms for the notebook's
    /// networks, most of the first step). Both shards would call the same methods at the same moment, and one would
    /// wait while the other compiled each, so before a runner's first training pass this core runs one image forward
    /// (compiling the forward kernels) while the helper runs one backward and the whole-batch weight gradients
    /// (compiling the backward ones). Nothing it computes is kept: the activations and the shard's gradient are
    /// overwritten by the pass that follows, or never read (the whole-batch rows of the buffer), so the bits
    /// are those of a run without it. Once per runner (a second instance of the same network repeats it, compiling
    /// nothing: about one image's passes); only where the shards run on two cores, and for networks trained in one
    /// stage (no BatchNorm). Should the helper be busy with another caller's job, both halves run here, one after the
    /// other, as any job's do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CompileBothHalves()
    {
        _compiled = true;
        if (_network.BatchStages == 0 && _batchCount > 1 && CoreTeam.IsParallel) CoreTeam.Run(_compileShard);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CompileShard(int shard)
    {
        var (from, to) = ShardSlots(shard);
        var image = BatchImages(from);
        UseLayouts(from, to, backward: true);
        if (shard == 0)
        {
            _network.ForwardSample(image, from, training: true);
            SoftmaxCrossEntropy.Compute(_network.Logits(from), _batchLabels[from], _network.LogitsGradient(from), 1f / _batchTotal);
        }
        else
        {
            // The slot holds whatever it held (zeros, or an earlier call's values): its gradient is not kept.
            _network.BackwardSample(image, from, _shardGradients[shard].Span);
            _network.AccumulateShardGradients(image, from, 1, _shardGradients[shard].Span);
            // The batch's shape, so the kernels a step takes are the ones compiled; shard 0's slots are the other
            // core's, their values whatever they are at the moment. Written into this shard's buffer: nothing is kept
            // (a batch of one pass never reads those rows of it, a batch of several clears it first).
            _network.WholeBatchWeightGradients(BatchImages(0, _batchCount), ShardSlots(0).To, _batchCount, half: 1, _shardGradients[shard].Span);
        }
    }

    /// <summary>Before a shard's first images of a pass: on a batch's first pass its gradient and loss start from zero;
    /// later passes add to them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StartShard(int shard)
    {
        if (_passFirst != 0) return;
        foreach (var range in _halves.ShardSumsIn(_wholeBatchThisCall)) _shardGradients[shard].Slice(range.Offset, range.Length).Clear();
        _shardLosses[shard] = 0f;
    }

    /// <summary>Inference for one shard's images: the most likely class of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PredictShard(int shard)
    {
        var (from, to) = ShardSlots(shard);
        UseLayouts(from, to, backward: false);
        for (var slot = from; slot < to; slot++)
        {
            _network.ForwardSample(BatchImages(slot), slot, training: false);
            _batchPredictions[slot] = TensorPrimitives.IndexOfMax<float>(_network.Logits(slot));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckImage(ReadOnlySpan<float> image)
    {
        if (image.Length != _inputLength)
            throw new ArgumentException($"Expected an image of {_inputLength} values ({_input}), got {image.Length}.", nameof(image));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckBatch(ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A batch holds at least one image.");
        if (images.Length < (long)count * _inputLength) throw new ArgumentException($"{count} images need {(long)count * _inputLength} values, got {images.Length}.", nameof(images));
        if (labels.Length < count) throw new ArgumentException($"{count} images need {count} labels, got {labels.Length}.", nameof(labels));
        CheckLabels(labels, count, _classes);
    }

    /// <summary>Throws unless each of the first <paramref name="count"/> labels is a class, 0..classes − 1. The GPU
    /// path checks its batches with it too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CheckLabels(ReadOnlySpan<int> labels, int count, int classes)
    {
        for (var i = 0; i < count; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label of image {i} must be in 0..{classes - 1}.");
        }
    }
}
