using System.Buffers.Binary;
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
const int MaxFileBytes = 64 << 10;
var failed = 0;
Span<float> image = stackalloc float[Letters.InputLength];
Span<float> logits = stackalloc float[Letters.OutputLength];
Span<float> probabilities = stackalloc float[Letters.OutputLength];
foreach (var file in files)
{
    ImageResult png;
    try
    {
        var bytes = ReadSmallFile(file);
        if (NotAClassifiablePng(bytes) is { } problem)
        {
            Console.Error.WriteLine($"{file}: {problem}");
            failed++;
            continue;
        }
        png = ImageResult.FromMemory(bytes, ColorComponents.Grey);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
    {
        Console.Error.WriteLine($"{file}: not a readable PNG ({e.Message})");
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

// A 28x28 grey PNG is a few hundred bytes; a file that is not a regular one (a FIFO, /dev/zero) reports no length.
static byte[] ReadSmallFile(string path)
{
    var length = new FileInfo(path).Length;
    if (length is 0 or > MaxFileBytes) throw new IOException($"is {length:N0} bytes: not a regular file of 1 to {MaxFileBytes:N0}");
    return File.ReadAllBytes(path);
}

// What the decoder may see. StbImageSharp picks its decoder by the bytes, not the file's name, and never returns on
// some damaged JPEGs (seven bytes will do), so only a PNG signature reaches it, and only one whose header says 28x28
// (the size it would allocate for); the 64 KiB cap bounds what its data can inflate to.
static string? NotAClassifiablePng(byte[] bytes)
{
    ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(signature)) return "not a PNG file";
    var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    return width == Letters.InputWidth && height == Letters.InputHeight ? null
        : $"is {width}x{height}; the classifier takes {Letters.InputWidth}x{Letters.InputHeight}";
}
