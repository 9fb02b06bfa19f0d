namespace StaticConvNet.Tests.Support;

/// <summary>Runs the scn command-line tool as a user would: a separate process, real files, real exit codes.</summary>
public static class Scn
{
    public static Processes.Outcome Run(params string[] arguments)
        => Processes.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "scn.dll"), .. arguments], timeout: TimeSpan.FromMinutes(5));

    /// <summary>A fresh empty folder that is deleted when disposed.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("scn-test-").FullName;
        public string this[string name] => System.IO.Path.Combine(Path, name);
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>An error a user sees: exit code non-zero, one line on stderr starting "error: ", no stack trace.</summary>
    public static void ShouldBeCleanError(this Processes.Outcome outcome, string expectedFragment, int exitCode = 1)
    {
        outcome.ExitCode.ShouldBe(exitCode, outcome.Output + outcome.Error);
        var lines = outcome.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, outcome.Error);
        lines[0].ShouldStartWith("error: ");
        lines[0].ShouldContain(expectedFragment, Case.Insensitive);
        outcome.Error.ShouldNotContain("   at ");
    }

    /// <summary>A PNG of the stated size that shows something: decoded, its pixels are not all one colour.</summary>
    public static void ShouldBeAPicture(string path, int width, int height)
    {
        PngSize(path).ShouldBe((width, height), path);
        var image = StbImageSharp.ImageResult.FromMemory(File.ReadAllBytes(path), StbImageSharp.ColorComponents.RedGreenBlue);
        image.Data.Chunk(3).Select(p => (p[0], p[1], p[2])).Distinct().Count().ShouldBeGreaterThan(2, $"{path} is not all one colour");
    }

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes.AsSpan(0, 8).ToArray().ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "PNG signature");
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).ShouldBe("IHDR");
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
