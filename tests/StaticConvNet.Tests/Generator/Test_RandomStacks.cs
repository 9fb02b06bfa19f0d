using CsCheck;
using Microsoft.CodeAnalysis;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Generator;

/// <summary>Random layer stacks, valid and invalid alike: the generator never throws, and every stack either
/// compiles cleanly with generated code or reports SCN errors and nothing else.</summary>
public class Test_RandomStacks
{
    private static readonly Gen<string> Padding = Gen.OneOfConst("Padding.Same", "Padding.Valid", "(Padding)3");

    private static readonly Gen<string> Layer = Gen.OneOf(
        Gen.Select(Gen.Int[-1, 20], Gen.Int[-1, 7], Gen.Int[-1, 4], Padding,
            (filters, patch, stride, padding) => $"[Conv2D({filters}, Patch = {patch}, Stride = {stride}, Padding = {padding})]"),
        Gen.Select(Gen.Int[-1, 4], Gen.Int[-1, 3], Padding,
            (size, stride, padding) => $"[MaxPool({size}, Stride = {stride}, Padding = {padding})]"),
        Gen.Int[-1, 5].Select(size => $"[MaxPool({size})]"),
        Gen.Const("[ReLU]"),
        Gen.Int[-2, 40].Select(units => $"[Dense({units})]"),
        Gen.Int[-2, 11].Select(tenths => $"[Dropout({tenths / 10.0:0.0}f)]"),
        Gen.Select(Gen.Int[-1, 5], Gen.Int[0, 3], (radius, bias) => $"[LocalResponseNorm(DepthRadius = {radius}, Bias = {bias}f, Alpha = 0.5f, Beta = 0.75f)]"),
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 9], Gen.Int[0, 20], (h, w, c) => $"[ExpectShape({h}, {w}, {c})]"));

    private static readonly Gen<string> Network = Gen.Select(
        Gen.Int[-1, 30], Gen.Int[1, 30], Gen.Int[1, 3], Gen.Int[1, 12], Layer.Array[0, 7], Gen.Bool,
        (height, width, channels, classes, layers, classifier) =>
            "using StaticConvNet;\n" +
            $"[Network(Height = {height}, Width = {width}, Channels = {channels}, Classes = {classes}, BatchCapacity = 2)]\n" +
            string.Join("\n", layers) + "\n" +
            (classifier ? $"[Dense({classes})]\n" : "") +
            "public sealed partial class RandomNet;\n");

    [Fact]
    public void Random_stacks_compile_or_report_only_SCN_errors()
    {
        int valid = 0, invalid = 0;
        Network.Sample(source =>
        {
            var result = GeneratorHarness.Run(source); // throws if the generator threw
            // SCN errors, or SCN0017 (the one warning), and nothing from the C# compiler.
            result.GeneratorDiagnostics.ShouldAllBe(d => d.Id.StartsWith("SCN") && (d.Severity == DiagnosticSeverity.Error || d.Id == "SCN0017"), source);
            var otherErrors = result.Errors.Where(d => !d.Id.StartsWith("SCN")).ToList();
            otherErrors.ShouldBeEmpty(source + "\n" + string.Join("\n", otherErrors));
            if (!result.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                result.GeneratedSources.Count.ShouldBe(1, source);
                Interlocked.Increment(ref valid);
            }
            else
            {
                // Only the public surface, so the user's code that uses the network adds no errors of its own.
                result.GeneratedSources.Values.ShouldHaveSingleItem(source).ShouldContain("only its public surface", customMessage: source);
                Interlocked.Increment(ref invalid);
            }
        }, iter: 300, threads: 2);
        // Both outcomes must be well represented, or the generator of stacks is not testing what it claims.
        valid.ShouldBeGreaterThan(15);
        invalid.ShouldBeGreaterThan(15);
    }
}
