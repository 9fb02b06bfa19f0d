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

    /// <param name="classNames">The names to bake with the weights (the generated <c>ClassNames</c>), one per output.</param>
    public static void Save(string path, IConvNet network, IReadOnlyList<string>? classNames = null)
    {
        if (classNames is not null && classNames.Count != network.OutputLength)
            throw new ArgumentException($"{classNames.Count} class names for a network of {network.OutputLength} classes.", nameof(classNames));
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(Format(network.Description.Name, network.Description.Fingerprint, network.Parameters, classNames, network.State))));
    }
}
