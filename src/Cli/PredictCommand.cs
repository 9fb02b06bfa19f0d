using System.CommandLine;
using System.Globalization;
using System.Numerics.Tensors;
using StaticConvNet.Data;

namespace StaticConvNet.Cli;

/// <summary><c>scn predict</c>: classify images (an IDX file, a PNG, or a folder of PNGs) into a CSV.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train'.", Required = true };
        var input = new Option<string>("--input") { Description = "An IDX images file, a PNG file, or a folder of PNG files (read in ordinal file-name order).", Required = true };
        var output = new Option<string>("--output") { Description = "CSV to write: index,label,letter,confidence, one row per image in input order.", Required = true };
        var command = new Command("predict", "Classify images with a trained checkpoint.") { checkpoint, input, output };
        command.SetAction(result =>
        {
            var (_, network, _) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            var images = ReadImages(result.GetValue(input)!);
            var logits = new float[network.OutputLength];
            var probabilities = new float[network.OutputLength];
            var lines = new List<string> { "index,label,letter,confidence" };
            for (var i = 0; i < images.Count; i++)
            {
                if (images[i].Length != network.InputLength)
                    throw new UserError($"image {i} has {images[i].Length} values; the network takes {network.InputLength}");
                network.Forward(images[i], logits);
                TensorPrimitives.SoftMax(logits, probabilities);
                var label = TensorPrimitives.IndexOfMax<float>(probabilities);
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i},{label},{Letters.Of(label)},{probabilities[label]:F6}"));
            }
            AtomicFile.WriteAllLines(result.GetValue(output)!, lines);
            Console.WriteLine($"Wrote {images.Count} predictions to {result.GetValue(output)}");
            return 0;
        });
        return command;
    }

    private static List<float[]> ReadImages(string path)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path, "*.png").Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new DataFormatException(path, "holds no .png files");
            return files.Select(PngImage.Load).ToList();
        }
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return [PngImage.Load(path)];
        var (pixels, count, height, width) = IdxReader.ReadImages(path);
        var images = new List<float[]>(count);
        for (var i = 0; i < count; i++)
        {
            var values = new float[height * width];
            Dataset.Normalise(pixels.AsSpan(i * height * width, height * width), values);
            images.Add(values);
        }
        return images;
    }
}
