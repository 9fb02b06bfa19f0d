using System.Numerics.Tensors;
using StaticConvNet.Kernels;
using DrawLetter;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();

// The page sends the drawing as 28x28 grayscale pixels (0 = background, 255 = stroke), as notMNIST stores glyphs.
app.MapPost("/api/classify", (ClassifyRequest request) =>
{
    if (request.Pixels is not { Length: Letters.InputLength })
        return Results.BadRequest(new { error = $"send {Letters.InputLength} pixels (28x28, row by row), got {request.Pixels?.Length ?? 0}" });
    Span<float> image = stackalloc float[Letters.InputLength];
    for (var i = 0; i < image.Length; i++) image[i] = (Math.Clamp(request.Pixels[i], 0f, 255f) - 127.5f) / 255f;
    Span<float> logits = stackalloc float[Letters.OutputLength];
    Letters.ClassifyLogits(image, logits); // thread-safe: concurrent requests each use their thread's buffers
    var probabilities = new float[Letters.OutputLength];
    Softmax.Probabilities(logits, probabilities);
    var label = TensorPrimitives.IndexOfMax<float>(probabilities);
    return Results.Ok(new ClassifyResponse(((char)('A' + label)).ToString(), probabilities));
});

app.Run();

internal sealed record ClassifyRequest(float[]? Pixels);

internal sealed record ClassifyResponse(string Letter, float[] Probabilities);
