using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StaticConvNet.Tests.Support;

/// <summary>Runs only where Debian's Chromium is installed (.ci/run installs it); elsewhere the test is reported as
/// skipped with the reason, never silently passed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path)) Skip = $"{Path} is not installed (apt-get install chromium; .ci/run does)";
    }
}

/// <summary>Headless Chromium driven over the DevTools protocol: real mouse input, script evaluation, screenshots.</summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly string _profile;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex ListeningPattern();

    public static async Task<HeadlessChromium> OpenAsync(string url)
    {
        var profile = Directory.CreateTempSubdirectory("scn-chromium-").FullName;
        var info = new ProcessStartInfo(ChromiumFactAttribute.Path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1000,700",
                     $"--user-data-dir={profile}", "--remote-debugging-port=0", url })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        var browser = new HeadlessChromium(process, profile);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? line;
        while ((line = await process.StandardError.ReadLineAsync()) is not null && DateTime.UtcNow < deadline)
        {
            if (ListeningPattern().Match(line) is { Success: true } match)
            {
                var port = new Uri(match.Groups[1].Value).Port;
                _ = process.StandardError.ReadToEndAsync(); // keep draining
                using var http = new HttpClient();
                for (var attempt = 0; attempt < 50; attempt++)
                {
                    var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list")).RootElement;
                    var page = targets.EnumerateArray().FirstOrDefault(t => t.GetProperty("type").GetString() == "page");
                    if (page.ValueKind != JsonValueKind.Undefined)
                    {
                        await browser._socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None);
                        return browser;
                    }
                    await Task.Delay(100);
                }
            }
        }
        await browser.DisposeAsync();
        throw new InvalidOperationException("Chromium did not open its DevTools endpoint.");
    }

    public async Task<JsonElement> SendAsync(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 20];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                text.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var reply = JsonDocument.Parse(text.ToArray()).RootElement;
            if (reply.TryGetProperty("id", out var replyId) && replyId.GetInt32() == id)
            {
                if (reply.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{method}: {error}");
                return reply.GetProperty("result").Clone();
            }
        }
    }

    /// <summary>Evaluates a script in the page and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var exception)) throw new InvalidOperationException($"{expression}: {exception}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until the page makes it true, or throws naming it once
    /// <paramref name="timeout"/> has passed.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while ((await EvaluateAsync(condition)).ValueKind != JsonValueKind.True)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"the page never satisfied: {condition}");
            await Task.Delay(100);
        }
    }

    public Task MouseAsync(string type, double x, double y)
        => SendAsync("Input.dispatchMouseEvent", new { type, x, y, button = "left", buttons = type == "mouseReleased" ? 0 : 1, clickCount = 1 });

    public async Task<byte[]> ScreenshotAsync()
        => Convert.FromBase64String((await SendAsync("Page.captureScreenshot", new { format = "png" })).GetProperty("data").GetString()!);

    public async ValueTask DisposeAsync()
    {
        try { _socket.Dispose(); } catch (ObjectDisposedException) { }
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }
}
