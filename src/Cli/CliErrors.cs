using StaticConvNet.Data;

namespace StaticConvNet.Cli;

/// <summary>Turns the errors a user can cause into one line on stderr and a non-zero exit code, no stack trace.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (BundledDataNotFoundException)
        {
            // The library's message names its API; a command-line user needs the command's way out.
            Console.Error.WriteLine($"error: {BundledData.Folder}: bundled notMNIST data not found above the working directory; run scn from the repository or pass --data");
            return 1;
        }
        catch (Exception e) when (e is UserError or DataFormatException or IOException or UnauthorizedAccessException or ArgumentException or HttpRequestException or UriFormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

/// <summary>A mistake in what the user asked for, reported as its message alone.</summary>
internal sealed class UserError(string message) : Exception(message);
