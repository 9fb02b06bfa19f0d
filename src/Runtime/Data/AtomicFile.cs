namespace StaticConvNet;

/// <summary>Writes files so that a reader sees the old file or the whole new one, never half of it:
/// write a temporary file beside the target, flush it to disk, then rename it over the target. A temporary file a
/// killed process left behind (<c>.NAME.PID.tmp</c>, its process gone) is removed by the next write of NAME.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        RemoveStaleTemporaries(folder, Path.GetFileName(full));
        var temp = Path.Combine(folder, TemporaryName(Path.GetFileName(full), Environment.ProcessId));
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The user named the file, not our temporary one beside it: say which file could not be written.
            throw new IOException($"{path}: cannot write it ({e.Message.Replace(temp, path, StringComparison.Ordinal)})", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static string TemporaryName(string fileName, int processId) => $".{fileName}.{processId}.tmp";

    /// <summary>Deletes this file's <c>.NAME.PID.tmp</c> temporaries whose process no longer runs: what a write cut short
    /// by a kill left. Only NAME's: other files' temporaries, ours or another program's, are not ours to judge.</summary>
    private static void RemoveStaleTemporaries(string folder, string fileName)
    {
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(folder, $".{fileName}.*.tmp"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        var prefix = $".{fileName}.";
        foreach (var candidate in candidates)
        {
            var name = Path.GetFileName(candidate);
            if (name.Length <= prefix.Length + 4 || !name.StartsWith(prefix, StringComparison.Ordinal)
                || !int.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { File.Delete(candidate); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // another writer got there first
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void WriteAllLines(string path, IEnumerable<string> lines)
        => Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var line in lines) writer.Write(line + "\n");
        });
}
