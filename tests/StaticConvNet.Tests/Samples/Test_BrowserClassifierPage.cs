using System.IO.Compression;
using System.Text;
using System.Text.Json;
using StaticConvNet.Interop;
using StaticConvNet.Tests.Support;
using Xunit.Abstractions;

namespace StaticConvNet.Tests.Samples;

/// <summary>The browser sample end to end, as its README runs it: publish, serve the static files on loopback, open
/// the page in headless Chromium. The typeset letters A–J are classified right by all three runtimes in the page,
/// ours gives the logits the .NET CPU path gives, and the page times each runtime on the same input.</summary>
public class Test_BrowserClassifierPage(ITestOutputHelper output)
{
    /// <summary>How long the page may take to get where a step waits for it.</summary>
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The file the measured table is written to when SCN_BROWSER_REPORT names one (scripts/browser-table.sh).</summary>
    private static readonly string? ReportPath = Environment.GetEnvironmentVariable("SCN_BROWSER_REPORT");

    [BrowserSampleFact]
    public async Task The_typeset_letters_read_the_same_in_all_three_runtimes_and_each_is_timed()
    {
        await NodeJs.SamplePackages();
        using var site = new Scn.TempFolder();
        var publish = Processes.Run("dotnet", ["publish", NodeJs.SampleFolder, "-c", Processes.Configuration, "-o", site.Path, "-nologo", "-v", "q"], timeout: TimeSpan.FromMinutes(6));
        publish.ExitCode.ShouldBe(0, publish.Output + publish.Error);
        var root = Path.Combine(site.Path, "wwwroot");

        using var server = new StaticFileServer(root);
        await using var browser = await HeadlessChromium.OpenAsync(server.Url + "/index.html");
        await browser.WaitForAsync("!!window.letters || (document.getElementById('status')?.textContent ?? '').startsWith('Could not')", PageTimeout);
        (await browser.EvaluateAsync("document.getElementById('status').textContent")).GetString().ShouldBe("Ready.");

        // Drawing with the mouse: the probabilities follow the pen, before it is lifted. An upright bar reads as I.
        var pad = await browser.EvaluateAsync("(() => { const r = document.getElementById('pad').getBoundingClientRect(); return [r.left, r.top]; })()");
        var (left, top) = (pad[0].GetDouble(), pad[1].GetDouble());
        await browser.MouseAsync("mousePressed", left + 140, top + 30);
        for (var y = 30; y <= 250; y += 10) await browser.MouseAsync("mouseMoved", left + 140, top + y);
        await browser.WaitForAsync("document.querySelectorAll('#bars .bar').length === 10", PageTimeout);
        await browser.EvaluateAsync("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"); // the last move's frame
        (await browser.EvaluateAsync("document.getElementById('letter').textContent")).GetString().ShouldBe("I", "an upright bar, still being drawn");
        (await browser.EvaluateAsync("document.getElementById('latency').textContent")).GetString()!.ShouldStartWith("This prediction took");
        await browser.MouseAsync("mouseReleased", left + 140, top + 250);

        var answers = await browser.EvaluateAsync("""
            (async () => {
              const out = [];
              for (const letter of letters.classNames) {
                letters.drawTypeset(letter);
                const pixels = letters.pixels();
                out.push({ letter, pixels: Array.from(pixels), answers: await letters.classifyAll(pixels) });
              }
              return out;
            })()
            """);
        var logits = new float[10];
        foreach (var typeset in answers.EnumerateArray())
        {
            var letter = typeset.GetProperty("letter").GetString();
            var pixels = typeset.GetProperty("pixels").EnumerateArray().Select(p => (float)((p.GetInt32() - 127.5) / 255)).ToArray();
            BakedLetters.ClassifyLogits(pixels, logits);
            var runtimes = typeset.GetProperty("answers").EnumerateArray().ToList();
            runtimes.Count.ShouldBe(3);
            foreach (var runtime in runtimes)
            {
                var name = runtime.GetProperty("runtime").GetString();
                runtime.GetProperty("letter").GetString().ShouldBe(letter, $"{name} on a typeset {letter}");
                var browserLogits = runtime.GetProperty("logits").EnumerateArray().Select(l => l.GetDouble()).ToArray();
                // Ours is the same code as the CPU path at another vector width: 1e-4 relative. The other two sum in
                // other orders: 1e-3 of the largest logit.
                var tolerance = name!.StartsWith("StaticConvNet") ? 1e-4 : 1e-3;
                var scale = Math.Max(1, logits.Max(Math.Abs));
                for (var k = 0; k < 10; k++)
                    Math.Abs(browserLogits[k] - logits[k]).ShouldBeLessThan(tolerance * Math.Max(Math.Abs(logits[k]), name.StartsWith("StaticConvNet") ? 1 : scale), $"{name}, {letter}, logit {k}");
            }
        }

        // The three runtimes timed on the same drawing, one after another, by the page's own Compare button.
        var rows = (await browser.EvaluateAsync("letters.compare()")).EnumerateArray()
            .Select(r => (Name: r.GetProperty("runtime").GetString()!, Detail: r.GetProperty("detail").GetString()!,
                          Milliseconds: r.GetProperty("milliseconds").GetDouble(), Calls: r.GetProperty("calls").GetInt32()))
            .ToList();
        rows.Count.ShouldBe(3);
        rows.ShouldAllBe(r => r.Milliseconds > 0 && r.Calls >= 31);
        var table = (await browser.EvaluateAsync("[...document.querySelectorAll('#runtimes tbody tr')].length")).GetInt32();
        table.ShouldBe(3, "the page shows the three timings");

        // What the page fetched, by runtime: as served here (uncompressed) and as brotli files the publish wrote.
        var fetched = (await browser.EvaluateAsync("[location.href, ...performance.getEntriesByType('resource').map(e => e.name)]"))
            .EnumerateArray().Select(u => new Uri(u.GetString()!).AbsolutePath.TrimStart('/')).Distinct().ToList();
        var sizes = fetched.Select(path => Path.Combine(root, path.Length == 0 ? "index.html" : path)).Where(File.Exists)
            .GroupBy(Group).ToDictionary(g => g.Key, g => (Files: g.Count(), Bytes: g.Sum(f => new FileInfo(f).Length), Brotli: g.Sum(Brotli)));
        var ours = sizes["StaticConvNet: the .NET runtime, the app and its baked weights"];
        ours.Brotli.ShouldBeLessThan(2_000_000, "trimmed, the .NET part of the page stays under 2 MB compressed");

        var ceiling = (await browser.EvaluateAsync("letters.runtimes[0].ceilingGflops()")).GetDouble();
        ceiling.ShouldBeGreaterThan(0);
        var report = Report(rows, sizes, await browser.EvaluateAsync("navigator.userAgent"), ceiling);
        output.WriteLine(report);
        if (ReportPath is not null) File.WriteAllText(ReportPath, report);
    }

    /// <summary>The page's ONNX and TensorFlow.js models are what scn exports from the weights ours bakes.</summary>
    [Fact]
    public void The_models_beside_the_page_are_the_baked_weights_exported()
    {
        using var folder = new Scn.TempFolder();
        var weights = Path.Combine(GeneratorHarness.RepositoryRoot(), "samples", "LetterClassifier", "arch2.scnw");
        var models = Path.Combine(NodeJs.SampleFolder, "wwwroot", "models");
        Scn.Run("export-onnx", "--checkpoint", weights, "--output", folder["arch2.onnx"]).ExitCode.ShouldBe(0);
        Scn.Run("export-tfjs", "--checkpoint", weights, "--output", folder["tfjs"]).ExitCode.ShouldBe(0);
        string[] files = ["arch2.onnx", "tfjs/model.json", "tfjs/Arch2ConvPool.weights.bin"];
        foreach (var file in files)
            File.ReadAllBytes(Path.Combine(folder.Path, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(models, file)))
                .ShouldBeTrue($"wwwroot/models/{file} is not what 'scn export-{(file.EndsWith(".onnx") ? "onnx" : "tfjs")} --checkpoint samples/LetterClassifier/arch2.scnw' writes");
    }

    /// <summary>Which runtime a file the page fetched belongs to.</summary>
    private static string Group(string file)
    {
        var path = file.Replace('\\', '/');
        if (path.Contains("/_framework/")) return "StaticConvNet: the .NET runtime, the app and its baked weights";
        if (path.Contains("/lib/ort/") || path.EndsWith(".onnx")) return "ONNX Runtime Web: runtime and arch2.onnx";
        if (path.Contains("/lib/tfjs/") || path.Contains("/models/tfjs/")) return "TensorFlow.js: runtime and the layers model";
        return "the page (HTML, CSS, its two scripts)";
    }

    /// <summary>The size a server sends with brotli: the .br file publishing wrote beside it, else compressed here.</summary>
    private static long Brotli(string file)
    {
        if (File.Exists(file + ".br")) return new FileInfo(file + ".br").Length;
        using var compressed = new MemoryStream();
        using (var brotli = new BrotliStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true)) brotli.Write(File.ReadAllBytes(file));
        return compressed.Length;
    }

    private static string Report(List<(string Name, string Detail, double Milliseconds, int Calls)> rows,
        Dictionary<string, (int Files, long Bytes, long Brotli)> sizes, JsonElement userAgent, double ceiling)
    {
        var text = new StringBuilder();
        var flops = 2.0 * MultiplyAdds(new BakedLetters().Description);
        var ours = rows[0].Milliseconds;
        text.AppendLine("| runtime | one prediction, median | ours is | calls timed | what it runs |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            var ratio = row.Milliseconds / ours;
            var relative = row == rows[0] ? "" : ratio >= 1 ? $"{ratio:F1}x faster" : $"{1 / ratio:F1}x slower";
            text.AppendLine($"| {row.Name} | {row.Milliseconds:F3} ms | {relative} | {row.Calls:N0} | {row.Detail} |");
        }
        text.AppendLine();
        text.AppendLine($"The median over 31 samples, each timing back-to-back calls for at least 5 ms; browser: {userAgent.GetString()}.");
        text.AppendLine($"One prediction is {flops / 1e6:F2} MFLOP counting the convolutions as direct ones (conv2 runs as Winograd, which does fewer): " +
                        $"ours runs at {flops / (rows[0].Milliseconds * 1e6):F2} GFLOP/s of those, where the fastest .NET loop found for the same page " +
                        $"(a register-blocked multiply-add inner loop, 128-bit, on cached arrays) runs at {ceiling:F2} GFLOP/s; " +
                        $"ONNX Runtime Web at {flops / (rows[1].Milliseconds * 1e6):F1} and TensorFlow.js at {flops / (rows[2].Milliseconds * 1e6):F1} GFLOP/s.");
        text.AppendLine();
        text.AppendLine("| what the page fetches | files | bytes | brotli |");
        text.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var (group, size) in sizes.OrderBy(s => s.Key)) text.AppendLine($"| {group} | {size.Files} | {size.Bytes:N0} | {size.Brotli:N0} |");
        return text.ToString();
    }

    /// <summary>Multiply-adds of one forward pass, the convolutions counted as direct ones.</summary>
    private static long MultiplyAdds(NetworkDescription network) => network.AllLayers.Sum(layer => layer switch
    {
        Conv2DLayer conv => (long)conv.Output.Length * conv.Window.Size * conv.Window.Size * conv.Input.Channels,
        DenseLayer dense => (long)dense.Input.Length * dense.Output.Channels,
        _ => 0L,
    });
}
