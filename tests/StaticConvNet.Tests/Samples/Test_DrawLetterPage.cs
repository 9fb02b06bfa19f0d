using System.Diagnostics;
using System.Net;
using System.Text.Json;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Samples;

/// <summary>The web sample end to end, as a person uses it: headless Chromium opens the page, the mouse draws a
/// letter on the canvas, the Classify button is clicked, and the page shows a letter and ten probabilities from
/// the classifier baked into the server at compile time.</summary>
public class Test_DrawLetterPage
{
    /// <summary>How long the page may take to get where a step waits for it.</summary>
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(10);

    [ChromiumFact]
    public async Task Drawing_a_letter_and_clicking_classify_shows_the_prediction_and_ten_probabilities()
    {
        var (server, url) = await StartServer();
        try
        {
            await using var browser = await HeadlessChromium.OpenAsync(url);
            await browser.WaitForAsync("document.readyState === 'complete' && !!document.getElementById('pad')", PageTimeout);

            // An upright bar, drawn with the mouse: the letter I.
            var canvas = await browser.EvaluateAsync("(() => { const r = document.getElementById('pad').getBoundingClientRect(); return [r.left, r.top]; })()");
            var (left, top) = (canvas[0].GetDouble(), canvas[1].GetDouble());
            await browser.MouseAsync("mousePressed", left + 140, top + 30);
            for (var y = 30; y <= 250; y += 10) await browser.MouseAsync("mouseMoved", left + 140, top + y);
            await browser.MouseAsync("mouseReleased", left + 140, top + 250);

            var button = await browser.EvaluateAsync("(() => { const r = document.getElementById('classify').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()");
            await browser.MouseAsync("mousePressed", button[0].GetDouble(), button[1].GetDouble());
            await browser.MouseAsync("mouseReleased", button[0].GetDouble(), button[1].GetDouble());
            await browser.WaitForAsync("document.getElementById('letter').textContent.length > 0", PageTimeout);

            var letter = (await browser.EvaluateAsync("document.getElementById('letter').textContent")).GetString();
            var percents = (await browser.EvaluateAsync("[...document.querySelectorAll('.bar span:last-child')].map(s => parseFloat(s.textContent))"))
                .EnumerateArray().Select(p => p.GetDouble()).ToList();
            File.WriteAllBytes(Path.Combine(Path.GetTempPath(), "scn-draw-letter.png"), await browser.ScreenshotAsync());

            percents.Count.ShouldBe(10);
            percents.Sum().ShouldBe(100, 0.5);
            letter.ShouldBe("I", $"an upright bar reads as I; probabilities {string.Join(", ", percents)}");
            percents[8].ShouldBe(percents.Max());

            // The page says what to do, and its Example button draws a typeset letter and classifies it.
            (await browser.EvaluateAsync("document.getElementById('how').textContent")).GetString()!.ShouldContain("in white on the black square");
            var examples = new List<string?>();
            for (var i = 0; i < 3; i++)
            {
                await browser.EvaluateAsync("document.getElementById('letter').textContent = ''; document.getElementById('example').click()");
                await browser.WaitForAsync("document.getElementById('letter').textContent.length > 0", PageTimeout);
                examples.Add((await browser.EvaluateAsync("document.getElementById('letter').textContent")).GetString());
            }
            examples.ShouldBe(["A", "B", "C"], "typeset letters, as the network was trained on");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    /// <summary>What the classify endpoint answers a request it cannot use: a 400 whose body says what is wrong.</summary>
    [Fact]
    public async Task A_request_it_cannot_classify_gets_a_400_that_says_why()
    {
        var pixel300 = "{\"pixels\": [" + string.Join(",", Enumerable.Range(0, 784).Select(i => i == 29 ? "300" : "0")) + "]}";
        (string Body, string Error)[] cases =
        [
            ("{\"pixels\": [", "the body is not JSON of the form {\"pixels\": [784 numbers]}"),
            ("{\"pixels\": [1, 2, 3]}", "send 784 pixels (28x28, row by row), got 3"),
            (pixel300, "pixel 29 (row 1, column 1) is 300; pixels are 0 (background) to 255 (stroke)"),
        ];
        var (server, url) = await StartServer();
        try
        {
            using var http = new HttpClient();
            foreach (var (body, error) in cases)
            {
                var response = await http.PostAsync($"{url}/api/classify", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
                var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                answer.RootElement.GetProperty("error").GetString()!.ShouldStartWith(error);
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    /// <summary>Builds the sample and starts it on a free loopback port, serving.</summary>
    private static async Task<(Process Server, string Url)> StartServer()
    {
        var sample = Path.Combine(GeneratorHarness.RepositoryRoot(), "samples", "DrawLetter");
        var build = Processes.Run("dotnet", ["build", sample, "-c", Processes.Configuration, "-nologo", "-v", "q"], timeout: TimeSpan.FromMinutes(4));
        build.ExitCode.ShouldBe(0, build.Output + build.Error);
        var url = $"http://127.0.0.1:{StaticFileServer.FreePort()}";
        var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(sample, "bin", Processes.Configuration, "net10.0", "DrawLetter.dll"), "--urls", url])
        {
            WorkingDirectory = sample, // the content root, where wwwroot is
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            await WaitUntilServing(url);
        }
        catch
        {
            server.Kill(entireProcessTree: true);
            throw;
        }
        return (server, url);
    }

    private static async Task WaitUntilServing(string url)
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not start serving");
    }
}
