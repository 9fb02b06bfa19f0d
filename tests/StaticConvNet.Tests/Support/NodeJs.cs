namespace StaticConvNet.Tests.Support;

/// <summary>Runs only where Node.js and npm are installed (they install the browser sample's JavaScript runtimes);
/// elsewhere the test is reported as skipped with the reason.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeJs.Missing is { } missing) Skip = missing;
    }
}

/// <summary>Like <see cref="NodeFactAttribute"/>, for a theory.</summary>
public sealed class NodeTheoryAttribute : TheoryAttribute
{
    public NodeTheoryAttribute()
    {
        if (NodeJs.Missing is { } missing) Skip = missing;
    }
}

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

/// <summary>Runs only where both headless Chromium and Node.js are installed (.ci/run installs Chromium).</summary>
public sealed class BrowserSampleFactAttribute : FactAttribute
{
    public BrowserSampleFactAttribute()
    {
        if (!File.Exists(ChromiumFactAttribute.Path)) Skip = $"{ChromiumFactAttribute.Path} is not installed (apt-get install chromium; .ci/run does)";
        else if (NodeJs.Missing is { } missing) Skip = missing;
    }
}
