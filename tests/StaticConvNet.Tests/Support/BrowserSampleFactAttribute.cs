namespace StaticConvNet.Tests.Support;

/// <summary>Runs only where both headless Chromium and Node.js are installed (.ci/run installs both); elsewhere the
/// test is reported as skipped with the reason.</summary>
public sealed class BrowserSampleFactAttribute : FactAttribute
{
    public BrowserSampleFactAttribute()
    {
        if (!File.Exists(ChromiumFactAttribute.Path)) Skip = $"{ChromiumFactAttribute.Path} is not installed (apt-get install chromium; .ci/run does)";
        else if (NodeJs.Missing is { } missing) Skip = missing;
    }
}
