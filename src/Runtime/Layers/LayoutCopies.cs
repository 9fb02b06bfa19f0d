namespace StaticConvNet;

/// <summary>How many copies a generated network keeps of what it lays out from its parameters once per call (a
/// convolution's kernels in the Winograd domain, its flipped weights): one per core of <see cref="CoreTeam"/>, so
/// that each core reads, during its shard, only what it laid out itself. <see cref="BatchRunner.LayoutCopy"/> says
/// which copy a batch slot's passes read.</summary>
/// <remarks>One shared copy, laid out half on each core, was rewritten every step while the other core still held its
/// lines from the step before. With the two virtual CPUs far apart (a flag's round trip about 550 ns instead of 100)
/// that preparation took arch1's step 22–24 µs on two cores against 5–7 on one (StaticConvNet.Bench --core-distance,
/// timed per phase).</remarks>
public static class LayoutCopies
{
    public const int Count = 2;

    /// <summary>The copy the calling thread lays out and reads: 1 on <see cref="CoreTeam"/>'s helper, 0 elsewhere.</summary>
    public static int OfThisThread => CoreTeam.OnHelper ? 1 : 0;

    /// <summary><see cref="Count"/> copies, each made by <paramref name="make"/>: for a generated network's fields.</summary>
    public static T[] Make<T>(Func<T> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        var copies = new T[Count];
        for (var i = 0; i < Count; i++) copies[i] = make();
        return copies;
    }
}
