using System.Net;
using System.Net.Sockets;

namespace StaticConvNet.Tests.Support;

/// <summary>Serves a folder of static files on a free loopback port, as any static host would serve a published
/// WebAssembly app: GET only (405 otherwise), the content types browsers insist on for modules and WebAssembly, nothing else.</summary>
public sealed class StaticFileServer : IDisposable
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript",
        [".css"] = "text/css", [".json"] = "application/json", [".wasm"] = "application/wasm",
        [".bin"] = "application/octet-stream", [".onnx"] = "application/octet-stream", [".dat"] = "application/octet-stream",
    };

    private readonly HttpListener _listener;
    private readonly string _root;
    private readonly Task _serving;

    public string Url { get; }

    public StaticFileServer(string root)
    {
        _root = Path.GetFullPath(root);
        // A free port can be taken between finding it and listening on it (tests run in parallel): try another.
        for (var attempt = 1; ; attempt++)
        {
            Url = $"http://127.0.0.1:{FreePort()}";
            _listener = new HttpListener();
            _listener.Prefixes.Add(Url + "/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }
        _serving = Task.Run(Serve);
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => Answer(context));
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.HttpMethod != "GET")
        {
            response.StatusCode = 405;
            return;
        }
        var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
        var path = Path.GetFullPath(Path.Combine(_root, relative.Length == 0 ? "index.html" : relative));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            response.StatusCode = 404;
            return;
        }
        response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        var bytes = await File.ReadAllBytesAsync(path);
        response.ContentLength64 = bytes.Length;
        try
        {
            await response.OutputStream.WriteAsync(bytes);
        }
        catch (HttpListenerException) { } // the page navigated away
    }

    /// <summary>A loopback port no one listens on now (for a server a test starts).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException) { }
    }
}
