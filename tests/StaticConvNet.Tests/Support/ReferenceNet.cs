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

    /// <summary>A stack run on <paramref name="x"/>, its parameters laid out one layer after another.</summary>
    private static double[] Run(IReadOnlyList<Layer> stack, double[] x, ref Shape shape, ReadOnlySpan<double> parameters, Pass pass)
    {
        var offset = 0;
        foreach (var layer in stack)
        {
            var count = layer.ParameterCount(shape);
            x = layer.Forward(x, shape, parameters.Slice(offset, count), pass);
            offset += count;
            shape = layer.Output(shape);
        }
        return x;
    }

    private static Shape Through(IReadOnlyList<Layer> stack, Shape shape) => stack.Aggregate(shape, (s, l) => l.Output(s));

    private static int CountOf(IReadOnlyList<Layer> stack, Shape shape)
    {
        var total = 0;
        foreach (var layer in stack)
        {
            total += layer.ParameterCount(shape);
            shape = layer.Output(shape);
        }
        return total;
    }

    /// <summary>Each block on the same input, the outputs side by side in every pixel, in order.</summary>
    public sealed record Concat(params Layer[][] Blocks) : Layer
    {
        public override Shape Output(Shape s)
        {
            var outputs = Blocks.Select(b => Through(b, s)).ToList();
            return new(outputs[0].H, outputs[0].W, outputs.Sum(o => o.C));
        }

        public override int ParameterCount(Shape s) => Blocks.Sum(b => CountOf(b, s));

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => Forward(x, s, p, default);

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p, Pass pass)
        {
            var o = Output(s);
            var y = new double[o.Length];
            var (offset, channel) = (0, 0);
            foreach (var block in Blocks)
            {
                var shape = s;
                var count = CountOf(block, s);
                var part = Run(block, x, ref shape, p.Slice(offset, count), pass);
                for (var pixel = 0; pixel < o.H * o.W; pixel++)
                    for (var c = 0; c < shape.C; c++) y[pixel * o.C + channel + c] = part[pixel * shape.C + c];
                offset += count;
                channel += shape.C;
            }
            return y;
        }
    }

    /// <summary>body(x) + x, or body(x) + shortcut(x); the body's parameters first.</summary>
    public sealed record Residual(Layer[] Body, Layer[]? Shortcut = null) : Layer
    {
        public override Shape Output(Shape s) => Through(Body, s);

        public override int ParameterCount(Shape s) => CountOf(Body, s) + (Shortcut is null ? 0 : CountOf(Shortcut, s));

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p) => Forward(x, s, p, default);

        public override double[] Forward(double[] x, Shape s, ReadOnlySpan<double> p, Pass pass)
        {
            var (bodyShape, otherShape) = (s, s);
            var bodyCount = CountOf(Body, s);
            var body = Run(Body, x, ref bodyShape, p.Slice(0, bodyCount), pass);
            var other = Shortcut is null ? x : Run(Shortcut, x, ref otherShape, p.Slice(bodyCount), pass);
            return body.Zip(other, (a, b) => a + b).ToArray();
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
    {
        var x = image.ToArray().Select(v => (double)v).ToArray();
        var shape = new Shape(height, width, channels);
        var offset = 0;
        foreach (var layer in layers)
        {
            var count = layer.ParameterCount(shape);
            x = layer.Forward(x, shape, parameters.AsSpan(offset, count), pass);
            offset += count;
            shape = layer.Output(shape);
        }
        return x;
    }

    /// <summary>Dropout on, with the masks of this seed and step (as the generated network's training pass).</summary>
    public Pass? Training { get; private init; }

    public ReferenceNet InTraining(Pass pass) => new(height, width, channels, layers) { Training = pass };

    /// <summary>Mean softmax cross-entropy over the images.</summary>
    public double Loss(double[] parameters, float[] images, int[] labels)
    {
        var imageLength = height * width * channels;
        var total = 0.0;
        for (var n = 0; n < labels.Length; n++)
        {
            var pass = Training is { } t ? t with { Slot = n } : default;
            var z = Logits(parameters, images.AsSpan(n * imageLength, imageLength), pass);
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
