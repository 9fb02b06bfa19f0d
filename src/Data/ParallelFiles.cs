namespace StaticConvNet.Data;

/// <summary>Work over many files on every core, failing as one sequential pass would: when files are bad, the error
/// thrown is the one of the first bad file by name, whichever thread met it first.</summary>
public static class ParallelFiles
{
    public static void Run(int count, Action<int> body)
        => Unwrapped(() => Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, body));

    /// <summary>Runs parallel work and, if it failed on bad files, throws the failure of the first file by name as the
    /// plain error it is.</summary>
    public static void Unwrapped(Action parallelWork)
    {
        try
        {
            parallelWork();
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.All(x => x is DataFormatException))
        {
            throw e.Flatten().InnerExceptions.Cast<DataFormatException>().OrderBy(x => x.FilePath, StringComparer.Ordinal).First();
        }
    }
}
