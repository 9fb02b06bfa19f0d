using SkiaSharp;

namespace ColourShapes;

/// <summary>Draws the dataset: FOLDER/train/&lt;shape&gt;/ and FOLDER/valid/&lt;shape&gt;/, each image a shape of random
/// colour, size, place and turn on a background of another colour, 40x40 (the network takes 32x32: scn and the C#
/// loader resize), every other one a JPEG. Seeded: the same files on every machine.</summary>
public static class ShapeImages
{
    public static readonly string[] Shapes = ["circle", "cross", "square", "triangle"];
    public const int Size = 40;

    public static void Write(string folder, int trainPerShape, int validPerShape, int seed = 1)
    {
        var random = new Random(seed);
        foreach (var (split, count) in new[] { ("train", trainPerShape), ("valid", validPerShape) })
        {
            foreach (var shape in Shapes)
            {
                var target = Path.Combine(folder, split, shape);
                Directory.CreateDirectory(target);
                for (var i = 0; i < count; i++)
                {
                    var jpeg = i % 2 == 1;
                    var bytes = Draw(shape, random, jpeg);
                    var path = Path.Combine(target, $"{shape}-{i:D4}.{(jpeg ? "jpg" : "png")}");
                    File.WriteAllBytes(path + ".tmp", bytes); // temp file + rename: a stopped run leaves no half image
                    File.Move(path + ".tmp", path, overwrite: true);
                }
            }
        }
    }

    private static byte[] Draw(string shape, Random random, bool jpeg)
    {
        using var bitmap = new SKBitmap(Size, Size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var canvas = new SKCanvas(bitmap);
        var hue = random.NextSingle() * 360;
        // A background of another hue and a darker shade: every shape stands out, in colour and in brightness.
        canvas.Clear(SKColor.FromHsv((hue + 120 + random.NextSingle() * 120) % 360, 30 + random.NextSingle() * 50, 10 + random.NextSingle() * 40));
        using var paint = new SKPaint { Color = SKColor.FromHsv(hue, 60 + random.NextSingle() * 40, 70 + random.NextSingle() * 30), IsAntialias = true };
        var radius = 9 + random.NextSingle() * 7;
        var (x, y) = (radius + 2 + random.NextSingle() * (Size - 2 * radius - 4), radius + 2 + random.NextSingle() * (Size - 2 * radius - 4));
        canvas.Translate(x, y);
        canvas.RotateDegrees(random.NextSingle() * 90 - 45);
        switch (shape)
        {
            case "circle":
                canvas.DrawCircle(0, 0, radius, paint);
                break;
            case "square":
                canvas.DrawRect(-radius * 0.85f, -radius * 0.85f, radius * 1.7f, radius * 1.7f, paint);
                break;
            case "cross":
                canvas.DrawRect(-radius, -radius * 0.3f, radius * 2, radius * 0.6f, paint);
                canvas.DrawRect(-radius * 0.3f, -radius, radius * 0.6f, radius * 2, paint);
                break;
            default:
                using (var path = new SKPath())
                {
                    path.MoveTo(0, -radius);
                    path.LineTo(radius * 0.87f, radius * 0.5f);
                    path.LineTo(-radius * 0.87f, radius * 0.5f);
                    path.Close();
                    canvas.DrawPath(path, paint);
                }
                break;
        }
        using var data = bitmap.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }
}
