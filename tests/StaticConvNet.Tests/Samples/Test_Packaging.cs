using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Samples;

/// <summary>The ways a user gets StaticConvNet: NuGet packages from a local folder feed, scn as a .NET tool, and the
/// NativeAOT console sample with a classifier baked in.</summary>
public class Test_Packaging
{
    private static string Root => GeneratorHarness.RepositoryRoot();

    [Fact]
    public void Packages_from_a_local_feed_build_and_run_a_users_network()
    {
        using var folder = new Scn.TempFolder();
        var feed = folder["feed"];
        foreach (var project in new[] { "src/Generator/StaticConvNet.Generator.csproj", "src/Runtime/StaticConvNet.Runtime.csproj" })
        {
            // Release, unlike the Debug build these tests run in; the two tests of this class run one after the other.
            var pack = Processes.Run("dotnet", ["pack", Path.Combine(Root, project), "-c", "Release", "-o", feed, "-nologo", "-v", "q"]);
            pack.ExitCode.ShouldBe(0, pack.Output + pack.Error);
        }
        var app = folder["app"];
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="StaticConvNet.Runtime" Version="0.1.0" />
                <PackageReference Include="StaticConvNet.Generator" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using StaticConvNet;
            var net = new Tiny();
            net.InitializeParameters(2);
            Console.WriteLine($"{Tiny.ParameterCount} {net.Predict(new float[Tiny.InputLength])}");

            [Network(Height = 6, Width = 6, Classes = 3)]
            [Conv2D(4, Patch = 3)]
            [ReLU]
            [Dense(3)]
            public sealed partial class Tiny;
            """);
        // The local feed is added to the machine's sources (System.Numerics.Tensors still comes from NuGet);
        // a private packages folder keeps this 0.1.0 out of the user's cache.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{folder["packages"]}" /></config>
              <packageSources><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        var run = Processes.Run("dotnet", ["run", "-c", "Release", "--project", app], app, TimeSpan.FromMinutes(4));
        run.ExitCode.ShouldBe(0, run.Output + run.Error);
        run.Output.Trim().ShouldStartWith($"{3 * 3 * 4 + 4 + 6 * 6 * 4 * 3 + 3} ");
    }

    [Fact]
    public void Scn_packs_as_a_dotnet_tool_installs_from_a_folder_feed_and_trains()
    {
        using var folder = new Scn.TempFolder();
        // The CLI these tests already built, packed as it is: the install is what is under test, not another build.
        var pack = Processes.Run("dotnet", ["pack", Path.Combine(Root, "src", "Cli"), "-c", Processes.Configuration, "--no-build", "-o", folder["feed"], "-nologo", "-v", "q"]);
        pack.ExitCode.ShouldBe(0, pack.Output + pack.Error);
        var package = Directory.GetFiles(folder["feed"], "*.nupkg").ShouldHaveSingleItem();
        Path.GetFileName(package).ShouldBe("StaticConvNet.Tool.0.1.0.nupkg");
        new FileInfo(package).Length.ShouldBeLessThan(60L << 20, "no native debug symbols, no platforms .NET 10 does not run scn on");

        // Only the folder feed: the tool package carries everything it needs.
        File.WriteAllText(folder["nuget.config"], $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{folder["packages"]}" /></config>
              <packageSources><clear /><add key="local" value="{folder["feed"]}" /></packageSources>
            </configuration>
            """);
        var install = Processes.Run("dotnet", ["tool", "install", "StaticConvNet.Tool", "--tool-path", folder["tools"], "--configfile", folder["nuget.config"]]);
        install.ExitCode.ShouldBe(0, install.Output + install.Error);
        install.Output.ShouldContain("You can invoke the tool using the following command: scn");

        var scn = Path.Combine(folder["tools"], OperatingSystem.IsWindows() ? "scn.exe" : "scn");
        var help = Processes.Run(scn, ["--help"]);
        help.ExitCode.ShouldBe(0, help.Error);
        help.Output.ShouldContain("train");
        // From the repository, as the README runs it: the bundled data is found above the working directory.
        var train = Processes.Run(scn, ["train", "arch1", "--steps", "20", "--eval-every", "0", "--out", folder["run"]], Root);
        train.ExitCode.ShouldBe(0, train.Output + train.Error);
        File.Exists(folder["run/arch1.scnw"]).ShouldBeTrue();
    }

    [Fact]
    public void The_NativeAOT_sample_publishes_without_warnings_and_classifies_real_letters()
    {
        using var folder = new Scn.TempFolder();
        var publish = Processes.Run("dotnet", ["publish", Path.Combine(Root, "samples", "LetterClassifier"), "-c", "Release", "-r", "linux-x64",
            "-o", folder["out"], "-nologo"], timeout: TimeSpan.FromMinutes(6));
        publish.ExitCode.ShouldBe(0, publish.Output + publish.Error);
        publish.Output.ShouldNotContain("warning IL", customMessage: "no trimming or AOT warnings");

        // Real glyphs from the original archive: every J in the shared tarball's first 40.
        var letters = folder["letters"];
        Directory.CreateDirectory(letters);
        using (var gzip = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(Root, "..", "shared", "data", "notmnist", "notMNIST_small-part.tar.gz")), System.IO.Compression.CompressionMode.Decompress))
        using (var tar = new System.Formats.Tar.TarReader(gzip))
        {
            var written = 0;
            while (written < 40 && tar.GetNextEntry() is { } entry)
            {
                if (!entry.Name.Contains("/J/") || !entry.Name.EndsWith(".png")) continue;
                entry.ExtractToFile(Path.Combine(letters, $"{written++:D2}.png"), overwrite: true);
            }
        }
        var run = Processes.Run(Path.Combine(folder["out"], "LetterClassifier"), [letters]);
        run.ExitCode.ShouldBe(0, run.Error);
        var predictions = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[1]).ToList();
        predictions.Count.ShouldBe(40);
        predictions.Count(p => p == "J").ShouldBeGreaterThan(32, "the baked arch2 weights are ~90 % accurate");

        // Files that are not 28x28 PNGs, each one line and exit code 1: seven bytes of JPEG named .png (the decoder
        // picks by content and never returns on them), a device that never ends, a PNG of another size.
        File.WriteAllBytes(folder["jpeg.png"], [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x01]);
        TestImages.WritePng(folder["big.png"], 30, 28, 7);
        var bad = Processes.Run(Path.Combine(folder["out"], "LetterClassifier"), [folder["jpeg.png"], "/dev/zero", folder["big.png"]], timeout: TimeSpan.FromSeconds(30));
        bad.ExitCode.ShouldBe(1, bad.Output + bad.Error);
        bad.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            $"{folder["jpeg.png"]}: not a PNG file",
            "/dev/zero: not a readable PNG (is 0 bytes: not a regular file of 1 to 65,536)",
            $"{folder["big.png"]}: is 30x28; the classifier takes 28x28"]);
    }
}
