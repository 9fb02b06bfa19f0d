using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Intrinsics;
using System.Runtime.Versioning;

namespace BrowserClassifier;

/// <summary>The fastest arithmetic .NET code reaches in this page, to read the classifier's time against: the inner
/// loop of a register-blocked matrix product (one broadcast value times eight 128-bit rows into eight accumulators,
/// multiply then add), over arrays that stay in cache. Of the loop forms tried (array indexing, references, four or
/// eight accumulators, PackedSimd intrinsics, this one) it is the fastest, by 1.3–1.5x. Published without the
/// wasm-tools workload (which needs Emscripten), .NET runs in the browser on an interpreter that compiles hot loops
/// to WebAssembly as it goes (the "jiterpreter"); this is what that reaches.</summary>
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
                for (var i = 0; i < 50; i++) sink += BroadcastMultiplyAdd(Left, Right);
                passes += 50;
            }
            best = Math.Max(best, passes * Left.Length * 2 / clock.Elapsed.TotalSeconds / 1e9);
        }
        return sink == 0 ? 0 : best; // the sum is never 0: reading it keeps the loop
    }

    private static float BroadcastMultiplyAdd(float[] broadcasts, float[] rows)
    {
        ref var x = ref MemoryMarshal.GetArrayDataReference(broadcasts);
        ref var y = ref MemoryMarshal.GetArrayDataReference(rows);
        Vector128<float> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
        for (nuint i = 0; i < (nuint)rows.Length; i += 32)
        {
            var s = Vector128.Create(Unsafe.Add(ref x, i));
            a += s * Vector128.LoadUnsafe(ref y, i);
            b += s * Vector128.LoadUnsafe(ref y, i + 4);
            c += s * Vector128.LoadUnsafe(ref y, i + 8);
            d += s * Vector128.LoadUnsafe(ref y, i + 12);
            e += s * Vector128.LoadUnsafe(ref y, i + 16);
            f += s * Vector128.LoadUnsafe(ref y, i + 20);
            g += s * Vector128.LoadUnsafe(ref y, i + 24);
            h += s * Vector128.LoadUnsafe(ref y, i + 28);
        }
        return Vector128.Sum(a + b + c + d + e + f + g + h);
    }
}
