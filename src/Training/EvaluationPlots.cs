using System.Globalization;
using StaticConvNet.Kernels;
using SkiaSharp;
using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>Pictures of how a trained network does on labelled images: the confusion matrix as a labelled heat map
/// (<c>confusion.png</c>) and a grid of the images it gets wrong with true and predicted labels and its confidence
/// (<c>mistakes.png</c>). Drawn with SkiaSharp directly: a grid of cells needs no axes.</summary>
public static class EvaluationPlots
{
    public const string ConfusionFile = "confusion.png";
    public const string MistakesFile = "mistakes.png";

    /// <summary>How many misclassified images <c>mistakes.png</c> shows at most (the first, in data order).</summary>
    public const int MistakesShown = 40;

    /// <summary>Writes both pictures into <paramref name="folder"/> and returns their paths. <paramref name="predictions"/>
    /// are the network's over <paramref name="data"/> (<see cref="Evaluation.Predictions"/>), made once by the caller.
    /// Classes are called by <paramref name="classNames"/> (default: the data's), or by number.</summary>
    public static (string Confusion, string Mistakes) Write(string folder, IConvNet network, Dataset data, int[] predictions, string title,
        IReadOnlyList<string>? classNames = null)
    {
        classNames ??= data.ClassNames;
        var matrix = Evaluation.ConfusionMatrix(predictions, data, network.OutputLength);
        var mistakes = new List<Mistake>();
        var logits = new float[network.OutputLength];
        var probabilities = new float[network.OutputLength];
        for (var i = 0; i < data.Count && mistakes.Count < MistakesShown; i++)
        {
            if (predictions[i] == data.Labels[i]) continue;
            network.Forward(data.Image(i), logits);
            Softmax.Probabilities(logits, probabilities);
            mistakes.Add(new Mistake(i, data.Labels[i], predictions[i], probabilities[predictions[i]]));
        }

        var confusionPath = Path.Combine(folder, ConfusionFile);
        var mistakesPath = Path.Combine(folder, MistakesFile);
        Confusion(confusionPath, matrix, title, classNames);
        Mistakes(mistakesPath, data, mistakes, data.Count - Enumerable.Range(0, network.OutputLength).Sum(c => matrix[c, c]), title, classNames);
        return (confusionPath, mistakesPath);
    }

    /// <summary>One misclassified image: its index in the data, true and predicted class, the predicted class's probability.</summary>
    public readonly record struct Mistake(int Index, int Label, int Predicted, float Confidence);

    /// <summary>Rows: true class; columns: predicted. Each cell coloured by its share of its row, with its count. Row
    /// labels get the room the longest name needs (up to 200 pixels); column labels are shortened to their cell.</summary>
    public static void Confusion(string path, int[,] matrix, string title, IReadOnlyList<string>? classNames = null)
    {
        var classes = matrix.GetLength(0);
        var cell = classes <= 12 ? 48 : Math.Max(16, 480 / classes);
        using var font = new SKFont(SKTypeface.Default, Math.Min(14, cell * 0.35f));
        var names = Enumerable.Range(0, classes).Select(c => LabelNames.Of(c, classNames)).ToArray();
        var left = (int)Math.Clamp(names.Max(n => font.MeasureText(n)) + 40, 70, 240);
        const int top = 80, right = 20, bottom = 30;
        var size = cell * classes;
        using var surface = SKSurface.Create(new SKImageInfo(left + size + right, top + size + bottom));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var titleFont = new SKFont(SKTypeface.Default, 16);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint { IsAntialias = false };
        canvas.DrawText(title, left, 24, SKTextAlign.Left, titleFont, ink);
        canvas.DrawText("predicted", left + size / 2f, top - 34, SKTextAlign.Center, font, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 18, top + size / 2f);
        canvas.DrawText("true", 18, top + size / 2f, SKTextAlign.Center, font, ink);
        canvas.Restore();
        for (var t = 0; t < classes; t++)
        {
            var rowTotal = 0;
            for (var p = 0; p < classes; p++) rowTotal += matrix[t, p];
            canvas.DrawText(Shortened(names[t], font, left - 30), left - 12, top + t * cell + cell / 2f + font.Size / 3, SKTextAlign.Right, font, ink);
            canvas.DrawText(Shortened(names[t], font, cell - 4), left + t * cell + cell / 2f, top - 10, SKTextAlign.Center, font, ink);
            for (var p = 0; p < classes; p++)
            {
                var share = rowTotal == 0 ? 0 : (float)matrix[t, p] / rowTotal;
                // White to a deep blue; the diagonal is usually dark, the mistakes pale but visible.
                var strength = MathF.Sqrt(share);
                fill.Color = new SKColor((byte)(255 - 225 * strength), (byte)(255 - 175 * strength), (byte)(255 - 75 * strength));
                var x = left + p * cell;
                var y = top + t * cell;
                canvas.DrawRect(x, y, cell, cell, fill);
                if (matrix[t, p] == 0) continue;
                ink.Color = strength > 0.6f ? SKColors.White : SKColors.Black;
                canvas.DrawText(matrix[t, p].ToString(CultureInfo.InvariantCulture), x + cell / 2f, y + cell / 2f + font.Size / 3, SKTextAlign.Center, font, ink);
                ink.Color = SKColors.Black;
            }
        }
        Save(surface, path);
    }

    /// <summary><paramref name="text"/>, cut and ended with "…" where it is wider than <paramref name="width"/> pixels.</summary>
    private static string Shortened(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        var length = text.Length;
        while (length > 1 && font.MeasureText(text[..length] + "…") > width) length--;
        return text[..length] + "…";
    }

    /// <summary>The images in a grid, each with "true → predicted" and the confidence under it.</summary>
    public static void Mistakes(string path, Dataset data, IReadOnlyList<Mistake> mistakes, int totalMistakes, string title, IReadOnlyList<string>? classNames = null)
    {
        const int columns = 8, scale = 3, padding = 10, caption = 18;
        var (imageWidth, imageHeight) = (data.Width * scale, data.Height * scale);
        var cellWidth = Math.Max(imageWidth, 90) + padding;
        var cellHeight = imageHeight + caption + padding;
        var rows = Math.Max(1, (mistakes.Count + columns - 1) / columns);
        const int top = 62;
        using var surface = SKSurface.Create(new SKImageInfo(padding + columns * cellWidth, top + rows * cellHeight));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var titleFont = new SKFont(SKTypeface.Default, 16);
        using var font = new SKFont(SKTypeface.Default, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var heading = mistakes.Count == 0
            ? $"no mistakes on {data.Count:N0} images"
            : $"the first {mistakes.Count} of {totalMistakes:N0} mistakes on {data.Count:N0} images: true → predicted, confidence";
        canvas.DrawText(title, padding, 24, SKTextAlign.Left, titleFont, ink);
        canvas.DrawText(heading, padding, 46, SKTextAlign.Left, font, ink);
        using var pixels = new SKBitmap(data.Width, data.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (var n = 0; n < mistakes.Count; n++)
        {
            var m = mistakes[n];
            Draw(data, m.Index, pixels);
            var x = padding + n % columns * cellWidth;
            var y = top + n / columns * cellHeight;
            using var image = SKImage.FromBitmap(pixels);
            canvas.DrawImage(image, new SKRect(x, y, x + imageWidth, y + imageHeight), new SKSamplingOptions(SKFilterMode.Nearest));
            var text = string.Create(CultureInfo.InvariantCulture, $"{LabelNames.Of(m.Label, classNames)} → {LabelNames.Of(m.Predicted, classNames)} {m.Confidence:P0}");
            canvas.DrawText(Shortened(text, font, cellWidth - 4), x, y + imageHeight + caption - 4, SKTextAlign.Left, font, ink);
        }
        Save(surface, path);
    }

    /// <summary>An image back to 0..255 (the notebook's normalisation undone): grey for one channel, colour for three.</summary>
    private static void Draw(Dataset data, int index, SKBitmap bitmap)
    {
        var image = data.Image(index);
        for (var y = 0; y < data.Height; y++)
        for (var x = 0; x < data.Width; x++)
        {
            var at = (y * data.Width + x) * data.Channels;
            var first = Level(image[at]);
            bitmap.SetPixel(x, y, data.Channels >= 3 ? new SKColor(first, Level(image[at + 1]), Level(image[at + 2])) : new SKColor(first, first, first));
        }
    }

    private static byte Level(float value) => (byte)Math.Clamp(value * 255f + 127.5f, 0f, 255f);

    private static void Save(SKSurface surface, string path)
    {
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => png.SaveTo(stream));
    }
}
