namespace StaticConvNet.Tests.Support;

/// <summary>A deliberately naive network in double precision, written from the TensorFlow definitions and
/// sharing no code with the runtime or generator: the oracle generated networks are compared with.
/// Parameters use the documented layout (per layer: weights HWIO or [in, out], then biases).</summary>
public sealed class ReferenceNet(int height, int width, int channels, params ReferenceNet.Layer[] layers)
{
    public readonly record struct Shape(int H, int W, int C)
    {
        public int Length => H * W * C;
    }

    /// <summary>Which image of the batch is running, and whether dropout is on.</summary>
    public readonly record struct Pass(int Slot, bool Training, ulong DropoutSeed, ulong DropoutStep);

    public abstract record Layer
    {
        public abstract Shape Output(Shape input);
        public virtual int ParameterCount(Shape input) => 0;
        public abstract double[] Forward(double[] x, Shape input, ReadOnlySpan<double> parameters);
        public virtual double[] Forward(double[] x, Shape input, ReadOnlySpan<double> parameters, Pass pass) => Forward(x, input, parameters);

        /// <summary>Floats of running statistics the layer keeps (BatchNorm's), laid out as the network's State.</summary>
        public virtual int StateCount(Shape input) => 0;

        /// <summary>What a new network's state holds for this layer.</summary>
        public virtual void InitialState(Shape input, Span<double> state) { }

        /// <summary>The layer on a whole batch: each image on its own (image n in slot pass.Slot + n), unless the layer
        /// needs the batch.</summary>
        public virtual double[][] Batch(double[][] xs, Shape input, ReadOnlySpan<double> parameters, ReadOnlySpan<double> state, Pass pass)
        {
            var ys = new double[xs.Length][];
            for (var n = 0; n < xs.Length; n++) ys[n] = Forward(xs[n], input, parameters, pass with { Slot = pass.Slot + n });
            return ys;
        }

        /// <summary>TensorFlow's output size and leading padding.</summary>
        protected static (int Out, int PadBefore) Axis(int input, int window, int stride, bool same)
        {
            if (!same) return ((input - window) / stride + 1, 0);
            var output = (input + stride - 1) / stride;
            return (output, Math.Max((output - 1) * stride + window - input, 0) / 2);
        }
    }

    public sealed record Conv(int Filters, int Patch, int Stride = 1, bool Same = true) : Layer
    {
        public override Shape Output(Shape s) => new(Axis(s.H, Patch, Stride, Same).Out, Axis(s.W, Patch, Stride, Same).Out, Filters);
        public override int ParameterCount(Shape s) => Patch * Patch * s.C * Filters + Filters;

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p)
        {
            var o = Output(s);
            var (_, padTop) = Axis(s.H, Patch, Stride, Same);
            var (_, padLeft) = Axis(s.W, Patch, Stride, Same);
            var bias = p.Slice(Patch * Patch * s.C * Filters);
            var y = new double[o.Length];
            for (var oy = 0; oy < o.H; oy++)
            for (var ox = 0; ox < o.W; ox++)
            for (var f = 0; f < Filters; f++)
            {
                var sum = bias[f];
                for (var ky = 0; ky < Patch; ky++)
                for (var kx = 0; kx < Patch; kx++)
                for (var c = 0; c < s.C; c++)
                {
                    int iy = oy * Stride + ky - padTop, ix = ox * Stride + kx - padLeft;
                    if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                    sum += x[(iy * s.W + ix) * s.C + c] * p[((ky * Patch + kx) * s.C + c) * Filters + f];
                }
                y[(oy * o.W + ox) * Filters + f] = sum;
            }
            return y;
        }
    }

    /// <summary>Pooling, per channel, over the window's taps inside the image; the kind says what the taps become.</summary>
    public abstract record Pooling(int Size, int Stride, bool Same) : Layer
    {
        public override Shape Output(Shape s) => new(Axis(s.H, Size, Stride, Same).Out, Axis(s.W, Size, Stride, Same).Out, s.C);

        /// <summary>One output from the values of the window's taps inside the image.</summary>
        protected abstract double Reduce(List<double> taps);

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p)
        {
            var o = Output(s);
            var (_, padTop) = Axis(s.H, Size, Stride, Same);
            var (_, padLeft) = Axis(s.W, Size, Stride, Same);
            var y = new double[o.Length];
            var taps = new List<double>();
            for (var oy = 0; oy < o.H; oy++)
            for (var ox = 0; ox < o.W; ox++)
            for (var c = 0; c < s.C; c++)
            {
                taps.Clear();
                for (var ky = 0; ky < Size; ky++)
                for (var kx = 0; kx < Size; kx++)
                {
                    int iy = oy * Stride + ky - padTop, ix = ox * Stride + kx - padLeft;
                    if (iy >= 0 && iy < s.H && ix >= 0 && ix < s.W) taps.Add(x[(iy * s.W + ix) * s.C + c]);
                }
                y[(oy * o.W + ox) * s.C + c] = Reduce(taps);
            }
            return y;
        }
    }

    /// <summary>tf.nn.max_pool: padding never wins.</summary>
    public sealed record Pool(int Size, int Stride, bool Same = true) : Pooling(Size, Stride, Same)
    {
        protected override double Reduce(List<double> taps) => taps.Max();
    }

    /// <summary>tf.nn.avg_pool: the mean of the window's taps inside the image (SAME padding is not counted).</summary>
    public sealed record AvgPool(int Size, int Stride, bool Same = true) : Pooling(Size, Stride, Same)
    {
        protected override double Reduce(List<double> taps) => taps.Average();
    }

    /// <summary>The mean of each channel over every pixel.</summary>
    public sealed record GlobalAvgPool : Layer
    {
        public override Shape Output(Shape s) => new(1, 1, s.C);

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p)
            => Enumerable.Range(0, s.C).Select(c => Enumerable.Range(0, s.H * s.W).Average(pixel => x[pixel * s.C + c])).ToArray();
    }

    public sealed record Relu : Layer
    {
        public override Shape Output(Shape s) => s;
        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => x.Select(v => Math.Max(v, 0)).ToArray();
    }

    public sealed record Tanh : Layer
    {
        public override Shape Output(Shape s) => s;
        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => x.Select(Math.Tanh).ToArray();
    }

    /// <summary>Inverted dropout. The mask is the one thing taken from the runtime: its counter-based random
    /// numbers for (seed, step, layer index, image), drawn through Dropout.Forward on a vector of ones.</summary>
    public sealed record Drop(float Rate, int LayerIndex) : Layer
    {
        public override Shape Output(Shape s) => s;
        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => (double[])x.Clone();

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p, Pass pass)
        {
            if (!pass.Training) return Forward(x, s, p);
            var mask = new float[x.Length];
            StaticConvNet.Kernels.Dropout.Forward(Enumerable.Repeat(1f, x.Length).ToArray(), new float[x.Length], mask, Rate,
                pass.DropoutSeed, StaticConvNet.Kernels.Dropout.Stream(pass.DropoutStep, LayerIndex, pass.Slot));
            return x.Select((v, i) => mask[i] == 0f ? 0.0 : v / (1.0 - Rate)).ToArray();
        }
    }

    public sealed record Dense(int Units) : Layer
    {
        public override Shape Output(Shape s) => new(1, 1, Units);
        public override int ParameterCount(Shape s) => s.Length * Units + Units;

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p)
        {
            var y = new double[Units];
            for (var j = 0; j < Units; j++)
            {
                var sum = p[s.Length * Units + j];
                for (var i = 0; i < s.Length; i++) sum += x[i] * p[i * Units + j];
                y[j] = sum;
            }
            return y;
        }
    }

    /// <summary>tf.nn.lrn: x / (bias + alpha · Σ x²)^beta over channels within the radius.</summary>
    public sealed record Lrn(int Radius, double Bias, double Alpha, double Beta) : Layer
    {
        public override Shape Output(Shape s) => s;

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p)
        {
            var y = new double[x.Length];
            for (var pixel = 0; pixel < s.H * s.W; pixel++)
            for (var c = 0; c < s.C; c++)
            {
                var sum = 0.0;
                for (var d = Math.Max(0, c - Radius); d <= Math.Min(s.C - 1, c + Radius); d++) sum += x[pixel * s.C + d] * x[pixel * s.C + d];
                y[pixel * s.C + c] = x[pixel * s.C + c] / Math.Pow(Bias + Alpha * sum, Beta);
            }
            return y;
        }
    }

    /// <summary>A stack run on a batch, its parameters and state laid out one layer after another.</summary>
    private static double[][] RunBatch(IReadOnlyList<Layer> stack, double[][] xs, ref Shape shape, ReadOnlySpan<double> parameters, ReadOnlySpan<double> state, Pass pass)
    {
        var (offset, stateOffset) = (0, 0);
        foreach (var layer in stack)
        {
            var (count, stateCount) = (layer.ParameterCount(shape), layer.StateCount(shape));
            xs = layer.Batch(xs, shape, parameters.Slice(offset, count), state.Slice(stateOffset, stateCount), pass);
            offset += count;
            stateOffset += stateCount;
            shape = layer.Output(shape);
        }
        return xs;
    }

    private static Shape Through(IReadOnlyList<Layer> stack, Shape shape) => stack.Aggregate(shape, (s, l) => l.Output(s));

    private static int CountOf(IReadOnlyList<Layer> stack, Shape shape) => Sum(stack, shape, (l, s) => l.ParameterCount(s));

    private static int StateOf(IReadOnlyList<Layer> stack, Shape shape) => Sum(stack, shape, (l, s) => l.StateCount(s));

    private static int Sum(IReadOnlyList<Layer> stack, Shape shape, Func<Layer, Shape, int> count)
    {
        var total = 0;
        foreach (var layer in stack)
        {
            total += count(layer, shape);
            shape = layer.Output(shape);
        }
        return total;
    }

    private static void InitialStateOf(IReadOnlyList<Layer> stack, Shape shape, Span<double> state)
    {
        foreach (var layer in stack)
        {
            var count = layer.StateCount(shape);
            layer.InitialState(shape, state[..count]);
            state = state[count..];
            shape = layer.Output(shape);
        }
    }

    /// <summary>A layer made of stacks on the same input: their parameters and state one after another.</summary>
    public abstract record Branching(Layer[][] Stacks) : Layer
    {
        public override int ParameterCount(Shape s) => Stacks.Sum(b => CountOf(b, s));

        public override int StateCount(Shape s) => Stacks.Sum(b => StateOf(b, s));

        public override void InitialState(Shape s, Span<double> state)
        {
            foreach (var stack in Stacks)
            {
                var count = StateOf(stack, s);
                InitialStateOf(stack, s, state[..count]);
                state = state[count..];
            }
        }

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => Batch([x], s, p, new double[StateCount(s)], default)[0];

        public override double[][] Batch(double[][] xs, Shape s, ReadOnlySpan<double> p, ReadOnlySpan<double> state, Pass pass)
        {
            var outputs = new List<(double[][] Values, Shape Shape)>();
            var (offset, stateOffset) = (0, 0);
            foreach (var stack in Stacks)
            {
                var shape = s;
                var (count, stateCount) = (CountOf(stack, s), StateOf(stack, s));
                outputs.Add((RunBatch(stack, xs, ref shape, p.Slice(offset, count), state.Slice(stateOffset, stateCount), pass), shape));
                offset += count;
                stateOffset += stateCount;
            }
            return Join(xs, s, outputs);
        }

        /// <summary>The layer's output from its input and each stack's.</summary>
        protected abstract double[][] Join(double[][] xs, Shape input, List<(double[][] Values, Shape Shape)> outputs);
    }

    /// <summary>Each block on the same input, the outputs side by side in every pixel, in order.</summary>
    public sealed record Concat(params Layer[][] Blocks) : Branching(Blocks)
    {
        public override Shape Output(Shape s)
        {
            var outputs = Blocks.Select(b => Through(b, s)).ToList();
            return new(outputs[0].H, outputs[0].W, outputs.Sum(o => o.C));
        }

        protected override double[][] Join(double[][] xs, Shape input, List<(double[][] Values, Shape Shape)> outputs)
        {
            var o = Output(input);
            var ys = new double[xs.Length][];
            for (var n = 0; n < xs.Length; n++)
            {
                ys[n] = new double[o.Length];
                var channel = 0;
                foreach (var (values, shape) in outputs)
                {
                    for (var pixel = 0; pixel < o.H * o.W; pixel++)
                        for (var c = 0; c < shape.C; c++) ys[n][pixel * o.C + channel + c] = values[n][pixel * shape.C + c];
                    channel += shape.C;
                }
            }
            return ys;
        }
    }

    /// <summary>body(x) + x, or body(x) + shortcut(x); the body's parameters first.</summary>
    public sealed record Residual(Layer[] Body, Layer[]? Shortcut = null) : Branching(Shortcut is null ? [Body] : [Body, Shortcut])
    {
        public override Shape Output(Shape s) => Through(Body, s);

        protected override double[][] Join(double[][] xs, Shape input, List<(double[][] Values, Shape Shape)> outputs)
        {
            var other = outputs.Count > 1 ? outputs[1].Values : xs;
            return outputs[0].Values.Select((body, n) => body.Zip(other[n], (a, b) => a + b).ToArray()).ToArray();
        }
    }

    /// <summary>PyTorch's batch_norm: per channel, γ · (x − mean) / √(variance + ε) + β, γ then β in the parameters.
    /// Training: the batch's mean and biased variance over images and pixels; inference: the running ones (state).</summary>
    public sealed record BatchNorm(double Epsilon = 1e-5) : Layer
    {
        public override Shape Output(Shape s) => s;

        public override int ParameterCount(Shape s) => 2 * s.C;

        public override int StateCount(Shape s) => 2 * s.C;

        public override void InitialState(Shape s, Span<double> state) => state[s.C..].Fill(1.0);

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => throw new InvalidOperationException("BatchNorm runs on a batch.");

        public override double[][] Batch(double[][] xs, Shape s, ReadOnlySpan<double> p, ReadOnlySpan<double> state, Pass pass)
        {
            var (mean, variance) = (new double[s.C], new double[s.C]);
            if (pass.Training)
            {
                var values = (double)xs.Length * s.H * s.W;
                for (var c = 0; c < s.C; c++)
                {
                    mean[c] = xs.Sum(x => Enumerable.Range(0, s.H * s.W).Sum(pixel => x[pixel * s.C + c])) / values;
                    variance[c] = xs.Sum(x => Enumerable.Range(0, s.H * s.W).Sum(pixel => Math.Pow(x[pixel * s.C + c] - mean[c], 2))) / values;
                }
            }
            else
            {
                state[..s.C].CopyTo(mean);
                state[s.C..].CopyTo(variance);
            }
            var (gamma, beta) = (p[..s.C].ToArray(), p[s.C..].ToArray());
            return xs.Select(x => x.Select((v, i) => gamma[i % s.C] * (v - mean[i % s.C]) / Math.Sqrt(variance[i % s.C] + Epsilon) + beta[i % s.C]).ToArray()).ToArray();
        }
    }

    public int ParameterCount
    {
        get
        {
            var shape = new Shape(height, width, channels);
            var total = 0;
            foreach (var layer in layers)
            {
                total += layer.ParameterCount(shape);
                shape = layer.Output(shape);
            }
            return total;
        }
    }

    public double[] Logits(double[] parameters, ReadOnlySpan<float> image) => Logits(parameters, image, default);

    public double[] Logits(double[] parameters, ReadOnlySpan<float> image, Pass pass)
        => Batch(parameters, [image.ToArray().Select(v => (double)v).ToArray()], pass)[0];

    /// <summary>The logits of every image of a batch: BatchNorm in a training pass normalises with the batch's statistics.</summary>
    private double[][] Batch(double[] parameters, double[][] xs, Pass pass)
    {
        var shape = new Shape(height, width, channels);
        return RunBatch(layers, xs, ref shape, parameters, State, pass);
    }

    /// <summary>Floats of running statistics (BatchNorm's), laid out as the network's State.</summary>
    public int StateCount => StateOf(layers, new Shape(height, width, channels));

    /// <summary>The running statistics inference uses: the network's (<see cref="WithState"/>), else a new network's.</summary>
    public double[] State
    {
        get
        {
            if (RunningState is { } given) return given;
            var state = new double[StateCount];
            InitialStateOf(layers, new Shape(height, width, channels), state);
            return state;
        }
    }

    private double[]? RunningState { get; init; }

    public ReferenceNet WithState(ReadOnlySpan<float> state) => new(height, width, channels, layers) { Training = Training, RunningState = state.ToArray().Select(v => (double)v).ToArray() };

    /// <summary>Dropout on, with the masks of this seed and step (as the generated network's training pass), and
    /// BatchNorm on the batch's statistics.</summary>
    public Pass? Training { get; private init; }

    public ReferenceNet InTraining(Pass pass) => new(height, width, channels, layers) { Training = pass, RunningState = RunningState };

    /// <summary>Mean softmax cross-entropy over the images.</summary>
    public double Loss(double[] parameters, float[] images, int[] labels)
    {
        var imageLength = height * width * channels;
        var xs = Enumerable.Range(0, labels.Length).Select(n => images.AsSpan(n * imageLength, imageLength).ToArray().Select(v => (double)v).ToArray()).ToArray();
        var zs = Batch(parameters, xs, Training is { } t ? t with { Slot = 0 } : default);
        var total = 0.0;
        for (var n = 0; n < labels.Length; n++)
        {
            var z = zs[n];
            var max = z.Max();
            total += max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[labels[n]];
        }
        return total / labels.Length;
    }

    /// <summary>∂Loss/∂parameter[index] by central differences in double (h = 1e-6: truncation ~1e-12,
    /// rounding ~1e-10, far below the float tolerances it is compared with).</summary>
    public double Gradient(double[] parameters, float[] images, int[] labels, int index)
    {
        const double h = 1e-6;
        var saved = parameters[index];
        parameters[index] = saved + h;
        var plus = Loss(parameters, images, labels);
        parameters[index] = saved - h;
        var minus = Loss(parameters, images, labels);
        parameters[index] = saved;
        return (plus - minus) / (2 * h);
    }
}
