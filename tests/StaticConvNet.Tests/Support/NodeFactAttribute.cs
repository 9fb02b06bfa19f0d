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
