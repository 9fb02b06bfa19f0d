using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;

namespace StaticConvNet.Data;

/// <summary>A file that could not be used, and why.</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>Images read from the original notMNIST archive (folders A..J of PNG files), streamed straight out of the
/// .tar.gz without unpacking it (an unpacked tree is an <see cref="ImageFolder"/>). Unreadable PNGs (the original archives have some)
/// are skipped and listed; a PNG of the wrong size is an error, since it means this is not notMNIST.</summary>
public static class PngTree
{
    public const string Letters = "ABCDEFGHIJ";

    public sealed record Result(Dataset Data, IReadOnlyList<SkippedFile> Skipped, IReadOnlyList<string> Notes);

    private readonly record struct Entry(string Name, int Label, byte[] Bytes);

    /// <summary>Streams a .tar.gz: one reader thread walks the archive while the other cores decode, through a
    /// bounded queue, so memory holds the decoded images and at most a few hundred compressed ones.</summary>
    public static Result LoadTarball(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        using var queue = new BlockingCollection<Entry>(boundedCapacity: 512);
        var decoded = new ConcurrentBag<(string Name, int Label, byte[]? Pixels)>();
        var skipped = new ConcurrentBag<SkippedFile>();
        using var failed = new CancellationTokenSource(); // a decoder that meets a bad file stops the reader
        var decoders = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => Task.Run(() =>
        {
            try
            {
                foreach (var entry in queue.GetConsumingEnumerable())
                {
                    decoded.Add((entry.Name, entry.Label, DecodeOrSkip(entry.Bytes, $"{path}:{entry.Name}", skipped)));
                }
            }
            catch
            {
                failed.Cancel();
                throw;
            }
        })).ToArray();

        var ignored = 0;
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = entry.Name.Replace('\\', '/');
                var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (name.StartsWith('/') || segments.Contains("..") || (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink))
                    throw new DataFormatException(path, $"has an entry '{name}' that points outside the archive's tree; refusing to read it");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                if (!name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || segments.Length < 2 || LabelOf(segments[^2]) is not { } label)
                {
                    ignored++;
                    continue;
                }
                if (PngImage.TooLarge(entry.Length) is { } problem)
                {
                    // Not read into memory: the reader skips past it (a bomb inside the archive costs time, not memory).
                    skipped.Add(new SkippedFile($"{path}:{name}", problem));
                    continue;
                }
                using var data = new MemoryStream((int)entry.Length);
                entry.DataStream?.CopyTo(data);
                queue.Add(new Entry(name, label, data.ToArray()), failed.Token);
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            // A decoder failed; its error is thrown below.
        }
        // The tar reader turns damaged headers into these too: a PAX mtime past DateTimeOffset's range is an
        // OverflowException or an ArgumentOutOfRangeException, and an extended-attributes entry whose size field is
        // past what an array holds an InvalidOperationException (each found by Test_Fuzz). Nothing else in this block
        // throws InvalidOperationException: the queue is completed only after the loop.
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException or OverflowException
                                      or ArgumentOutOfRangeException or (InvalidOperationException and not ObjectDisposedException))
        {
            queue.CompleteAdding();
            ParallelFiles.Unwrapped(() => Task.WaitAll(decoders));
            throw new DataFormatException(path, $"is truncated or not a valid .tar.gz ({e.Message})");
        }
        finally
        {
            if (!queue.IsAddingCompleted) queue.CompleteAdding();
        }
        ParallelFiles.Unwrapped(() => Task.WaitAll(decoders));
        var ordered = decoded.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => (d.Name, d.Label, d.Pixels)).ToList();
        List<string> notes = ignored > 0 ? [$"ignored {ignored} entries that are not PNG files in a folder A..J"] : [];
        return Assemble(path, ordered, skipped, notes);
    }

    private static int? LabelOf(string folder) => folder.Length == 1 && Letters.IndexOf(folder[0]) is var i and >= 0 ? i : null;

    private static byte[]? DecodeOrSkip(byte[] bytes, string name, ConcurrentBag<SkippedFile> skipped)
    {
        try
        {
            return PngImage.Decode(bytes, name);
        }
        catch (DataFormatException e) when (e.Problem.StartsWith("is not a readable ", StringComparison.Ordinal))
        {
            skipped.Add(new SkippedFile(name, e.Problem));
            return null;
        }
    }

    private static Result Assemble(string source, List<(string Name, int Label, byte[]? Pixels)> items, ConcurrentBag<SkippedFile> skipped, List<string> notes)
    {
        var usable = items.Where(i => i.Pixels is not null).ToList();
        if (usable.Count == 0) throw new DataFormatException(source, $"holds no readable notMNIST PNG images ({skipped.Count} unreadable)");
        foreach (var missing in Enumerable.Range(0, Letters.Length).Where(l => usable.All(u => u.Label != l)))
        {
            throw new DataFormatException(source, $"has no readable images of class {Letters[missing]}");
        }
        var pixels = PngImage.Size * PngImage.Size;
        var images = new float[usable.Count * pixels];
        for (var i = 0; i < usable.Count; i++) Dataset.Normalise(usable[i].Pixels, images.AsSpan(i * pixels, pixels));
        var list = skipped.OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        return new Result(new Dataset(images, usable.Select(u => u.Label).ToArray(), PngImage.Size, PngImage.Size, 1, LabelNames.Letters), list, notes);
    }
}
