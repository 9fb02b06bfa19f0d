namespace StaticConvNet;

/// <summary>How many copies a generated network keeps of what it lays out from its parameters in every call (a
/// convolution's kernels in the Winograd domain, its flipped weights): one per core of <see cref="CoreTeam"/>, so
/// that a training step's shards each read what their own core laid out. <see cref="BatchRunner.LayoutCopy"/> says
/// which copy a batch slot's passes read. What is laid out for inference alone (a BatchNorm folded into its
/// convolution) is one copy: it is rewritten only when the parameters change.</summary>
/// <remarks>One shared copy, laid out half on each core, was rewritten every step while the other core still held its
/// lines from the step before. With the two virtual CPUs far apart (a flag's round trip about 550 ns instead of 100)
/// that preparation took arch1's step 22–24 µs on two cores against 5–7 on one (timed per phase in the
/// --core-distance harness, with temporary timestamps; docs/performance.md).</remarks>
public static class LayoutCopies
{
    public const int Count = 2;

    /// <summary>The copy the calling thread lays out and reads: 1 on <see cref="CoreTeam"/>'s helper, 0 elsewhere.</summary>
    public static int OfThisThread => CoreTeam.OnHelper ? 1 : 0;

    /// <summary><see cref="Count"/> copies for a generated network's fields, each made by <paramref name="make"/>; where
    /// jobs never run on two cores (<see cref="CoreTeam.IsParallel"/>) only copy 0, which is all a thread there reads
    /// (the helper's copy stays null: no helper runs).</summary>
    public static T[] Make<T>(Func<T> make) where T : class
    {
        ArgumentNullException.ThrowIfNull(make);
        var copies = new T[Count];
        for (var i = 0; i < Count; i++) copies[i] = i == 0 || CoreTeam.IsParallel ? make() : null!;
        return copies;
    }
}
