using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Shapes;

namespace StaticConvNet.Generator.Weights;

/// <summary>The text of one AdditionalFiles item: plain data for the pipeline.</summary>
internal sealed record AdditionalFile(string Path, string Content);

/// <summary>A network to emit, with the parameters to bake when its [Network] names a weights file (and the class
/// names the file gives, in label order, or none); or, when the file is missing or wrong, no network and the problems
/// (on the [Network] attribute).</summary>
internal sealed record BakedPlan(string FileHint, ResolvedNetwork? Network, EquatableArray<float> Parameters, EquatableArray<string> ClassNames,
    EquatableArray<Problem> Problems, EquatableArray<float> State = default);

/// <summary>Finds the weights file a network names among the AdditionalFiles, checks it (format, SHA-256, count,
/// layer fingerprint) and decodes its parameters. Every problem is a diagnostic on the [Network] attribute.</summary>
internal static class BakedWeights
{
    private const string Header = "# StaticConvNet weights, format 1";

    public static BakedPlan Resolve(NetworkPlan plan, AdditionalFile? file, CancellationToken cancellationToken)
    {
        var none = new BakedPlan(plan.Network?.Spec.FileHint ?? "", plan.Network, EquatableArray<float>.Empty, EquatableArray<string>.Empty, EquatableArray<Problem>.Empty);
        if (plan.Network is not { Spec.WeightsFile: { } name } network) return none;
        var spec = network.Spec;
        Problem Problem(string problem) => Model.Problem.Create(Diagnostics.WeightsFileInvalid, Model.Problem.OnNetwork, name, spec.ClassName, problem);

        if (file is null)
        {
            return Fail(spec, Model.Problem.Create(Diagnostics.WeightsFileNotFound, Model.Problem.OnNetwork, name, spec.ClassName));
        }
        cancellationToken.ThrowIfCancellationRequested();

        var lines = file.Content.Replace("\r\n", "\n").Split('\n');
        if (lines.Length < 6 || lines[0].Trim() != Header)
            return Fail(spec, Problem($"it does not start with '{Header}' (is it a binary checkpoint? bake the .scnw that 'scn train' writes)"));
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
            if (!fields.ContainsKey(required)) return Fail(spec, Problem($"it has no '{required}:' line"));
        }
        if (dataLine < 0) return Fail(spec, Problem("it has no 'data:' line"));

        // Files written before fingerprint format 2 carry the legacy identity; they fit just as well.
        if (fields["fingerprint"] != network.Fingerprint && fields["fingerprint"] != network.LegacyFingerprint)
        {
            var (where, fileHas, networkHas) = Fingerprint.FirstDifference(fields["fingerprint"], network);
            return Fail(spec, Model.Problem.Create(Diagnostics.WeightsFileMismatch, Model.Problem.OnNetwork, name, fields["model"], spec.ClassName, where, fileHas, networkHas));
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(string.Concat(lines.Skip(dataLine + 1).Select(l => l.Trim())));
        }
        catch (FormatException)
        {
            return Fail(spec, Problem("its data is not valid base64 (the file is damaged)"));
        }
        var stateCount = 0;
        if (fields.TryGetValue("state", out var stateText) && !int.TryParse(stateText, out stateCount))
            return Fail(spec, Problem($"its 'state:' line says '{stateText}', not a count of floats"));
        if (stateCount != network.StateCount)
            return Fail(spec, Problem($"it holds {stateCount} floats of running statistics, but the network's BatchNorm layers keep {network.StateCount}"));
        if (!int.TryParse(fields["parameters"], out var count) || count != network.ParameterCount || bytes.Length != (count + stateCount) * 4)
            return Fail(spec, Problem($"it holds {bytes.Length / 4 - stateCount} parameters (header says {fields["parameters"]}), but the network has {network.ParameterCount}; the file is truncated or damaged"));
        using (var sha = SHA256.Create())
        {
            var actual = string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2")));
            if (!string.Equals(actual, fields["sha256"], StringComparison.OrdinalIgnoreCase))
                return Fail(spec, Problem($"its data has SHA-256 {actual}, but its header says {fields["sha256"]}; the file is damaged"));
        }

        var values = new float[count + stateCount];
        for (var i = 0; i < values.Length; i++)
        {
            var bits = bytes[i * 4] | bytes[i * 4 + 1] << 8 | bytes[i * 4 + 2] << 16 | bytes[i * 4 + 3] << 24; // little-endian
            values[i] = BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
            if (float.IsNaN(values[i]) || float.IsInfinity(values[i]))
                return Fail(spec, Problem(i < count ? $"parameter {i} is {values[i]}; trained weights must be finite" : $"state value {i - count} is {values[i]}; running statistics must be finite"));
        }
        if (!ClassNames(fields, spec.Classes, out var classNames, out var namesProblem)) return Fail(spec, Problem(namesProblem));
        return new BakedPlan(spec.FileHint, network, values.Take(count).ToEquatableArray(), classNames.ToEquatableArray(), EquatableArray<Problem>.Empty,
            values.Skip(count).ToEquatableArray());
    }

    /// <summary>The optional "classes: N" line and its "class I: NAME" lines (format 1 files written before class names
    /// have neither): N must be the network's class count, every name present, non-blank and used once.</summary>
    private static bool ClassNames(Dictionary<string, string> fields, int classes, out string[] names, out string problem)
    {
        names = Array.Empty<string>();
        problem = "";
        if (!fields.TryGetValue("classes", out var countText)) return true;
        if (!int.TryParse(countText, out var count) || count != classes)
        {
            problem = $"it names {countText} classes, but the network has {classes}";
            return false;
        }
        var found = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (!fields.TryGetValue($"class {i}", out var name) || name.Length == 0)
            {
                problem = $"it names {count} classes but has no 'class {i}:' line";
                return false;
            }
            // A C# string literal holds any character but a line break; control characters are refused with them.
            if (name.Any(c => char.IsControl(c) || c == '\u2028' || c == '\u2029'))
            {
                problem = $"class {i}'s name holds a control character";
                return false;
            }
            found[i] = name;
        }
        var repeated = found.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            problem = $"it names two classes '{repeated.Key}'";
            return false;
        }
        names = found;
        return true;
    }

    /// <summary>The AdditionalFiles item whose path is <paramref name="name"/> or ends with it (as a path), with its
    /// text; null when there is none or no name.</summary>
    public static AdditionalFile? Find(ImmutableArray<AdditionalText> files, string? name, CancellationToken cancellationToken)
    {
        if (name is null) return null;
        var wanted = name.Replace('\\', '/');
        while (wanted.StartsWith("./", StringComparison.Ordinal) || wanted.StartsWith("/", StringComparison.Ordinal))
            wanted = wanted.Substring(wanted[0] == '.' ? 2 : 1); // "./models/x.scnw" and "/models/x.scnw" name "models/x.scnw"
        foreach (var file in files)
        {
            var path = file.Path.Replace('\\', '/');
            if (path == wanted || path.EndsWith("/" + wanted, StringComparison.Ordinal))
                return new AdditionalFile(file.Path, file.GetText(cancellationToken)?.ToString() ?? "");
        }
        return null;
    }

    private static BakedPlan Fail(NetworkSpec spec, Problem problem)
        => new(spec.FileHint, null, EquatableArray<float>.Empty, EquatableArray<string>.Empty, new[] { problem }.ToEquatableArray());
}
