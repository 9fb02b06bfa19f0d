namespace StaticConvNet.Tests.Support;

/// <summary>Node.js and the npm packages samples/BrowserClassifier pins (TensorFlow.js, ONNX Runtime Web).</summary>
public static class NodeJs
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    /// <summary>Why Node.js cannot run here, or null when it can.</summary>
    public static string? Missing
        => new[] { "node", "npm" }.FirstOrDefault(tool => !OnPath(tool)) is { } tool ? $"{tool} is not installed (apt-get install nodejs npm)" : null;

    public static string SampleFolder => Path.Combine(GeneratorHarness.RepositoryRoot(), "samples", "BrowserClassifier");

    /// <summary>The sample's node_modules, installed from its package-lock.json once (tests running at the same time
    /// wait for one install; the sample's build skips npm when this is done).</summary>
    public static async Task<string> SamplePackages()
    {
        var modules = Path.Combine(SampleFolder, "node_modules");
        await Install.WaitAsync();
        try
        {
            var installed = Path.Combine(modules, ".package-lock.json");
            if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(Path.Combine(SampleFolder, "package-lock.json")))
            {
                var npm = Processes.Run("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], SampleFolder, TimeSpan.FromMinutes(5));
                npm.ExitCode.ShouldBe(0, npm.Output + npm.Error);
            }
            return modules;
        }
        finally
        {
            Install.Release();
        }
    }

    private static bool OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, tool)));
}
