using System.Security.Cryptography;
using System.Runtime.InteropServices;

namespace StaticConvNet.Data;

/// <summary>What a user should know about data before training on it.</summary>
public sealed record SplitSummary(string Name, int Count, int[] PerClass, int DuplicatesWithin, int SharedWithTrain, float Min, float Max);

public static class DataInspection
{
    public static IReadOnlyList<SplitSummary> Summarise(LoadedData data, int classes = 10)
    {
        var trainKeys = Keys(data.Train);
        var summaries = new List<SplitSummary> { Summary("train", data.Train, classes, trainKeys, null) };
        if (data.Valid is not null) summaries.Add(Summary("valid", data.Valid, classes, Keys(data.Valid), trainKeys));
        if (data.Test is not null) summaries.Add(Summary("test", data.Test, classes, Keys(data.Test), trainKeys));
        return summaries;
    }

    private static SplitSummary Summary(string name, Dataset split, int classes, string[] keys, string[]? train)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = keys.Count(k => !seen.Add(k));
        var trainSet = train is null ? null : new HashSet<string>(train, StringComparer.Ordinal);
        var shared = trainSet is null ? 0 : keys.Count(trainSet.Contains);
        var perClass = new int[classes];
        foreach (var label in split.Labels) if ((uint)label < classes) perClass[label]++;
        return new SplitSummary(name, split.Count, perClass, duplicates, shared,
            split.Images.Length == 0 ? 0 : split.Images.Min(), split.Images.Length == 0 ? 0 : split.Images.Max());
    }

    /// <summary>A content key per image (SHA-256 of its values): equal keys mean pixel-identical images.</summary>
    private static string[] Keys(Dataset split)
        => Enumerable.Range(0, split.Count).AsParallel().AsOrdered()
            .Select(i => Convert.ToBase64String(SHA256.HashData(MemoryMarshal.AsBytes(split.Image(i)))))
            .ToArray();
}
