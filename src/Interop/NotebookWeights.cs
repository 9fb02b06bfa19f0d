using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace StaticConvNet.Interop;

/// <summary>Imports weights trained in the notebook (TensorFlow layout) from an .npz file, as NumPy's
/// <c>np.savez(path, conv1_weights=..., conv1_biases=..., ...)</c> writes it: for each layer with parameters,
/// <c>{name}_weights</c> (Conv2D: [patch, patch, in, out], HWIO; Dense: [in, out]) and <c>{name}_biases</c> ([out]),
/// float32 or float64, C order. Layer names are those of 'scn models'. Every missing, extra or misshapen array is
/// an error naming it.</summary>
public static partial class NotebookWeights
{
    public static void Import(string path, IConvNet network)
    {
        // No array of a file for this network holds more than all its parameters as float64, after a header.
        var arrays = ReadNpz(path, maxEntryBytes: network.ParameterCount * 8L + MaxHeaderBytes);
        var used = new HashSet<string>();
        var parameters = network.Parameters;
        foreach (var layer in network.Description.AllLayers.OfType<ParameterizedLayer>())
        {
            // The runtime's layout is TensorFlow's (HWIO, [in, out]): arrays copy as they are.
            Copy(arrays, $"{layer.Name}_weights", layer.WeightShape.Select(d => (long)d).ToArray(), parameters.Slice(layer.ParameterOffset, layer.WeightCount), path, used);
            Copy(arrays, $"{layer.Name}_biases", [layer.BiasCount], parameters.Slice(layer.BiasOffset, layer.BiasCount), path, used);
        }
        var extra = arrays.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new DataFormatException(path, $"has arrays {string.Join(", ", extra)} that match no layer of {network.Description.Name} (expected names like {network.Description.AllLayers.OfType<ParameterizedLayer>().First().Name}_weights)");
    }

    private static void Copy(Dictionary<string, Npy> arrays, string key, long[] shape, Span<float> target, string path, HashSet<string> used)
    {
        if (!arrays.TryGetValue(key, out var array)) throw new DataFormatException(path, $"has no array '{key}'");
        if (!array.Shape.SequenceEqual(shape))
            throw new DataFormatException(path, $"array '{key}' has shape ({string.Join(", ", array.Shape)}), but the layer needs ({string.Join(", ", shape)})");
        for (var i = 0; i < target.Length; i++)
        {
            var value = array.Values[i];
            if (!float.IsFinite(value)) throw new DataFormatException(path, $"array '{key}' holds {value} at index {i}");
            target[i] = value;
        }
        used.Add(key);
    }

    private sealed record Npy(long[] Shape, float[] Values);

    /// <summary>The most a .npy header may take: NumPy writes a few hundred bytes (64 KiB is version 1's limit).</summary>
    private const int MaxHeaderBytes = 1 << 16;

    /// <param name="maxEntryBytes">The most an entry may inflate to: a zip entry's stated size can lie, and a small file
    /// can inflate to gigabytes.</param>
    private static Dictionary<string, Npy> ReadNpz(string path, long maxEntryBytes)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var arrays = new Dictionary<string, Npy>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".npy", StringComparison.Ordinal)))
            {
                var name = $"{path}:{entry.FullName}";
                using var stream = entry.Open();
                using var memory = new MemoryStream();
                var buffer = new byte[1 << 16];
                for (int read; (read = stream.Read(buffer)) > 0;)
                {
                    memory.Write(buffer, 0, read);
                    if (memory.Length > maxEntryBytes)
                        throw new DataFormatException(name, $"inflates past {maxEntryBytes:N0} bytes, more than any array of this network's takes");
                }
                arrays[entry.FullName[..^4]] = ReadNpy(memory.ToArray(), name);
            }
            return arrays;
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"is not a readable .npz (zip) file ({e.Message})");
        }
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<shape>[^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();

    /// <summary>The .npy format: "\x93NUMPY", version, header length, a Python dict literal header, raw data.</summary>
    private static Npy ReadNpy(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new DataFormatException(name, "is not a .npy array");
        var headerStart = bytes[6] == 1 ? 10 : 12;
        if (bytes.Length < headerStart) throw new DataFormatException(name, "is truncated in its header");
        var headerLength = bytes[6] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (long)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (headerStart + headerLength > bytes.Length) throw new DataFormatException(name, "is truncated in its header");
        var match = HeaderPattern().Match(Encoding.Latin1.GetString(bytes, headerStart, (int)headerLength));
        if (!match.Success) throw new DataFormatException(name, "has a header this reader does not understand");
        if (match.Groups["fortran"].Value == "True") throw new DataFormatException(name, "is in Fortran order; save it with np.ascontiguousarray first");
        var dimensions = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new long[dimensions.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            if (!long.TryParse(dimensions[d], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out shape[d]) || shape[d] > int.MaxValue)
                throw new DataFormatException(name, $"has shape ({match.Groups["shape"].Value}) in its header: '{dimensions[d]}' is not a dimension");
        }
        // In arithmetic that cannot wrap: the data's length is checked against it next.
        var count = shape.Aggregate(1.0, (a, b) => a * b) is var product && product <= Array.MaxLength ? (long)product
            : throw new DataFormatException(name, $"has shape ({match.Groups["shape"].Value}): more values than any array holds");
        var descr = match.Groups["descr"].Value;
        var size = descr switch { "<f4" => 4, "<f8" => 8, _ => throw new DataFormatException(name, $"has dtype {descr}; expected little-endian float32 (<f4) or float64 (<f8)") };
        var data = bytes.AsSpan(headerStart + (int)headerLength);
        if (data.Length != count * size) throw new DataFormatException(name, $"holds {data.Length} bytes of data for {count} values of {size} bytes");
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(data.Slice(i * 4)) : (float)BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(i * 8));
        return new Npy(shape, values);
    }
}
