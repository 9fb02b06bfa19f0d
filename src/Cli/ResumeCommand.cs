using System.Globalization;

namespace StaticConvNet.Cli;

/// <summary>The shell command that continues an interrupted <c>scn train</c>, printed when a run is stopped.</summary>
internal static class ResumeCommand
{
    /// <summary>The command that continues an interrupted run: the same arguments, with --resume naming its checkpoint
    /// and --steps the steps left (any earlier --resume and --steps dropped, and --overwrite, which a resume refuses).</summary>
    internal static string For(IReadOnlyList<string> arguments, string checkpoint, long stepsLeft)
    {
        var kept = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var name = arguments[i].Split('=', ':')[0];
            if (name is "--overwrite")
            {
                if (name == arguments[i] && i + 1 < arguments.Count && arguments[i + 1] is ("true" or "false")) i++; // "--overwrite true"
                continue;
            }
            if (name is "--steps" or "--resume")
            {
                if (name == arguments[i]) i++; // its value is the next argument
                continue;
            }
            kept.Add(arguments[i]);
        }
        kept.AddRange(["--resume", checkpoint, "--steps", stepsLeft.ToString(CultureInfo.InvariantCulture)]);
        return "scn " + string.Join(' ', kept.Select(Quote));
    }

    private static string Quote(string argument)
        => argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+".Contains(c)) ? argument : "'" + argument.Replace("'", "'\\''") + "'";
}
