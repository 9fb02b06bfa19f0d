using System.Numerics.Tensors;
using StaticConvNet.Kernels;
using LetterClassifier;
using StbImageSharp;

// Classifies 28x28 grayscale PNG files (or every PNG in a folder) as the letters A..J, with weights baked in.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: LetterClassifier FILE.png|FOLDER ...");
    return 2;
}

var files = args.SelectMany(a => Directory.Exists(a) ? Directory.GetFiles(a, "*.png").Order(StringComparer.Ordinal) : new[] { a }.AsEnumerable()).ToList();
var failed = 0;
Span<float> image = stackalloc float[Letters.InputLength];
Span<float> logits = stackalloc float[Letters.OutputLength];
Span<float> probabilities = stackalloc float[Letters.OutputLength];
foreach (var file in files)
{
    ImageResult png;
    try
    {
        png = ImageResult.FromMemory(File.ReadAllBytes(file), ColorComponents.Grey);
    }
    catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
    {
        Console.Error.WriteLine($"{file}: not a readable PNG ({e.Message})");
        failed++;
        continue;
    }
    if (png.Width != Letters.InputWidth || png.Height != Letters.InputHeight)
    {
        Console.Error.WriteLine($"{file}: is {png.Width}x{png.Height}; the classifier takes {Letters.InputWidth}x{Letters.InputHeight}");
        failed++;
        continue;
    }
    for (var i = 0; i < image.Length; i++) image[i] = (png.Data[i] - 127.5f) / 255f; // the notebook's normalisation
    Letters.ClassifyLogits(image, logits);
    Softmax.Probabilities(logits, probabilities);
    var label = TensorPrimitives.IndexOfMax<float>(probabilities);
    Console.WriteLine($"{Path.GetFileName(file)}\t{Letters.ClassNames[label]}\t{probabilities[label]:P1}"); // the names arch2.scnw carries
}
return failed == 0 ? 0 : 1;
