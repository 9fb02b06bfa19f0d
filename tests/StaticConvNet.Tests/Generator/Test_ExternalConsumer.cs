using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>A project outside the solution uses the generator exactly as docs/getting-started.md tells a user to:
/// a ProjectReference with OutputItemType="Analyzer" ReferenceOutputAssembly="false". A good stack builds and
/// runs; a bad one fails the build with the SCN error, file and line.</summary>
public class Test_ExternalConsumer
{
    private static string CreateProject(string program)
    {
        var root = GeneratorHarness.RepositoryRoot();
        var folder = Directory.CreateTempSubdirectory("scn-consumer-").FullName;
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{root}/src/Runtime/StaticConvNet.Runtime.csproj" />
                <ProjectReference Include="{root}/src/Generator/StaticConvNet.Generator.csproj"
                                  OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
        return folder;
    }

    private static Processes.Outcome Build(string folder)
        // The referenced projects were built with these tests; don't rebuild them underneath the running suite.
        => Processes.Run("dotnet", ["build", "-c", Processes.Configuration, "-p:BuildProjectReferences=false", "-nologo", "-v", "q"], folder);

    [Fact]
    public void A_user_project_builds_and_runs_a_generated_network()
    {
        var folder = CreateProject("""
            using StaticConvNet;

            var network = new Letters();
            network.InitializeParameters(seed: 1);
            Console.WriteLine($"{Letters.Conv1OutputHeight}x{Letters.Conv1OutputWidth}x{Letters.Conv1OutputChannels} {Letters.ParameterCount} {network.Predict(new float[Letters.InputLength])}");

            [Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
            [Conv2D(16, Patch = 5, Stride = 2, Padding = Padding.Same)]
            [ReLU]
            [Dense(10)]
            public sealed partial class Letters;
            """);
        try
        {
            var build = Build(folder);
            build.ExitCode.ShouldBe(0, build.Output + build.Error);
            var run = Processes.Run("dotnet", ["run", "--no-build", "-c", Processes.Configuration], folder);
            run.ExitCode.ShouldBe(0, run.Error);
            run.Output.ShouldStartWith($"14x14x16 {16 * 25 + 16 + 14 * 14 * 16 * 10 + 10} ");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_bad_layer_stack_fails_the_users_build_with_the_SCN_error_on_its_line()
    {
        var folder = CreateProject("""
            using StaticConvNet;

            [Network(Height = 28, Width = 28, Channels = 1, Classes = 10)]
            [Conv2D(16, Patch = 5, Stride = 2)]
            [ExpectShape(7, 7, 16)]
            [Dense(10)]
            public sealed partial class Letters;
            """);
        try
        {
            var build = Build(folder);
            build.ExitCode.ShouldNotBe(0);
            (build.Output + build.Error).ShouldContain("Program.cs(5,2): error SCN0008: expect1: expected shape 7x7x16, but conv1 outputs 14x14x16");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
