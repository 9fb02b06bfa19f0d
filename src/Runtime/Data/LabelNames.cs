using System.Globalization;

namespace StaticConvNet;

/// <summary>What labels are called: a source's own names when it has them, notMNIST's letters for its formats, and the
/// label numbers otherwise. One place, so plots, tables, predictions and baked classifiers all say the same.</summary>
public static class LabelNames
{
    /// <summary>notMNIST's classes, labels 0..9.</summary>
    public static IReadOnlyList<string> Letters { get; } = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];

    /// <summary>The name of <paramref name="label"/>: from <paramref name="names"/> when given, else the number.</summary>
    public static string Of(int label, IReadOnlyList<string>? names)
        => names is not null && label >= 0 && label < names.Count ? names[label] : label.ToString(CultureInfo.InvariantCulture);

    /// <summary>Names for <paramref name="classes"/> labels: <paramref name="names"/>, or "0", "1", … when there are none.</summary>
    public static IReadOnlyList<string> OrNumbers(IReadOnlyList<string>? names, int classes)
        => names ?? Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Names as one line for messages: "cat, dog, fox", shortened after eight.</summary>
    public static string List(IReadOnlyList<string> names)
        => names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(7)) + $", … ({names.Count} classes)";

    /// <summary>Why <paramref name="names"/> cannot name classes (blank, repeated, or holding a line break or another
    /// control character, which the text formats and generated code that carry them cannot hold), or null.</summary>
    public static string? Problem(IReadOnlyList<string> names)
    {
        if (names.Count == 0) return "no class names";
        var list = names.ToList();
        var blank = list.FindIndex(string.IsNullOrWhiteSpace);
        if (blank >= 0) return $"class {blank} has a blank name";
        var padded = list.FindIndex(n => n.Trim() != n);
        if (padded >= 0) return $"class {padded}'s name '{names[padded]}' starts or ends with a space";
        var broken = list.FindIndex(n => n.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'));
        if (broken >= 0) return $"class {broken}'s name holds a line break or another control character";
        var repeated = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? null : $"the class name '{repeated.Key}' appears twice";
    }

    /// <summary>Why data named <paramref name="names"/> (described as <paramref name="data"/>) does not fit a network
    /// of <paramref name="outputs"/> outputs, or null: each output is one class's name.</summary>
    public static string? OutputsProblem(IReadOnlyList<string>? names, string data, int outputs, string network)
        => names is not null && names.Count != outputs ? $"{data} has {names.Count} classes ({List(names)}); {network} classifies {outputs}" : null;

    /// <summary>Why weights trained on the classes <paramref name="trained"/> (in <paramref name="weights"/>) cannot
    /// read data named <paramref name="given"/>, or null: a label is its class's place in the names, so other names
    /// would mean other labels. Either side without names fits.</summary>
    public static string? TrainedOnOther(IReadOnlyList<string>? trained, string weights, IReadOnlyList<string>? given, string data)
        => trained is not null && given is not null && !trained.SequenceEqual(given, StringComparer.Ordinal)
            ? $"{weights} was trained on the classes {List(trained)}; {data} has {List(given)}"
            : null;
}
