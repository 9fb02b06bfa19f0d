using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using StaticConvNet.Generator.Emit;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Weights;

/// <summary>The text of one AdditionalFiles item: plain data for the pipeline.</summary>
internal sealed record AdditionalFile(string Path, string Content);

/// <summary>A plan, with the parameters to bake when its [Network] names a weights file.</summary>
internal sealed record BakedPlan(NetworkPlan Plan, EquatableArray<float> Parameters);

/// <summary>Finds the weights file a network names among the AdditionalFiles, checks it (format, SHA-256, count,
/// layer fingerprint) and decodes its parameters. Every problem is a diagnostic on the [Network] attribute.</summary>
internal static class BakedWeights
{
    private const string Header = "# StaticConvNet weights, format 1";

    public static BakedPlan Resolve(NetworkPlan plan, EquatableArray<AdditionalFile> files, CancellationToken cancellationToken)
    {
        var none = new BakedPlan(plan, EquatableArray<float>.Empty);
        if (plan.Network is not { Spec.WeightsFile: { } name } network) return none;
        var spec = network.Spec;
        DiagnosticInfo Problem(string problem) => DiagnosticInfo.Create(Diagnostics.WeightsFileInvalid, spec.Location, name, spec.ClassName, problem);

        var file = Find(files, name);
        if (file is null)
        {
            return Fail(plan, DiagnosticInfo.Create(Diagnostics.WeightsFileNotFound, spec.Location, name, spec.ClassName));
        }
        cancellationToken.ThrowIfCancellationRequested();

        var lines = file.Content.Replace("\r\n", "\n").Split('\n');
        if (lines.Length < 6 || lines[0].Trim() != Header)
            return Fail(plan, Problem($"it does not start with '{Header}' (is it a binary checkpoint? bake the .scnw that 'scn train' writes)"));
        var fields = new Dictionary<string, string>();
        var dataLine = -1;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() == "data:") { dataLine = i; break; }
            var colon = lines[i].IndexOf(':');
            if (colon > 0) fields[lines[i].Substring(0, colon).Trim()] = lines[i].Substring(colon + 1).Trim();
        }
        foreach (var required in new[] { "model", "fingerprint", "parameters", "sha256" })
        {
            if (!fields.ContainsKey(required)) return Fail(plan, Problem($"it has no '{required}:' line"));
        }
        if (dataLine < 0) return Fail(plan, Problem("it has no 'data:' line"));

        var fingerprint = NetworkEmitter.Fingerprint(network);
        if (fields["fingerprint"] != fingerprint)
        {
            return Fail(plan, DiagnosticInfo.Create(Diagnostics.WeightsFileMismatch, spec.Location, name, fields["model"], fields["fingerprint"], spec.ClassName, fingerprint));
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(string.Concat(lines.Skip(dataLine + 1).Select(l => l.Trim())));
        }
        catch (FormatException)
        {
            return Fail(plan, Problem("its data is not valid base64 (the file is damaged)"));
        }
        if (!int.TryParse(fields["parameters"], out var count) || count != network.ParameterCount || bytes.Length != count * 4)
            return Fail(plan, Problem($"it holds {bytes.Length / 4} parameters (header says {fields["parameters"]}), but the network has {network.ParameterCount}; the file is truncated or damaged"));
        using (var sha = SHA256.Create())
        {
            var actual = string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2")));
            if (!string.Equals(actual, fields["sha256"], StringComparison.OrdinalIgnoreCase))
                return Fail(plan, Problem($"its data has SHA-256 {actual}, but its header says {fields["sha256"]}; the file is damaged"));
        }

        var parameters = new float[count];
        for (var i = 0; i < count; i++)
        {
            var bits = bytes[i * 4] | bytes[i * 4 + 1] << 8 | bytes[i * 4 + 2] << 16 | bytes[i * 4 + 3] << 24; // little-endian
            parameters[i] = BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
            if (float.IsNaN(parameters[i]) || float.IsInfinity(parameters[i]))
                return Fail(plan, Problem($"parameter {i} is {parameters[i]}; trained weights must be finite"));
        }
        return new BakedPlan(plan, parameters.ToEquatableArray());
    }

    /// <summary>The AdditionalFiles item whose path is <paramref name="name"/> or ends with it (as a path).</summary>
    private static AdditionalFile? Find(EquatableArray<AdditionalFile> files, string name)
    {
        var wanted = name.Replace('\\', '/').TrimStart('.', '/');
        return files.FirstOrDefault(f =>
        {
            var path = f.Path.Replace('\\', '/');
            return path == wanted || path.EndsWith("/" + wanted, StringComparison.Ordinal);
        });
    }

    private static BakedPlan Fail(NetworkPlan plan, DiagnosticInfo diagnostic)
        => new(new NetworkPlan(null, plan.Diagnostics.Items.Add(diagnostic).ToEquatableArray()), EquatableArray<float>.Empty);
}
