using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Intrinsics;
using System.Runtime.Versioning;

namespace BrowserClassifier;

/// <summary>What the page's JavaScript calls: the baked classifier, one image at a time, on the page's thread.</summary>
[SupportedOSPlatform("browser")]
public static partial class LetterExports
{
    /// <summary>The ten logits for a 28x28 drawing: grey levels 0 (background) to 255 (stroke), row by row, as
    /// notMNIST stores its glyphs; scaled to the network's input as training scaled them.</summary>
    [JSExport]
    public static double[] Logits(byte[] pixels)
    {
        if (pixels.Length != Letters.InputLength)
            throw new ArgumentException($"send {Letters.InputLength} pixels (28x28, row by row), got {pixels.Length}", nameof(pixels));
        Span<float> image = stackalloc float[Letters.InputLength];
        for (var i = 0; i < image.Length; i++) image[i] = (pixels[i] - 127.5f) / 255f;
        Span<float> logits = stackalloc float[Letters.OutputLength];
        Letters.ClassifyLogits(image, logits);
        var result = new double[logits.Length];
        for (var i = 0; i < result.Length; i++) result[i] = logits[i];
        return result;
    }

    /// <summary>The class names arch2.scnw carries: A..J.</summary>
    [JSExport]
    public static string[] ClassNames() => [.. Letters.ClassNames];

    /// <summary>What the page says it runs on: the .NET version and whether 128-bit vectors are WebAssembly SIMD.</summary>
    [JSExport]
    public static string Platform()
        => $".NET {Environment.Version}, {(Vector128.IsHardwareAccelerated ? "WebAssembly SIMD (128-bit)" : "no SIMD")}";
}
