using System.Diagnostics;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Intrinsics;
using System.Runtime.Versioning;

namespace BrowserClassifier;

/// <summary>The fastest arithmetic .NET code reaches in this page, to read the classifier's time against: four
/// independent 128-bit multiply-adds a step over two 4 KB arrays that stay in cache, the best case of any kernel.
/// The page shows it beside the runtimes' times; published without the wasm-tools workload (which needs Emscripten),
/// .NET runs in the browser as an interpreter that compiles hot loops to WebAssembly as it goes (the "jiterpreter").</summary>
[SupportedOSPlatform("browser")]
public static partial class InterpreterCeiling
{
    private static readonly float[] Left = Enumerable.Range(0, 1024).Select(i => 1 + i * 1e-4f).ToArray();
    private static readonly float[] Right = Enumerable.Range(0, 1024).Select(i => 1 - i * 1e-4f).ToArray();

    /// <summary>GFLOP/s of the loop, the best of five rounds of at least 20 ms each.</summary>
    [JSExport]
    public static double MultiplyAddGflops()
    {
        var best = 0.0;
        var sink = 0f;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            long passes = 0;
            while (clock.ElapsedMilliseconds < 20)
            {
                for (var i = 0; i < 50; i++) sink += MultiplyAdd(Left, Right);
                passes += 50;
            }
            best = Math.Max(best, passes * Left.Length * 2 / clock.Elapsed.TotalSeconds / 1e9);
        }
        return sink == 0 ? 0 : best; // the sum is never 0: reading it keeps the loop
    }

    private static float MultiplyAdd(float[] left, float[] right)
    {
        Vector128<float> a = default, b = default, c = default, d = default;
        for (var i = 0; i < left.Length; i += 16)
        {
            a += Vector128.LoadUnsafe(ref left[i]) * Vector128.LoadUnsafe(ref right[i]);
            b += Vector128.LoadUnsafe(ref left[i + 4]) * Vector128.LoadUnsafe(ref right[i + 4]);
            c += Vector128.LoadUnsafe(ref left[i + 8]) * Vector128.LoadUnsafe(ref right[i + 8]);
            d += Vector128.LoadUnsafe(ref left[i + 12]) * Vector128.LoadUnsafe(ref right[i + 12]);
        }
        return Vector128.Sum(a + b + c + d);
    }
}
