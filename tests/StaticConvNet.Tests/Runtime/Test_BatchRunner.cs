using System.Numerics.Tensors;
using StaticConvNet.Kernels;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>BatchRunner, the network-independent half of every generated network, against a linear classifier small
/// enough to differentiate by hand: the mean gradient, the same bits on one core or many, PredictBatch as Predict,
/// every argument check, and no allocation per call.</summary>
public class Test_BatchRunner
{
    internal static readonly LayerShape Input = new(4, 4, 3);
    internal const int Classes = 5;
    private const int Capacity = 16;

    /// <summary>logits = W·x + b (W row-major, one row per class, then b in the same buffer) with its exact gradient;
    /// logits and their gradients in one buffer per batch slot, as a generated network keeps them.</summary>
    internal sealed class Linear : ISamplePasses
    {
        public readonly int InputLength;
        public readonly int Classes;
        public readonly float[] Parameters;
        private readonly float[] _logits;
        private readonly float[] _logitsGradients;
        public readonly bool[] TrainingSeen;

        public Linear(int inputLength, int classes, int capacity, int seed)
        {
            InputLength = inputLength;
            Classes = classes;
            Parameters = RandomFloats(ParameterCount, seed);
            _logits = new float[capacity * classes];
            _logitsGradients = new float[capacity * classes];
            TrainingSeen = new bool[capacity];
        }

        public int ParameterCount => Classes * InputLength + Classes;

        public void ForwardSample(ReadOnlySpan<float> image, int slot, bool training)
        {
            CheckLayout(slot, _forwardLaidOutBy, "forward pass");
            TrainingSeen[slot] = training;
            var logits = Logits(slot);
            for (var c = 0; c < Classes; c++)
                logits[c] = Parameters[Classes * InputLength + c] + TensorPrimitives.Dot(Parameters.AsSpan(c * InputLength, InputLength), image);
        }

        /// <summary>How many backward passes ran (the test sets it back).</summary>
        public int Backwards;

        /// <summary>When set, each pass checks that the layout copy its slot reads (<see cref="BatchRunner.LayoutCopy"/>) was
        /// laid out since <see cref="StartCall"/>, on the pass's own thread; each miss is a line in <see cref="Misreads"/>.</summary>
        public BatchRunner? Runner;

        public readonly System.Collections.Concurrent.ConcurrentQueue<string> Misreads = new();

        /// <summary>How many times each copy was laid out for the forward and the backward passes since <see cref="StartCall"/>.</summary>
        public readonly int[] ForwardLayouts = new int[LayoutCopies.Count], BackwardLayouts = new int[LayoutCopies.Count];

        // The thread that laid out each copy since StartCall (0: none).
        private readonly int[] _forwardLaidOutBy = new int[LayoutCopies.Count], _backwardLaidOutBy = new int[LayoutCopies.Count];

        public void StartCall()
        {
            foreach (var counts in new[] { ForwardLayouts, BackwardLayouts, _forwardLaidOutBy, _backwardLaidOutBy }) Array.Clear(counts);
        }

        public void PrepareForward(int copy)
        {
            Interlocked.Increment(ref ForwardLayouts[copy]);
            _forwardLaidOutBy[copy] = Environment.CurrentManagedThreadId;
        }

        public void PrepareBackward(int copy)
        {
            Interlocked.Increment(ref BackwardLayouts[copy]);
            _backwardLaidOutBy[copy] = Environment.CurrentManagedThreadId;
        }

        private void CheckLayout(int slot, int[] laidOutBy, string pass)
        {
            if (Runner is null) return;
            var copy = Runner.LayoutCopy(slot);
            var thread = Environment.CurrentManagedThreadId;
            if (laidOutBy[copy] != thread) Misreads.Enqueue($"the {pass} of slot {slot} on thread {thread} read copy {copy}, laid out by thread {laidOutBy[copy]} (0: not in this call)");
        }

        /// <summary>The bias gradient per image; the weight gradient per shard, as a generated dense layer does.</summary>
        public void BackwardSample(ReadOnlySpan<float> image, int slot, Span<float> gradients)
        {
            CheckLayout(slot, _backwardLaidOutBy, "backward pass");
            Interlocked.Increment(ref Backwards);
            var logitsGradient = LogitsGradient(slot);
            for (var c = 0; c < Classes; c++) gradients[Classes * InputLength + c] += logitsGradient[c];
        }

        public void ForwardLayer(int layer, ReadOnlySpan<float> image, int slot, bool training) => ForwardSample(image, slot, training);

        public void BackwardLayer(int layer, ReadOnlySpan<float> image, int slot, Span<float> gradients) => BackwardSample(image, slot, gradients);

        public void AccumulateShardGradients(ReadOnlySpan<float> images, int first, int count, Span<float> gradients)
        {
            if (images.Length != count * InputLength) throw new ArgumentException("The shard's images do not match its slots.");
            for (var slot = first; slot < first + count; slot++)
            {
                var image = images.Slice((slot - first) * InputLength, InputLength);
                var logitsGradient = LogitsGradient(slot);
                for (var c = 0; c < Classes; c++)
                {
                    for (var i = 0; i < InputLength; i++) gradients[c * InputLength + i] += logitsGradient[c] * image[i];
                }
            }
        }

        public Span<float> Logits(int slot) => _logits.AsSpan(slot * Classes, Classes);
        public Span<float> LogitsGradient(int slot) => _logitsGradients.AsSpan(slot * Classes, Classes);
    }

    internal static float[] RandomFloats(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    internal static int[] RandomLabels(int length, int classes, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.Next(classes)).ToArray();
    }

    internal static (Linear Network, BatchRunner Runner) Create(int seed = 1)
    {
        var network = new Linear(Input.Length, Classes, Capacity, seed);
        return (network, new BatchRunner(network, Input, Classes, network.ParameterCount, Capacity));
    }

    /// <summary>The documented order, one thread: the batch in passes of up to the capacity; in each pass, each shard
    /// sums its slots in order into its own buffer (zeroed before the first pass; the per-image passes, then the
    /// per-shard ones), then the shards are added in shard order.</summary>
    private static float[] ShardOrderReference(Linear network, float[] images, int[] labels, int count)
    {
        var shards = new float[BatchRunner.GradientShards][];
        for (var s = 0; s < BatchRunner.GradientShards; s++) shards[s] = new float[network.ParameterCount];
        for (var first = 0; first < count; first += Capacity)
        {
            var inPass = Math.Min(Capacity, count - first);
            var shardSize = (inPass + BatchRunner.GradientShards - 1) / BatchRunner.GradientShards;
            for (var s = 0; s < BatchRunner.GradientShards; s++)
            {
                var (from, to) = (Math.Min(s * shardSize, inPass), Math.Min((s + 1) * shardSize, inPass));
                for (var slot = from; slot < to; slot++)
                {
                    var image = images.AsSpan((first + slot) * network.InputLength, network.InputLength);
                    network.ForwardSample(image, slot, training: true);
                    SoftmaxCrossEntropy.Compute(network.Logits(slot), labels[first + slot], network.LogitsGradient(slot), 1f / count);
                    network.BackwardSample(image, slot, shards[s]);
                }
                if (to > from) network.AccumulateShardGradients(images.AsSpan((first + from) * network.InputLength, (to - from) * network.InputLength), from, to - from, shards[s]);
            }
        }
        for (var s = 1; s < BatchRunner.GradientShards; s++) TensorPrimitives.Add(shards[0], shards[s], shards[0]);
        return shards[0];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)] // past the capacity: two passes, the second of one image
    [InlineData(40)] // three passes: 16, 16 and 8
    public void Gradients_are_the_mean_of_each_images_gradient(int count)
    {
        var (network, runner) = Create();
        var images = RandomFloats(count * Input.Length, 2);
        var labels = RandomLabels(count, Classes, 3);

        var loss = runner.ComputeGradients(images, labels, count);

        // Computed directly, in double: d loss / d logit_c = softmax_c − [c == label], times x for the weights.
        var expected = new double[network.ParameterCount];
        var expectedLoss = 0.0;
        for (var n = 0; n < count; n++)
        {
            var x = images.AsSpan(n * Input.Length, Input.Length);
            var logits = new double[Classes];
            for (var c = 0; c < Classes; c++)
            {
                logits[c] = network.Parameters[Classes * Input.Length + c];
                for (var i = 0; i < Input.Length; i++) logits[c] += network.Parameters[c * Input.Length + i] * x[i];
            }
            var max = logits.Max();
            var sum = logits.Sum(z => Math.Exp(z - max));
            expectedLoss += (max + Math.Log(sum) - logits[labels[n]]) / count;
            for (var c = 0; c < Classes; c++)
            {
                var dLogit = (Math.Exp(logits[c] - max) / sum - (c == labels[n] ? 1 : 0)) / count;
                for (var i = 0; i < Input.Length; i++) expected[c * Input.Length + i] += dLogit * x[i];
                expected[Classes * Input.Length + c] += dLogit;
            }
        }
        for (var p = 0; p < expected.Length; p++) ((double)runner.Gradients[p]).ShouldBe(expected[p], 1e-5, $"parameter {p}");
        ((double)loss).ShouldBe(expectedLoss, 1e-5);
        ((double)runner.ComputeLoss(images, labels, count, training: false)).ShouldBe(expectedLoss, 1e-5);
    }

    [Theory]
    [InlineData(1)] // one image: shard 0 alone, on the calling thread
    [InlineData(2)] // one image per shard, in parallel when there is more than one core
    [InlineData(9)] // uneven shards: 5 and 4
    [InlineData(16)]
    [InlineData(35)] // passes of 16, 16 and 3
    public void Gradients_are_the_same_bits_as_the_shard_order_summed_on_one_thread(int count)
    {
        var (network, runner) = Create();
        var images = RandomFloats(count * Input.Length, 4);
        var labels = RandomLabels(count, Classes, 5);
        var expected = ShardOrderReference(network, images, labels, count);

        // Many times over, so that any dependence on which shard finishes first would show.
        for (var run = 0; run < 50; run++)
        {
            runner.ComputeGradients(images, labels, count);
            runner.Gradients.ToArray().ShouldBe(expected, $"run {run}");
        }
    }

    [Fact]
    public void The_same_batch_twice_gives_the_same_bits_whatever_ran_in_between()
    {
        var (_, runner) = Create();
        var images = RandomFloats(Capacity * Input.Length, 6);
        var labels = RandomLabels(Capacity, Classes, 7);
        var firstLoss = runner.ComputeGradients(images, labels, Capacity);
        var first = runner.Gradients.ToArray();

        // A one-image batch (one shard busy) and a prediction batch use the same buffers in between.
        runner.ComputeGradients(images.AsSpan(Input.Length), labels.AsSpan(1), 1);
        runner.PredictBatch(images, new int[Capacity]);

        runner.ComputeGradients(images, labels, Capacity).ShouldBe(firstLoss);
        runner.Gradients.ToArray().ShouldBe(first);
    }

    /// <summary>Each core reads only the layouts it wrote (see <see cref="LayoutCopies"/>), laid out once per call: on
    /// two cores the caller's shards read copy 0 and the helper's copy 1; on one core, or with the helper busy with
    /// another test's job, both shards read copy 0. Only training calls lay out the backward passes.</summary>
    [Fact]
    public void Every_call_lays_out_each_copy_it_reads_once_on_the_thread_that_reads_it()
    {
        var (network, runner) = Create();
        network.Runner = runner;
        var images = RandomFloats(20 * Input.Length, 8);
        var labels = RandomLabels(20, Classes, 9);
        var calls = new (string Name, bool LaysOutBackward, Action Run)[]
        {
            ("the first training call (and its compile pass)", true, () => runner.ComputeGradients(images, labels, 5)),
            ("a training call", true, () => runner.ComputeGradients(images, labels, 3)),
            ("a training call of two passes", true, () => runner.ComputeGradients(images, labels, 20)),
            ("PredictBatch", false, () => runner.PredictBatch(images.AsSpan(0, 5 * Input.Length), new int[5])),
            ("ComputeLoss, training", false, () => runner.ComputeLoss(images, labels, 5, training: true)),
            ("ComputeLoss", false, () => runner.ComputeLoss(images, labels, 20, training: false)),
            ("Predict", false, () => runner.Predict(images.AsSpan(0, Input.Length))),
            ("Forward", false, () => runner.Forward(images.AsSpan(0, Input.Length), new float[Classes])),
        };
        foreach (var (name, laysOutBackward, run) in calls)
        {
            network.StartCall();
            run();
            network.Misreads.ShouldBeEmpty(name);
            network.ForwardLayouts.Sum().ShouldBeGreaterThan(0, name);
            network.ForwardLayouts.ShouldAllBe(n => n <= 1, name);
            network.BackwardLayouts.ShouldAllBe(n => n <= (laysOutBackward ? 1 : 0), name);
            if (!CoreTeam.IsParallel) network.ForwardLayouts[1].ShouldBe(0, name);
        }
    }

    [Fact]
    public void The_first_training_call_compiles_both_halves_at_once_and_keeps_nothing_of_it()
    {
        var images = RandomFloats(6 * Input.Length, 12);
        var labels = RandomLabels(6, Classes, 13);
        var earlier = RandomFloats(16 * Input.Length, 14);
        // Both runners' slots hold an earlier call's values, which the compile pass's backward half reads; one runner
        // has trained before (compiled), the other trains for the first time.
        var (compiled, warm) = Create();
        warm.PredictBatch(earlier, new int[16]);
        warm.ComputeGradients(earlier, RandomLabels(16, Classes, 15), 16);
        var (network, fresh) = Create();
        fresh.PredictBatch(earlier, new int[16]);

        var loss = fresh.ComputeGradients(images, labels, 6);
        if (CoreTeam.IsParallel) network.Backwards.ShouldBe(7, "the compile pass's backward half, then the batch's six");
        compiled.Backwards = 0;
        var expectedLoss = warm.ComputeGradients(images, labels, 6);
        compiled.Backwards.ShouldBe(6);
        loss.ShouldBe(expectedLoss);
        fresh.Gradients.ToArray().ShouldBe(warm.Gradients.ToArray());
        for (var i = 0; i < 6; i++) fresh.TrainingLogits(i).ToArray().ShouldBe(warm.TrainingLogits(i).ToArray());
    }

    [Fact]
    public void A_batch_larger_than_the_capacity_keeps_every_images_training_logits()
    {
        var (_, runner) = Create();
        const int count = 2 * Capacity + 5;
        var images = RandomFloats(count * Input.Length, 10);
        runner.ComputeGradients(images, RandomLabels(count, Classes, 11), count);
        var trained = Enumerable.Range(0, count).Select(i => runner.TrainingLogits(i).ToArray()).ToArray();
        Should.Throw<ArgumentOutOfRangeException>(() => runner.TrainingLogits(count)).Message.ShouldStartWith($"The last batch holds 0..{count - 1}.");
        runner.ImageOf(0).ShouldBe(0, "the passes are over");
        var logits = new float[Classes];
        for (var i = 0; i < count; i++)
        {
            runner.Forward(images.AsSpan(i * Input.Length, Input.Length), logits);
            trained[i].ShouldBe(logits, $"image {i}");
        }
        // Any call that runs the network ends the training batch's logits, as it always did for a batch of one pass.
        Should.Throw<ArgumentOutOfRangeException>(() => runner.TrainingLogits(Capacity + 1)).Message.ShouldStartWith($"The last batch holds 0..{Capacity - 1}.");
        runner.ComputeLoss(images, RandomLabels(count, Classes, 11), count, training: false);
        runner.ImageOf(0).ShouldBe(0, "ComputeLoss's passes are over too");
    }

    [Fact]
    public void Training_logits_are_those_of_the_last_training_pass_and_passes_say_whether_they_train()
    {
        var (network, runner) = Create();
        var images = RandomFloats(3 * Input.Length, 8);
        var labels = RandomLabels(3, Classes, 9);
        runner.ComputeGradients(images, labels, 3);
        network.TrainingSeen.Take(3).ShouldAllBe(training => training);

        var logits = new float[Classes];
        for (var i = 0; i < 3; i++)
        {
            var trained = runner.TrainingLogits(i).ToArray();
            runner.Forward(images.AsSpan(i * Input.Length, Input.Length), logits);
            network.TrainingSeen[0].ShouldBeFalse();
            trained.ShouldBe(logits);
        }

        runner.ComputeLoss(images, labels, 3, training: true);
        network.TrainingSeen.Take(3).ShouldAllBe(training => training);
        runner.ComputeLoss(images, labels, 3, training: false);
        network.TrainingSeen.Take(3).ShouldAllBe(training => !training);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(41)]
    public void PredictBatch_answers_what_Predict_does_one_image_at_a_time(int count)
    {
        var (_, runner) = Create();
        var images = RandomFloats(count * Input.Length, 10);
        var predictions = new int[count];
        runner.PredictBatch(images, predictions);

        var expected = Enumerable.Range(0, count).Select(i => runner.Predict(images.AsSpan(i * Input.Length, Input.Length))).ToArray();
        predictions.ShouldBe(expected);
        if (count > 10) expected.Distinct().Count().ShouldBeGreaterThan(1, "random images through random weights should not all land in one class");
    }

    [Fact]
    public void Predict_is_the_largest_of_the_Forward_logits()
    {
        var (_, runner) = Create();
        var image = RandomFloats(Input.Length, 11);
        var logits = new float[Classes];
        runner.Forward(image, logits);
        runner.Predict(image).ShouldBe(Array.IndexOf(logits, logits.Max()));
    }

    private delegate void Call(BatchRunner runner);

    public static TheoryData<string, Type, string, string> ArgumentErrors()
    {
        var n = Input.Length; // 48 values, 4x4x3
        return new()
        {
            { "ComputeGradients count 0", typeof(ArgumentOutOfRangeException), "count", "A batch holds at least one image." },
            { "ComputeGradients 40 images, 39 given", typeof(ArgumentException), "images", $"40 images need {40 * n} values, got {39 * n}." },
            { "ComputeGradients too few image values", typeof(ArgumentException), "images", $"3 images need {3 * n} values, got {3 * n - 1}." },
            { "ComputeGradients too few labels", typeof(ArgumentException), "labels", "3 images need 3 labels, got 2." },
            { "ComputeGradients label too large", typeof(ArgumentOutOfRangeException), "labels", "Label of image 1 must be in 0..4." },
            { "ComputeGradients negative label", typeof(ArgumentOutOfRangeException), "labels", "Label of image 2 must be in 0..4." },
            { "ComputeLoss count 0", typeof(ArgumentOutOfRangeException), "count", "A batch holds at least one image." },
            { "ComputeLoss 40 images, 39 given", typeof(ArgumentException), "images", $"40 images need {40 * n} values, got {39 * n}." },
            { "ComputeLoss too few image values", typeof(ArgumentException), "images", $"3 images need {3 * n} values, got {3 * n - 1}." },
            { "ComputeLoss too few labels", typeof(ArgumentException), "labels", "3 images need 3 labels, got 2." },
            { "ComputeLoss label too large", typeof(ArgumentOutOfRangeException), "labels", "Label of image 1 must be in 0..4." },
            { "Forward short image", typeof(ArgumentException), "image", $"Expected an image of {n} values (4x4x3), got {n - 1}." },
            { "Forward long image", typeof(ArgumentException), "image", $"Expected an image of {n} values (4x4x3), got {n + 1}." },
            { "Forward wrong logits length", typeof(ArgumentException), "logits", "Expected room for 5 logits, got 4." },
            { "Predict short image", typeof(ArgumentException), "image", $"Expected an image of {n} values (4x4x3), got {n - 1}." },
            { "PredictBatch too few image values", typeof(ArgumentException), "images", $"3 predictions need {3 * n} image values ({n} per image), got {3 * n - 1}." },
            { "PredictBatch too many image values", typeof(ArgumentException), "images", $"3 predictions need {3 * n} image values ({n} per image), got {4 * n}." },
            { "TrainingLogits -1", typeof(ArgumentOutOfRangeException), "index", "The last batch holds 0..15." },
            { "TrainingLogits 16", typeof(ArgumentOutOfRangeException), "index", "The last batch holds 0..15." },
        };
    }

    private static readonly Dictionary<string, Call> Calls = new()
    {
        ["ComputeGradients count 0"] = r => r.ComputeGradients(new float[Input.Length], new int[1], 0),
        ["ComputeGradients 40 images, 39 given"] = r => r.ComputeGradients(new float[39 * Input.Length], new int[40], 40),
        ["ComputeGradients too few image values"] = r => r.ComputeGradients(new float[3 * Input.Length - 1], new int[3], 3),
        ["ComputeGradients too few labels"] = r => r.ComputeGradients(new float[3 * Input.Length], new int[2], 3),
        ["ComputeGradients label too large"] = r => r.ComputeGradients(new float[3 * Input.Length], new[] { 0, Classes, 0 }, 3),
        ["ComputeGradients negative label"] = r => r.ComputeGradients(new float[3 * Input.Length], new[] { 0, 4, -1 }, 3),
        ["ComputeLoss count 0"] = r => r.ComputeLoss(new float[Input.Length], new int[1], 0, training: false),
        ["ComputeLoss 40 images, 39 given"] = r => r.ComputeLoss(new float[39 * Input.Length], new int[40], 40, training: false),
        ["ComputeLoss too few image values"] = r => r.ComputeLoss(new float[3 * Input.Length - 1], new int[3], 3, training: false),
        ["ComputeLoss too few labels"] = r => r.ComputeLoss(new float[3 * Input.Length], new int[2], 3, training: false),
        ["ComputeLoss label too large"] = r => r.ComputeLoss(new float[3 * Input.Length], new[] { 0, Classes, 0 }, 3, training: false),
        ["Forward short image"] = r => r.Forward(new float[Input.Length - 1], new float[Classes]),
        ["Forward long image"] = r => r.Forward(new float[Input.Length + 1], new float[Classes]),
        ["Forward wrong logits length"] = r => r.Forward(new float[Input.Length], new float[Classes - 1]),
        ["Predict short image"] = r => r.Predict(new float[Input.Length - 1]),
        ["PredictBatch too few image values"] = r => r.PredictBatch(new float[3 * Input.Length - 1], new int[3]),
        ["PredictBatch too many image values"] = r => r.PredictBatch(new float[4 * Input.Length], new int[3]),
        ["TrainingLogits -1"] = r => r.TrainingLogits(-1),
        ["TrainingLogits 16"] = r => r.TrainingLogits(Capacity),
    };

    [Theory]
    [MemberData(nameof(ArgumentErrors))]
    public void Bad_arguments_throw_the_exception_that_names_them(string call, Type exception, string parameter, string message)
    {
        var (_, runner) = Create();
        var error = Should.Throw<ArgumentException>(() => Calls[call](runner));
        error.GetType().ShouldBe(exception);
        error.ParamName.ShouldBe(parameter);
        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void A_rejected_batch_leaves_the_last_gradients_alone()
    {
        var (_, runner) = Create();
        var images = RandomFloats(2 * Input.Length, 12);
        runner.ComputeGradients(images, new[] { 1, 2 }, 2);
        var before = runner.Gradients.ToArray();
        Should.Throw<ArgumentOutOfRangeException>(() => runner.ComputeGradients(images, new[] { 1, -1 }, 2));
        runner.Gradients.ToArray().ShouldBe(before);
    }

    [Fact]
    public void Construction_rejects_impossible_sizes()
    {
        var network = new Linear(Input.Length, Classes, Capacity, 1);
        Should.Throw<ArgumentNullException>(() => new BatchRunner(null!, Input, Classes, 10, Capacity));
        Should.Throw<ArgumentOutOfRangeException>(() => new BatchRunner(network, new LayerShape(4, 0, 3), Classes, 10, Capacity)).ParamName.ShouldBe("input");
        Should.Throw<ArgumentOutOfRangeException>(() => new BatchRunner(network, Input, 0, 10, Capacity)).ParamName.ShouldBe("classes");
        Should.Throw<ArgumentOutOfRangeException>(() => new BatchRunner(network, Input, Classes, -1, Capacity)).ParamName.ShouldBe("parameterCount");
        Should.Throw<ArgumentOutOfRangeException>(() => new BatchRunner(network, Input, Classes, 10, 0)).ParamName.ShouldBe("batchCapacity");
    }

    [Fact]
    public void Each_training_step_advances_the_dropout_step_and_nothing_else_does()
    {
        var (_, runner) = Create();
        var images = RandomFloats(3 * Input.Length, 5);
        var labels = RandomLabels(3, Classes, 6);
        runner.DropoutStep = 41;
        runner.ComputeGradients(images, labels, 3);
        runner.DropoutStep.ShouldBe(42UL, "the next step draws fresh masks");
        runner.ComputeLoss(images, labels, 3, training: true);
        runner.Predict(images.AsSpan(0, Input.Length));
        runner.DropoutStep.ShouldBe(42UL);
        Should.Throw<ArgumentOutOfRangeException>(() => runner.ComputeGradients(images, labels, 0));
        runner.DropoutStep.ShouldBe(42UL, "a refused batch is not a step");
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void A_dropout_rate_outside_0_to_1_is_refused(float rate)
    {
        var (_, runner) = Create();
        Should.Throw<ArgumentOutOfRangeException>(() => runner.DropoutRate = rate);
        runner.DropoutRate.ShouldBeNull();
        runner.DropoutRate = 0.25f;
        runner.DropoutRate.ShouldBe(0.25f);
    }

    private static long AllocatedPerCall(Action call)
    {
        for (var i = 0; i < 5; i++) call(); // warm-up: JIT, tiering, the thread pool
        const int calls = 100;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++) call();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
    }

    [Fact]
    public void Nothing_allocates_per_call_on_one_thread()
    {
        var (_, runner) = Create();
        var images = RandomFloats(Input.Length, 13);
        var labels = new[] { 3 };
        var logits = new float[Classes];
        var prediction = new int[1];

        // One image: both shards run on the calling thread, where every byte it allocates is counted.
        AllocatedPerCall(() => runner.ComputeGradients(images, labels, 1)).ShouldBe(0);
        AllocatedPerCall(() => runner.PredictBatch(images, prediction)).ShouldBe(0);
        AllocatedPerCall(() => runner.ComputeLoss(images, labels, 1, training: false)).ShouldBe(0);
        AllocatedPerCall(() => runner.Forward(images, logits)).ShouldBe(0);
        AllocatedPerCall(() => runner.Predict(images)).ShouldBe(0);
    }

    [Fact]
    public void With_shards_on_several_cores_a_call_allocates_no_more_than_Parallel_For_does()
    {
        // Only the calling thread's bytes can be counted without counting other tests' too. Parallel.For costs about
        // 1.5 KB there; a gradient buffer made per call (30 KB here) or one per image would show far above the bound.
        var network = new Linear(16 * 16 * 3, 10, Capacity, 14);
        var runner = new BatchRunner(network, new LayerShape(16, 16, 3), 10, network.ParameterCount, Capacity);
        var images = RandomFloats(Capacity * network.InputLength, 15);
        var labels = RandomLabels(Capacity, 10, 16);
        var predictions = new int[40];
        var manyImages = RandomFloats(predictions.Length * network.InputLength, 17);

        AllocatedPerCall(() => runner.ComputeGradients(images, labels, Capacity)).ShouldBeLessThan(4096);
        AllocatedPerCall(() => runner.PredictBatch(manyImages, predictions)).ShouldBeLessThan(3 * 4096); // three batches
    }
}

/// <summary>The per-layer passes (for profiling) are the per-image passes one layer at a time: run in order, then in
/// reverse, they leave the same logits and gradients, including around a layer with no backward pass and a fused ReLU.</summary>
public class Test_LayerPasses
{
    [Theory]
    [InlineData("ReluFirst")]
    [InlineData("arch2")]
    [InlineData("arch4")]
    public void Layer_by_layer_is_the_same_as_the_whole_passes(string name)
    {
        var (network, images, _) = ReferenceNets.Setup(ReferenceNets.All[name], batch: 1);
        var passes = (ISamplePasses)network;
        var image = images.AsSpan(0, network.InputLength).ToArray();
        var layers = network.Description.Layers.Count;
        passes.PrepareForward(0);
        passes.PrepareBackward(0);

        var whole = new float[network.ParameterCount];
        passes.ForwardSample(image, 0, training: false);
        var logits = passes.Logits(0).ToArray();
        ReferenceNets.Random(network.OutputLength, 3, 1f).CopyTo(passes.LogitsGradient(0));
        passes.BackwardSample(image, 0, whole);
        passes.AccumulateShardGradients(image, 0, 1, whole);

        var byLayer = new float[network.ParameterCount];
        passes.Logits(0).Clear();
        for (var layer = 0; layer < layers; layer++) passes.ForwardLayer(layer, image, 0, training: false);
        passes.Logits(0).ToArray().ShouldBe(logits);
        ReferenceNets.Random(network.OutputLength, 3, 1f).CopyTo(passes.LogitsGradient(0));
        for (var layer = layers - 1; layer >= 0; layer--) passes.BackwardLayer(layer, image, 0, byLayer);
        passes.AccumulateShardGradients(image, 0, 1, byLayer);
        byLayer.ShouldBe(whole);
    }
}

/// <summary>An instance's buffers are its own, so two calls at once would corrupt each other: the second one fails
/// loudly (it used to return wrong answers: 9,148 of 16,000 with eight threads), and the instance works afterwards.</summary>
public class Test_OneCallAtATime
{
    /// <summary>A one-class network whose forward pass waits until the test lets it go.</summary>
    private sealed class Held : ISamplePasses
    {
        public readonly ManualResetEventSlim Entered = new(), Release = new();
        private readonly float[] _logits = new float[16];

        public void ForwardSample(ReadOnlySpan<float> image, int slot, bool training)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
        }

        public void PrepareForward(int copy) { }
        public void PrepareBackward(int copy) { }
        public void BackwardSample(ReadOnlySpan<float> image, int slot, Span<float> gradients) { }
        public void AccumulateShardGradients(ReadOnlySpan<float> images, int first, int count, Span<float> gradients) { }
        public void ForwardLayer(int layer, ReadOnlySpan<float> image, int slot, bool training) { }
        public void BackwardLayer(int layer, ReadOnlySpan<float> image, int slot, Span<float> gradients) { }
        public Span<float> Logits(int slot) => _logits.AsSpan(slot, 1);
        public Span<float> LogitsGradient(int slot) => _logits.AsSpan(slot, 1);
    }

    [Fact]
    public async Task A_call_while_another_runs_on_another_thread_throws_and_the_instance_recovers()
    {
        var network = new Held();
        var runner = new BatchRunner(network, new LayerShape(1, 1, 1), classes: 1, parameterCount: 1, batchCapacity: 16);
        var first = Task.Run(() => runner.Predict(new float[1]));
        network.Entered.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        Should.Throw<InvalidOperationException>(() => runner.PredictBatch(new float[4], new int[4])).Message.ShouldStartWith("This Held is already running a call on another thread");
        Should.Throw<InvalidOperationException>(() => runner.ComputeGradients(new float[2], new int[2], 2));

        network.Release.Set();
        (await first.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(0);
        runner.Predict(new float[1]).ShouldBe(0); // free again
        Should.Throw<ArgumentException>(() => runner.Predict(new float[2]));
        runner.Predict(new float[1]).ShouldBe(0); // a refused call releases it too
    }
}
