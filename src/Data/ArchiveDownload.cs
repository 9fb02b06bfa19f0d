using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace StaticConvNet.Data;

/// <summary>Downloads a notMNIST archive into FILE.part, resuming a partial one with an HTTP Range request, and
/// only renames it to FILE once its size is what was promised and the whole .tar.gz reads to the end.</summary>
public sealed class ArchiveDownload(HttpClient http)
{
    /// <summary>The archives the Udacity notebook downloads, with the sizes it checked.</summary>
    public static readonly IReadOnlyDictionary<string, (Uri Url, long Size)> Known = new Dictionary<string, (Uri, long)>
    {
        ["small"] = (new Uri("https://commondatastorage.googleapis.com/books1000/notMNIST_small.tar.gz"), 8_458_043),
        ["large"] = (new Uri("https://commondatastorage.googleapis.com/books1000/notMNIST_large.tar.gz"), 247_336_696),
    };

    /// <summary>Bytes so far and the total when known, after each chunk.</summary>
    public Action<long, long?>? Progress { get; init; }

    /// <summary>How long one read may wait for data before the download counts as stalled (resumable).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <returns>The number of archive entries, once the file is complete and verified.</returns>
    public async Task<int> DownloadAsync(Uri url, string target, long? expectedSize, CancellationToken cancellationToken = default)
    {
        var partial = target + ".part";
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        HttpResponseMessage answer;
        try
        {
            answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) // the client's Timeout
        {
            throw new DataFormatException(url.ToString(), $"did not answer within {http.Timeout.TotalSeconds:0} s; run the same command again to retry");
        }
        using var response = answer;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && expectedSize == have)
        {
            return Finish(partial, target, have, expectedSize); // the partial file was already whole
        }
        if (!response.IsSuccessStatusCode)
            throw new DataFormatException(url.ToString(), $"answered {(int)response.StatusCode} {response.ReasonPhrase}");

        var resuming = response.StatusCode == HttpStatusCode.PartialContent;
        if (!resuming) have = 0; // the server ignored the range: start over
        var total = resuming ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength;
        if (expectedSize is { } size && total is { } announced && announced != size)
            throw new DataFormatException(url.ToString(), $"offers {announced:N0} bytes, but the archive should have {size:N0}");
        total ??= expectedSize;

        await using (var output = new FileStream(partial, resuming ? FileMode.Append : FileMode.Create, FileAccess.Write))
        await using (var input = await response.Content.ReadAsStreamAsync(cancellationToken))
        {
            var buffer = new byte[1 << 16];
            try
            {
                int read;
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                while (true)
                {
                    stall.CancelAfter(ReadTimeout);
                    try
                    {
                        read = await input.ReadAsync(buffer, stall.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new DataFormatException(partial, $"download stalled: no data for {ReadTimeout.TotalSeconds:0} s after {have:N0} of {total?.ToString("N0") ?? "?"} bytes; run the same command again to resume");
                    }
                    if (read == 0) break;
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    have += read;
                    Progress?.Invoke(have, total);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new DataFormatException(partial, $"download interrupted after {have:N0} of {total?.ToString("N0") ?? "?"} bytes ({e.Message}); run the same command again to resume");
            }
        }
        return Finish(partial, target, have, total);
    }

    private static int Finish(string partial, string target, long have, long? total)
    {
        if (total is { } expected && have != expected)
            throw new DataFormatException(partial, $"has {have:N0} of {expected:N0} bytes: the server closed the connection early; run the same command again to resume");
        int entries;
        try
        {
            entries = CountEntries(partial);
        }
        catch (DataFormatException)
        {
            File.Delete(partial); // whole but unreadable: resuming cannot repair it
            throw;
        }
        File.Move(partial, target, overwrite: true);
        return entries;
    }

    /// <summary>Reads the archive to its end: a truncated or damaged .tar.gz fails here, not in the middle of training.</summary>
    public static int CountEntries(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            var count = 0;
            while (tar.GetNextEntry() is { } entry)
            {
                entry.DataStream?.CopyTo(Stream.Null);
                count++;
            }
            return count;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException)
        {
            throw new DataFormatException(path, $"is truncated or not a valid .tar.gz ({e.Message})");
        }
    }
}
