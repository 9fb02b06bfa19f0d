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

/// <summary>Checks of the paths a command writes, before any work: what is wrong said in the option's terms.</summary>
internal static class OutputPaths
{
    /// <summary>A folder to write into: created if missing; a file, or a place that cannot hold a folder, is refused.</summary>
    public static string Folder(string path, string option)
    {
        if (System.IO.File.Exists(path)) throw new UserError($"{option} {path} is a file; it must be a folder");
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"{option} {path}: cannot create the folder ({e.Message})");
        }
        return path;
    }

    /// <summary>A file to write: not a folder, and none of the files the command reads (writing a CSV over the
    /// checkpoint it came from would destroy it).</summary>
    public static string File(string path, string option, params string?[] inputs)
    {
        if (Directory.Exists(path)) throw new UserError($"{option} {path} is a folder; it must be a file");
        var full = Path.GetFullPath(path);
        foreach (var input in inputs)
        {
            if (input is not null && string.Equals(Path.GetFullPath(input), full, StringComparison.Ordinal))
                throw new UserError($"{option} {path} is also an input of this command; writing it would destroy that input");
        }
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder)) throw new UserError($"{option} {path}: its folder {folder} does not exist");
        return path;
    }
}
