using System.Net;
using System.Net.Sockets;
using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Data;

/// <summary>scn data download against a real HTTP server on loopback serving the shared tarball: whole, cut off
/// midway (then resumed with a Range request), and truncated.</summary>
public class Test_Download
{
    private static readonly byte[] Tarball = File.ReadAllBytes(Path.Combine(GeneratorHarness.RepositoryRoot(), "..", "shared", "data", "notmnist", "notMNIST_small-part.tar.gz"));

    /// <summary>Serves <paramref name="content"/> at /archive.tar.gz on 127.0.0.1 with Range support; the first
    /// <paramref name="cutFirstAfter"/> bytes only on the first request, then the connection is dropped.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[] _content;
        private readonly long? _cutFirstAfter;
        private readonly bool _stallInstead;
        private readonly CancellationTokenSource _closing = new();
        private int _requests;
        public List<string?> Ranges { get; } = [];
        public Uri Url { get; }

        /// <param name="stallInstead">After the first <paramref name="cutFirstAfter"/> bytes, send nothing more and keep
        /// the connection open (a stalled server) instead of dropping it.</param>
        public LoopbackServer(byte[] content, long? cutFirstAfter = null, bool stallInstead = false)
        {
            _content = content;
            _cutFirstAfter = cutFirstAfter;
            _stallInstead = stallInstead;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = new Uri($"http://127.0.0.1:{port}/archive.tar.gz");
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(Serve);
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); } catch { return; }
                var request = Interlocked.Increment(ref _requests);
                var range = context.Request.Headers["Range"];
                lock (Ranges) Ranges.Add(range);
                long start = 0;
                if (range is not null && range.StartsWith("bytes=") && long.TryParse(range[6..].TrimEnd('-'), out var from))
                {
                    start = from;
                    context.Response.StatusCode = 206;
                    context.Response.Headers["Content-Range"] = $"bytes {start}-{_content.Length - 1}/{_content.Length}";
                }
                context.Response.ContentLength64 = _content.Length - start;
                try
                {
                    if (request == 1 && _cutFirstAfter is { } cut)
                    {
                        await context.Response.OutputStream.WriteAsync(_content.AsMemory((int)start, (int)(cut - start)));
                        await context.Response.OutputStream.FlushAsync();
                        if (_stallInstead) await Task.Delay(Timeout.Infinite, _closing.Token);
                        context.Response.Abort(); // drop the connection mid-body
                        continue;
                    }
                    await context.Response.OutputStream.WriteAsync(_content.AsMemory((int)start));
                    context.Response.Close();
                }
                catch (Exception) { /* the client went away */ }
            }
        }

        public void Dispose()
        {
            _closing.Cancel();
            _listener.Close();
        }
    }

    [Fact]
    public void Downloads_verifies_and_renames_a_whole_archive()
    {
        using var server = new LoopbackServer(Tarball);
        using var folder = new Scn.TempFolder();
        var run = Scn.Run("data", "download", "--url", server.Url.ToString(), "--size", Tarball.Length.ToString(), "--out", folder["a.tar.gz"]);
        run.ExitCode.ShouldBe(0, run.Error);
        run.Output.ShouldContain("100 %");
        File.ReadAllBytes(folder["a.tar.gz"]).ShouldBe(Tarball);
        File.Exists(folder["a.tar.gz.part"]).ShouldBeFalse();
    }

    [Fact]
    public void An_interrupted_download_is_kept_and_resumed_with_a_range_request()
    {
        using var server = new LoopbackServer(Tarball, cutFirstAfter: Tarball.Length / 2);
        using var folder = new Scn.TempFolder();
        string[] arguments = ["data", "download", "--url", server.Url.ToString(), "--size", Tarball.Length.ToString(), "--out", folder["a.tar.gz"]];
        var first = Scn.Run(arguments);
        first.ExitCode.ShouldNotBe(0);
        first.Error.ShouldContain("run the same command again to resume");
        File.Exists(folder["a.tar.gz"]).ShouldBeFalse();
        new FileInfo(folder["a.tar.gz.part"]).Length.ShouldBeGreaterThan(0);

        var second = Scn.Run(arguments);
        second.ExitCode.ShouldBe(0, second.Error);
        File.ReadAllBytes(folder["a.tar.gz"]).ShouldBe(Tarball);
        server.Ranges[^1].ShouldStartWith("bytes=");
        server.Ranges[^1].ShouldNotBe("bytes=0-");
    }

    [Fact]
    public async Task A_stalled_download_ends_after_the_read_timeout_and_can_be_resumed()
    {
        using var server = new LoopbackServer(Tarball, cutFirstAfter: Tarball.Length / 3, stallInstead: true);
        using var folder = new Scn.TempFolder();
        using var http = new HttpClient();
        var download = new StaticConvNet.Data.ArchiveDownload(http) { ReadTimeout = TimeSpan.FromSeconds(1) };
        var e = await Should.ThrowAsync<StaticConvNet.DataFormatException>(() => download.DownloadAsync(server.Url, folder["a.tar.gz"], Tarball.Length));
        e.Message.ShouldBe($"{folder["a.tar.gz.part"]}: download stalled: no data for 1 s after {Tarball.Length / 3:N0} of {Tarball.Length:N0} bytes; run the same command again to resume");
        new FileInfo(folder["a.tar.gz.part"]).Length.ShouldBe(Tarball.Length / 3);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_one_line_naming_the_address()
    {
        // Accepts the connection and says nothing: the client's Timeout ends the request, not a read of the body.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/archive.tar.gz");
            using var folder = new Scn.TempFolder();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
            var e = await Should.ThrowAsync<StaticConvNet.DataFormatException>(() => new StaticConvNet.Data.ArchiveDownload(http).DownloadAsync(url, folder["a.tar.gz"], null));
            e.Message.ShouldBe($"{url}: did not answer within 1 s; run the same command again to retry");
        }
        finally
        {
            silent.Stop();
        }
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.org/a.tar.gz")]
    [InlineData("not a url")]
    public void Only_http_and_https_urls_are_taken(string url)
    {
        Scn.Run("data", "download", "--url", url).ShouldBeCleanError($"--url must be an http:// or https:// address, got '{url}'");
    }

    [Fact]
    public void A_truncated_archive_is_refused_and_not_kept()
    {
        var truncated = Tarball[..(Tarball.Length * 2 / 3)];
        using var server = new LoopbackServer(truncated);
        using var folder = new Scn.TempFolder();
        Scn.Run("data", "download", "--url", server.Url.ToString(), "--out", folder["a.tar.gz"])
            .ShouldBeCleanError("is truncated or not a valid .tar.gz");
        Directory.GetFiles(folder.Path).ShouldBeEmpty();
    }

    [Fact]
    public void A_size_other_than_the_expected_one_is_refused_before_downloading()
    {
        using var server = new LoopbackServer(Tarball);
        using var folder = new Scn.TempFolder();
        Scn.Run("data", "download", "--url", server.Url.ToString(), "--size", "8458043", "--out", folder["a.tar.gz"])
            .ShouldBeCleanError($"offers {Tarball.Length:N0} bytes, but the archive should have 8,458,043");
    }
}
