namespace StaticConvNet;

/// <summary>A <see cref="TrainingOptions"/> value that cannot train. <see cref="Option"/> names the property
/// ("BatchSize", "Schedule.InitialRate"); <see cref="Problem"/> says what is wrong, as a clause that reads after the
/// option's name, so that a command line can put its own flag there ("--batch-size must be …").</summary>
public sealed class TrainingOptionsException(string option, string problem) : ArgumentException($"{option} {problem}")
{
    public string Option { get; } = option;

    public string Problem { get; } = problem;
}
