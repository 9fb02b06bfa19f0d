using System.Numerics.Tensors;
using System.Text.Json;
using StaticConvNet.Kernels;
using DrawLetter;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();

// The page sends the drawing as 28x28 grayscale pixels (0 = background, 255 = stroke), as notMNIST stores glyphs.
// The body is read here rather than bound by the framework, so that a body that is not that JSON gets a message
// saying what is wrong instead of an empty 400.
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
app.MapPost("/api/classify", async (HttpRequest http) =>
{
    ClassifyRequest? request;
    try
    {
        request = await JsonSerializer.DeserializeAsync<ClassifyRequest>(http.Body, json);
    }
    catch (JsonException e)
    {
        return Results.BadRequest(new { error = $"the body is not JSON of the form {{\"pixels\": [784 numbers]}}: {e.Message}" });
    }
    if (request?.Pixels is not { Length: Letters.InputLength } pixels)
        return Results.BadRequest(new { error = $"send {Letters.InputLength} pixels (28x28, row by row), got {request?.Pixels?.Length ?? 0}" });
    for (var i = 0; i < pixels.Length; i++)
    {
        if (!(pixels[i] is >= 0f and <= 255f)) // NaN fails too
            return Results.BadRequest(new { error = $"pixel {i} (row {i / 28}, column {i % 28}) is {pixels[i]}; pixels are 0 (background) to 255 (stroke)" });
    }
    Span<float> image = stackalloc float[Letters.InputLength];
    for (var i = 0; i < image.Length; i++) image[i] = (pixels[i] - 127.5f) / 255f;
    Span<float> logits = stackalloc float[Letters.OutputLength];
    Letters.ClassifyLogits(image, logits); // thread-safe: concurrent requests each use their thread's buffers
    var probabilities = new float[Letters.OutputLength];
    Softmax.Probabilities(logits, probabilities);
    var label = TensorPrimitives.IndexOfMax<float>(probabilities);
    return Results.Ok(new ClassifyResponse(Letters.ClassNames[label], probabilities)); // the names arch2.scnw carries
});

app.Run();

internal sealed record ClassifyRequest(float[]? Pixels);

internal sealed record ClassifyResponse(string Letter, float[] Probabilities);
