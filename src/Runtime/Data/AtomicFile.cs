namespace StaticConvNet.Data;

/// <summary>Writes files so that a reader sees the old file or the whole new one, never half of it:
/// write a temporary file beside the target, flush it to disk, then rename it over the target. A temporary file a
/// killed process left behind (<c>.NAME.PID.tmp</c>, its process gone) is removed by the next write to that folder.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        RemoveStaleTemporaries(folder);
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

    /// <summary>Deletes <c>.NAME.PID.tmp</c> files whose process no longer runs: what a write cut short by a kill left.</summary>
    private static void RemoveStaleTemporaries(string folder)
    {
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(folder, ".*.tmp"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var candidate in candidates)
        {
            var name = Path.GetFileName(candidate);
            var pidStart = name.LastIndexOf('.', name.Length - 5) + 1;
            if (pidStart <= 1 || !int.TryParse(name.AsSpan(pidStart, name.Length - 4 - pidStart), out var pid)
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
