using StaticConvNet.Kernels;

namespace StaticConvNet.Data;

/// <summary>Seeded, stratified train/validation split: the same fraction of every class goes to validation.</summary>
public static class Splitting
{
    public static (Dataset Train, Dataset Valid) Stratified(Dataset data, double validFraction, int seed)
    {
        if (!(validFraction > 0 && validFraction < 1)) throw new ArgumentOutOfRangeException(nameof(validFraction), validFraction, "The validation fraction must be in (0, 1).");
        var train = new List<int>();
        var valid = new List<int>();
        foreach (var group in Enumerable.Range(0, data.Count).GroupBy(i => data.Labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            var key = SplitMix.Mix((ulong)(uint)seed * 31 + (ulong)group.Key);
            for (var i = members.Length - 1; i > 0; i--) // Fisher–Yates with our own generator: the same everywhere
            {
                var j = (int)(SplitMix.UnitDouble(SplitMix.Mix(key + (ulong)i)) * (i + 1));
                (members[i], members[j]) = (members[j], members[i]);
            }
            var validCount = (int)Math.Round(members.Length * validFraction);
            if (validCount == members.Length)
                throw new ArgumentException($"Class {data.ClassNames?[group.Key] ?? group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)} has {members.Length} image(s): a validation fraction of {validFraction} holds out all of it, leaving none to train on.", nameof(validFraction));
            valid.AddRange(members[..validCount]);
            train.AddRange(members[validCount..]);
        }
        train.Sort();
        valid.Sort();
        return (Subset(data, train), Subset(data, valid));
    }

    public static Dataset Subset(Dataset data, IReadOnlyList<int> indices)
    {
        var images = new float[(long)indices.Count * data.ImageLength];
        for (var k = 0; k < indices.Count; k++) data.Image(indices[k]).CopyTo(images.AsSpan(k * data.ImageLength)); // within the array: no wrap
        return new Dataset(images, indices.Select(i => data.Labels[i]).ToArray(), data.Height, data.Width, data.Channels, data.ClassNames);
    }
}
