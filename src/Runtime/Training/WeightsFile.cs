using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StaticConvNet;

/// <summary>A network's trained parameters as text, for baking into a generated class at compile time (a source
/// generator can read an AdditionalFiles item only as text). docs/embedding.md documents the format:
/// <code>
/// # StaticConvNet weights, format 1
/// model: Arch2ConvPool
/// fingerprint: in 28x28x1; conv1 Conv2D ...
/// parameters: 57722
/// sha256: (hex SHA-256 of the little-endian float32 bytes: the parameters, then the state)
/// classes: 10            (optional: the class names, when the training data had them)
/// class 0: A
/// …
/// class 9: J
/// state: 64              (optional: floats of running statistics, IConvNet.State, after the parameters in the data)
/// data:
/// (base64 of those bytes, 76 characters a line)
/// </code></summary>
public static class WeightsFile
{
    public const string Header = "# StaticConvNet weights, format 1";

    public static string Format(string model, string fingerprint, ReadOnlySpan<float> parameters, IReadOnlyList<string>? classNames = null, ReadOnlySpan<float> state = default)
    {
        if (classNames is not null && LabelNames.Problem(classNames) is { } problem) throw new ArgumentException($"Bad class names: {problem}.", nameof(classNames));
        var bytes = new byte[(parameters.Length + state.Length) * 4];
        for (var i = 0; i < parameters.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), parameters[i]);
        for (var i = 0; i < state.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((parameters.Length + i) * 4), state[i]);
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("model: ").Append(model).Append('\n');
        text.Append("fingerprint: ").Append(fingerprint).Append('\n');
        text.Append("parameters: ").Append(parameters.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("sha256: ").Append(Convert.ToHexStringLower(SHA256.HashData(bytes))).Append('\n');
        if (classNames is not null)
        {
            text.Append("classes: ").Append(classNames.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            for (var i = 0; i < classNames.Count; i++) text.Append("class ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(classNames[i]).Append('\n');
        }
        if (!state.IsEmpty) text.Append("state: ").Append(state.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("data:\n");
        var base64 = Convert.ToBase64String(bytes);
        for (var i = 0; i < base64.Length; i += 76) text.Append(base64, i, Math.Min(76, base64.Length - i)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads a weights file as a checkpoint with no training state (0 steps, no optimizer), so whatever reads a
    /// checkpoint (evaluate, predict, the exports) reads the weights an app bakes too. Checks what the generator checks
    /// when it bakes the file: the header, every field, base64, the SHA-256, finite values and the class names; the
    /// network's fingerprint and counts are <see cref="Checkpoint.LoadInto"/>'s to check.</summary>
    public static Checkpoint Load(string path)
    {
        if (Directory.Exists(path)) throw new DataFormatException(path, "is a folder, not a weights file");
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        RegularFile.CheckHasLength(path);
        // A weights file is 4/3 of 4 bytes a parameter: 256 MiB is 50 million parameters, far beyond any network here,
        // and the text is copied a few times while it is read.
        if (new FileInfo(path).Length > 256L << 20) throw new DataFormatException(path, "is larger than 256 MiB: not a weights file");
        return Parse(File.ReadAllText(path), path);
    }

    public static Checkpoint Parse(string text, string path)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        if (lines[0].Trim() != Header) throw new DataFormatException(path, $"does not start with '{Header}'");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var dataLine = Array.FindIndex(lines, line => line.Trim() == "data:");
        if (dataLine < 0) throw new DataFormatException(path, "has no 'data:' line");
        foreach (var line in lines.AsSpan(1, dataLine - 1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        string Field(string name) => fields.TryGetValue(name, out var value) ? value : throw new DataFormatException(path, $"has no '{name}:' line");
        // As the generator reads counts when it bakes the file (int.TryParse's defaults), but never negative.
        int Count(string name, string value)
            => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count >= 0
                ? count
                : throw new DataFormatException(path, $"has '{name}: {value}', not a count");

        var parameterCount = Count("parameters", Field("parameters"));
        var stateCount = fields.TryGetValue("state", out var stateText) ? Count("state", stateText) : 0;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(string.Concat(lines.Skip(dataLine + 1).Select(line => line.Trim())));
        }
        catch (FormatException)
        {
            throw new DataFormatException(path, "has data that is not valid base64 (the file is damaged)");
        }
        if (bytes.Length != ((long)parameterCount + stateCount) * 4)
            throw new DataFormatException(path, $"holds {bytes.Length / 4} floats, but its header says {parameterCount} parameters and {stateCount} of state; the file is truncated or damaged");
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), Field("sha256"), StringComparison.OrdinalIgnoreCase))
            throw new DataFormatException(path, "is damaged: its data's SHA-256 does not match its header");
        var parameters = Checkpoint.LittleEndianSingles(bytes.AsSpan(0, parameterCount * 4));
        var state = Checkpoint.LittleEndianSingles(bytes.AsSpan(parameterCount * 4));
        Checkpoint.RequireFinite(parameters, "parameter", path);
        Checkpoint.RequireFinite(state, "state value", path);

        string[]? classNames = null;
        if (fields.TryGetValue("classes", out var classesText))
        {
            var classes = Count("classes", classesText);
            // Each name is a header line: a count beyond the lines there are is refused before anything is allocated.
            if (classes > fields.Count) throw new DataFormatException(path, $"says it names {classes} classes but has {fields.Count} header lines");
            classNames = new string[classes];
            for (var i = 0; i < classNames.Length; i++) classNames[i] = Field($"class {i}");
            if (LabelNames.Problem(classNames) is { } problem) throw new DataFormatException(path, $"names bad classes: {problem}");
        }
        return new Checkpoint(Field("model"), Field("fingerprint"), StepsDone: 0, Seed: 0, Momentum: 0f, parameters, Velocity: null)
        {
            ClassNames = classNames,
            State = stateCount > 0 ? state : null,
        };
    }

    /// <param name="classNames">The names to bake with the weights (the generated <c>ClassNames</c>), one per output.</param>
    public static void Save(string path, IConvNet network, IReadOnlyList<string>? classNames = null)
    {
        if (classNames is not null && classNames.Count != network.OutputLength)
            throw new ArgumentException($"{classNames.Count} class names for a network of {network.OutputLength} classes.", nameof(classNames));
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(Format(network.Description.Name, network.Description.Fingerprint, network.Parameters, classNames, network.State))));
    }
}
