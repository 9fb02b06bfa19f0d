using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace StaticConvNet;

/// <summary>A trained (or half-trained) network on disk. Format (docs/checkpoint-format.md), little-endian:
/// <code>
/// "SCNCKPT\0"            8 bytes magic
/// u32 format version     (1)
/// str model name         u16 byte count + UTF-8
/// str layer fingerprint  u32 byte count + UTF-8 (the generated LayerFingerprint)
/// i64 steps done
/// i32 seed
/// f32 momentum
/// i32 parameter count N
/// f32[N] parameters
/// u8  has velocity; f32[N] velocity when 1
/// format 2 (written when the optimizer is Adam or AdamW and the data named no classes; SGD checkpoints stay format 1):
///   u8 optimizer (1 Adam), f32 β1, f32 β2, f32 ε, f32 weight decay, i64 Adam steps, f32[N] first moment, f32[N] second moment
/// format 3 (written when the data named its classes):
///   u8 optimizer (0 none: SGD's state is above; 1 Adam, followed by Adam's state as in format 2)
///   u16 class count K, then K × str class name (u16 byte count + UTF-8)
/// format 4 (written when the network keeps state: BatchNorm's running statistics): format 3, where K may be 0 (no
///   names), then i32 state count S, f32[S] state (IConvNet.State)
/// 32 bytes SHA-256 of everything above
/// </code>
/// Written atomically (temporary file, then rename), so a crash never leaves half a checkpoint behind.</summary>
public sealed record Checkpoint(string ModelName, string Fingerprint, long StepsDone, int Seed, float Momentum,
    float[] Parameters, float[]? Velocity, AdamState? Adam = null)
{
    /// <summary>The newest format this code reads and writes (2 only for Adam's state, 3 only with class names, 4 only
    /// with state).</summary>
    public const int FormatVersion = 4;

    /// <summary>The most steps a checkpoint may record as done: 2^53, past which a double (the schedule's) cannot count.</summary>
    public const long MaxStepsDone = 1L << 53;

    /// <summary>The training data's class names, by label, or null when it named none.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The network's state (<see cref="IConvNet.State"/>: BatchNorm's running statistics), or null for a network
    /// that keeps none.</summary>
    public float[]? State { get; init; }
    private static readonly byte[] Magic = "SCNCKPT\0"u8.ToArray();

    public static Checkpoint Capture(IConvNet network, long stepsDone, int seed, Optimizer? optimizer)
    {
        var sgd = optimizer as SgdOptimizer;
        var adam = optimizer is AdamOptimizer a
            ? new AdamState((float)a.Beta1, (float)a.Beta2, (float)a.Epsilon, (float)a.WeightDecay, a.Steps, (float[])a.FirstMoment.Clone(), (float[])a.SecondMoment.Clone())
            : null;
        return new(network.Description.Name, network.Description.Fingerprint, stepsDone, seed, sgd?.Momentum ?? 0f,
            network.Parameters.ToArray(), sgd is { Momentum: not 0f } ? (float[])sgd.Velocity.Clone() : null, adam)
        {
            State = network.State.IsEmpty ? null : network.State.ToArray(),
        };
    }

    /// <summary>Why <paramref name="optimizer"/> cannot continue this checkpoint's run (another kind or other settings:
    /// a resumed run must continue exactly as it would have), as words that follow the checkpoint's name; null when it
    /// can. Only the optimizer's kind and settings are read, so one made for no parameters answers as well.</summary>
    public string? OptimizerMismatch(Optimizer optimizer) => optimizer switch
    {
        SgdOptimizer when Adam is { } state => $"was trained with {Describe(state)}, not SGD",
        SgdOptimizer sgd when Momentum != sgd.Momentum => $"was trained with momentum {Momentum}, not {sgd.Momentum}",
        AdamOptimizer adam when Adam is null => $"was trained with SGD (momentum {Momentum}), not {Describe(adam)}",
        AdamOptimizer adam when Adam.WeightDecay != (float)adam.WeightDecay || Adam.Beta1 != (float)adam.Beta1
            || Adam.Beta2 != (float)adam.Beta2 || Adam.Epsilon != (float)adam.Epsilon => $"was trained with {Describe(Adam)}, not {Describe(adam)}",
        _ => null,
    };

    private static string Describe(AdamState adam) => DescribeAdam(adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay);

    // As a checkpoint stores them: floats.
    private static string Describe(AdamOptimizer adam) => DescribeAdam((float)adam.Beta1, (float)adam.Beta2, (float)adam.Epsilon, (float)adam.WeightDecay);

    private static string DescribeAdam(float beta1, float beta2, float epsilon, float weightDecay) => $"Adam(β1 {beta1}, β2 {beta2}, ε {epsilon}, weight decay {weightDecay})";

    /// <summary>Puts the saved optimizer state into <paramref name="optimizer"/>, refusing one of another kind or
    /// settings (<see cref="OptimizerMismatch"/>).</summary>
    public void RestoreInto(Optimizer optimizer)
    {
        if (OptimizerMismatch(optimizer) is { } mismatch) throw new ArgumentException($"The checkpoint {mismatch}; resume it with the same optimizer and settings.");
        switch (optimizer)
        {
            case SgdOptimizer sgd:
                Velocity?.CopyTo(sgd.Velocity, 0);
                break;
            case AdamOptimizer adam:
                adam.Steps = Adam!.Steps;
                Adam.FirstMoment.CopyTo(adam.FirstMoment, 0);
                Adam.SecondMoment.CopyTo(adam.SecondMoment, 0);
                break;
        }
    }

    /// <summary>Copies the parameters into <paramref name="network"/>, after checking they were trained for it
    /// (<see cref="CheckFits"/>).</summary>
    public void LoadInto(IConvNet network, string path)
    {
        CheckFits(network, path);
        Parameters.CopyTo(network.Parameters);
        State?.CopyTo(network.State);
    }

    /// <summary>Refuses, naming <paramref name="path"/>, a checkpoint whose layer stack, parameter count, classes,
    /// optimizer state or running statistics are not <paramref name="network"/>'s.</summary>
    public void CheckFits(IConvNet network, string path)
    {
        var description = network.Description;
        // Checkpoints written before fingerprint format 2 carry the legacy identity: they still load.
        if (!description.IsFingerprintOf(Fingerprint))
        {
            throw new DataFormatException(path,
                $"holds weights for '{ModelName}' ({Fingerprint}), which is not the layer stack of '{description.Name}' ({description.Fingerprint})");
        }
        if (Parameters.Length != network.ParameterCount)
            throw new DataFormatException(path, $"holds {Parameters.Length} parameters; '{description.Name}' has {network.ParameterCount}");
        if (ClassNames is not null && ClassNames.Count != network.OutputLength)
            throw new DataFormatException(path, $"names {ClassNames.Count} classes; '{description.Name}' has {network.OutputLength}");
        if (Velocity is not null && Velocity.Length != Parameters.Length)
            throw new DataFormatException(path, $"holds {Velocity.Length} velocity values for {Parameters.Length} parameters");
        if (Adam is not null && (Adam.FirstMoment.Length != Parameters.Length || Adam.SecondMoment.Length != Parameters.Length))
            throw new DataFormatException(path, $"holds Adam moments for {Adam.FirstMoment.Length} parameters, not {Parameters.Length}");
        if ((State?.Length ?? 0) != network.State.Length)
            throw new DataFormatException(path, $"holds {State?.Length ?? 0} floats of running statistics; '{description.Name}' keeps {network.State.Length}");
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            var version = State is not null ? 4 : ClassNames is not null ? 3 : Adam is null ? 1 : 2;
            writer.Write((uint)version);
            var name = Encoding.UTF8.GetBytes(ModelName);
            writer.Write((ushort)name.Length);
            writer.Write(name);
            var fingerprint = Encoding.UTF8.GetBytes(Fingerprint);
            writer.Write((uint)fingerprint.Length);
            writer.Write(fingerprint);
            writer.Write(StepsDone);
            writer.Write(Seed);
            writer.Write(Momentum);
            writer.Write(Parameters.Length);
            foreach (var value in Parameters) writer.Write(value);
            writer.Write((byte)(Velocity is null ? 0 : 1));
            if (Velocity is not null) foreach (var value in Velocity) writer.Write(value);
            if (version >= 3 && Adam is null) writer.Write((byte)0);
            if (Adam is { } adam)
            {
                writer.Write((byte)1);
                writer.Write(adam.Beta1);
                writer.Write(adam.Beta2);
                writer.Write(adam.Epsilon);
                writer.Write(adam.WeightDecay);
                writer.Write(adam.Steps);
                foreach (var value in adam.FirstMoment) writer.Write(value);
                foreach (var value in adam.SecondMoment) writer.Write(value);
            }
            if (ClassNames is { } names)
            {
                if (LabelNames.Problem(names) is { } problem) throw new InvalidOperationException($"Bad class names: {problem}.");
                writer.Write(checked((ushort)names.Count));
                foreach (var className in names)
                {
                    var bytes = Encoding.UTF8.GetBytes(className);
                    writer.Write(checked((ushort)bytes.Length));
                    writer.Write(bytes);
                }
            }
            else if (version == 4) writer.Write((ushort)0);
            if (State is { } state)
            {
                writer.Write(state.Length);
                foreach (var value in state) writer.Write(value);
            }
        }
        var body = stream.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    public void Save(string path) => AtomicFile.Write(path, stream => stream.Write(ToBytes()));

    public static Checkpoint Load(string path)
    {
        if (Directory.Exists(path)) throw new DataFormatException(path, "is a folder, not a checkpoint file (a run's is FOLDER/checkpoint.scnc)");
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        RegularFile.CheckHasLength(path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a checkpoint, refusing anything that is not exactly what <see cref="ToBytes"/> writes.</summary>
    public static Checkpoint Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw new DataFormatException(path, "is not a StaticConvNet checkpoint (bad magic number)");
        var reader = new SpanReader(bytes, path);
        reader.Skip(Magic.Length);
        var version = reader.UInt32("format version");
        if (version > FormatVersion)
            throw new DataFormatException(path, $"was written in checkpoint format {version} by a newer StaticConvNet; this one reads format {FormatVersion}");
        if (version == 0) throw new DataFormatException(path, "has format version 0, which never existed");
        if (bytes.Length < Magic.Length + 4 + SHA256.HashSizeInBytes)
            throw new DataFormatException(path, "is truncated");
        var body = bytes[..^SHA256.HashSizeInBytes];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes[^SHA256.HashSizeInBytes..]))
            throw new DataFormatException(path, "is corrupted or truncated: its SHA-256 does not match its contents");

        var name = reader.Utf8(reader.UInt16("model name length"), "model name");
        var fingerprintLength = reader.UInt32("fingerprint length");
        if (fingerprintLength > int.MaxValue) throw new DataFormatException(path, "is truncated: it ends inside the fingerprint");
        var fingerprint = reader.Utf8((int)fingerprintLength, "fingerprint");
        var steps = reader.Int64("steps done");
        if (steps < 0) throw new DataFormatException(path, $"records {steps} steps done; a count of steps is never negative");
        // A run's step count goes on from here in long arithmetic and its schedule in double: past 2^53 neither holds.
        if (steps > MaxStepsDone) throw new DataFormatException(path, $"records {steps} steps done, more than {MaxStepsDone} (2^53): not a count a run reaches");
        var seed = reader.Int32("seed");
        var momentum = reader.Single("momentum");
        if (!(momentum >= 0f && momentum < 1f)) throw new DataFormatException(path, $"records momentum {momentum.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be in [0, 1)");
        var count = reader.Int32("parameter count");
        if (count < 0) throw new DataFormatException(path, $"declares {count} parameters");
        var parameters = reader.Singles(count, "parameters");
        RequireFinite(parameters, "parameter", path);
        var velocity = reader.Byte("velocity flag") switch
        {
            0 => null,
            1 => reader.Singles(count, "velocity"),
            var other => throw new DataFormatException(path, $"has velocity flag {other}; expected 0 or 1"),
        };
        if (velocity is not null) RequireFinite(velocity, "velocity value", path);
        AdamState? adam = null;
        var kind = version >= 2 ? reader.Byte("optimizer") : 0;
        if (version == 2 && kind != 1) throw new DataFormatException(path, $"records optimizer {kind}; format 2 holds Adam's state (1)");
        if (kind > 1) throw new DataFormatException(path, $"records optimizer {kind}; expected 0 (SGD) or 1 (Adam)");
        if (kind == 1)
        {
            var (beta1, beta2, epsilon, decay) = (reader.Single("Adam β1"), reader.Single("Adam β2"), reader.Single("Adam ε"), reader.Single("weight decay"));
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && decay >= 0 && float.IsFinite(epsilon) && float.IsFinite(decay)))
                throw new DataFormatException(path, $"records Adam settings β1 {beta1}, β2 {beta2}, ε {epsilon}, weight decay {decay}, which Adam cannot have");
            var adamSteps = reader.Int64("Adam steps");
            if (adamSteps < 0) throw new DataFormatException(path, $"records {adamSteps} Adam steps; a count of steps is never negative");
            var first = reader.Singles(count, "Adam first moment");
            var second = reader.Singles(count, "Adam second moment");
            RequireFinite(first, "Adam first moment", path);
            RequireFinite(second, "Adam second moment", path);
            var negative = Array.FindIndex(second, v => v < 0);
            if (negative >= 0) throw new DataFormatException(path, $"Adam second moment {negative} is negative; a mean of squares never is");
            adam = new AdamState(beta1, beta2, epsilon, decay, adamSteps, first, second);
        }
        string[]? classNames = null;
        if (version >= 3)
        {
            var classCount = reader.UInt16("class count");
            // Each name takes at least its two-byte length: a damaged count is refused before its array is made.
            if (classCount * 2 > reader.Remaining) throw new DataFormatException(path, "is truncated: it ends inside the class names");
            if (classCount > 0 || version == 3)
            {
                classNames = new string[classCount];
                for (var i = 0; i < classNames.Length; i++) classNames[i] = reader.Utf8(reader.UInt16("class name length"), "class names");
                if (LabelNames.Problem(classNames) is { } problem) throw new DataFormatException(path, $"has class names that cannot be: {problem}");
            }
        }
        float[]? state = null;
        if (version >= 4)
        {
            var stateCount = reader.Int32("state count");
            if (stateCount < 0) throw new DataFormatException(path, $"declares {stateCount} floats of state");
            state = reader.Singles(stateCount, "state");
            RequireFinite(state, "state value", path);
        }
        if (reader.Position != body.Length)
            throw new DataFormatException(path, $"has {body.Length - reader.Position} unexpected bytes after the {(state is not null ? "state" : classNames is not null ? "class names" : adam is null ? "velocity" : "Adam state")}");
        return new Checkpoint(name, fingerprint, steps, seed, momentum, parameters, velocity, adam) { ClassNames = classNames, State = state };
    }

    /// <summary>The little-endian floats of <paramref name="raw"/>, whatever the machine's byte order: how checkpoints and
    /// weights files store them.</summary>
    internal static float[] LittleEndianSingles(ReadOnlySpan<byte> raw)
    {
        var values = new float[raw.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4));
        return values;
    }

    /// <summary>A diverged run's NaN or infinite values would load and predict nothing: refused, naming the first.</summary>
    internal static void RequireFinite(float[] values, string what, string path)
    {
        var bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0) throw new DataFormatException(path, $"{what} {bad} is {(float.IsNaN(values[bad]) ? "NaN" : "infinite")}: the checkpoint holds a diverged run");
    }

    /// <summary>Sequential little-endian reads that name the field and the file when the data runs out.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> bytes, string path)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        public int Position { get; private set; }

        /// <summary>Bytes left before the SHA-256.</summary>
        public readonly int Remaining => _bytes.Length - SHA256.HashSizeInBytes - Position;

        private ReadOnlySpan<byte> Take(int count, string field)
        {
            if (count < 0 || count > _bytes.Length - SHA256.HashSizeInBytes - Position) // no sum that could wrap
                throw new DataFormatException(path, $"is truncated: it ends inside the {field}");
            var slice = _bytes.Slice(Position, count);
            Position += count;
            return slice;
        }

        public void Skip(int count) => Position += count;
        public byte Byte(string field) => Take(1, field)[0];
        public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
        public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
        public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));
        public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));
        public float Single(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));
        public string Utf8(int count, string field) => Encoding.UTF8.GetString(Take(count, field));

        public float[] Singles(int count, string field)
        {
            if (count > (_bytes.Length - Position) / 4) throw new DataFormatException(path, $"is truncated: it ends inside the {field}");
            return LittleEndianSingles(Take(count * 4, field));
        }
    }
}
