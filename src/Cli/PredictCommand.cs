using System.CommandLine;
using System.Globalization;
using System.Numerics.Tensors;
using StaticConvNet.Kernels;
using StaticConvNet.Data;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary><c>scn predict</c>: classify images (a PNG or JPEG, a folder of them, an IDX file, or a split of any source
/// scn train reads) into a CSV, or onto the console, naming classes as the checkpoint does.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train' (checkpoint.scnc), or a .scnw weights file.", Required = true };
        var input = new Option<string?>("--input") { Description = "A PNG or JPEG file, a folder of them (read recursively, in ordinal path order; unreadable ones are skipped and reported), or an IDX images file." };
        var data = new Option<string?>("--data") { Description = "Instead of --input, any source 'scn train' reads: a folder of IDX files, an image folder, notMNIST's .tar.gz, or a notebook .pickle." };
        var split = new Option<string>("--split") { Description = "Which split of --data: valid, test or train.", DefaultValueFactory = _ => "valid" };
        var source = new DataCommand.SourceOptions();
        var output = new Option<string?>("--output") { Description = "CSV to write: index,source,label,class,confidence (label: the class number; class: its name), one row per image in input order. Without it: one line per image on the console." };
        var device = DeviceChoice.CreateOption();
        var command = new Command("predict", "Classify images with a trained checkpoint.") { checkpoint, input, data, split, output, device };
        source.AddTo(command);
        command.SetAction(result =>
        {
            var (inputPath, dataPath) = (result.GetValue(input), result.GetValue(data));
            if ((inputPath is null) == (dataPath is null)) throw new UserError("give --input (images) or --data (a data source), one of them");
            var outputPath = result.GetValue(output) is { } o ? OutputPaths.File(o, "--output", result.GetValue(checkpoint), inputPath, dataPath) : null;
            var deviceKind = DeviceChoice.Parse(result.GetValue(device)!);
            var (entry, network, saved) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            var inputShape = network.Description.Input;
            IReadOnlyList<string>? names = saved.ClassNames;
            List<(string Name, float[] Pixels)> images;
            List<SkippedFile> skipped;
            if (inputPath is not null) (images, skipped) = ReadImages(inputPath, inputShape, source.ResizeImages(result));
            else
            {
                var loaded = source.Load(dataPath, result, inputShape, saved.ClassNames);
                var (chosen, description) = DataCommand.ChooseSplit(loaded, result.GetValue(split)!);
                names = EvaluateCommand.ClassNamesFor(saved, chosen, result.GetValue(checkpoint)!, description);
                (images, skipped) = (Enumerable.Range(0, chosen.Count).Select(i => ($"{result.GetValue(split)}#{i}", chosen.Image(i).ToArray())).ToList(), [.. loaded.Skipped]);
            }
            // On stderr: stdout may be the predictions themselves.
            foreach (var s in skipped) Console.Error.WriteLine($"skipped {s.Path}: {s.Reason}");
            if (images.Count == 0) throw new UserError($"{inputPath ?? dataPath}: no readable images to classify");

            var pixels = new float[(long)images.Count * network.InputLength];
            for (var i = 0; i < images.Count; i++)
            {
                var (name, image) = images[i];
                if (image.Length != network.InputLength)
                    throw new UserError($"{name} has {image.Length} values; {network.Description.Name} takes {network.Description.Input} = {network.InputLength}");
                image.CopyTo(pixels, (long)i * network.InputLength);
            }
            var logits = DeviceChoice.Logits(network, pixels, images.Count, deviceKind);
            var probabilities = new float[network.OutputLength];
            var rows = new List<string> { "index,source,label,class,confidence" };
            for (var i = 0; i < images.Count; i++)
            {
                var name = images[i].Name;
                Softmax.Probabilities(logits.AsSpan(i * network.OutputLength, network.OutputLength), probabilities);
                var label = TensorPrimitives.IndexOfMax<float>(probabilities);
                var className = LabelNames.Of(label, names);
                if (outputPath is null) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{className}\t{probabilities[label]:P1}"));
                else rows.Add(string.Create(CultureInfo.InvariantCulture, $"{i},{Csv(name)},{label},{Csv(className)},{probabilities[label]:F6}"));
            }
            if (outputPath is not null)
            {
                AtomicFile.WriteAllLines(outputPath, rows);
                Console.WriteLine($"Wrote {images.Count} predictions to {outputPath}" + (skipped.Count > 0 ? $" ({skipped.Count} files skipped)" : ""));
            }
            return 0;
        });
        return command;
    }

    /// <summary>A field as CSV writes it: quoted when it holds a comma, a quote or a line break.</summary>
    private static string Csv(string field)
        => field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>The images at <paramref name="path"/>, as the network takes them (<paramref name="shape"/>; scaled to it
    /// when <paramref name="resize"/>).</summary>
    private static (List<(string Name, float[] Pixels)> Images, List<SkippedFile> Skipped) ReadImages(string path, LayerShape shape, bool resize)
    {
        if ((Directory.Exists(path) || ImageFile.IsImageName(path)) && ImageFile.ChannelsProblem(shape.Channels) is { } problem) throw new UserError(problem);
        if (Directory.Exists(path))
        {
            var files = ImageFolder.FilesUnder(path).Where(ImageFile.IsImageName).Select(f => Path.GetRelativePath(path, f)).ToList(); // in ordinal order
            if (files.Count == 0) throw new DataFormatException(path, "holds no .png or .jpg files");
            var images = new List<(string, float[])>();
            var skipped = new List<SkippedFile>();
            foreach (var file in files)
            {
                var full = Path.Combine(path, file);
                try { images.Add((file, ImageFile.Load(full, shape, resize))); }
                catch (DataFormatException e) { skipped.Add(new SkippedFile(e.FilePath, e.Problem)); } // one bad file does not stop the others
            }
            return (images, skipped);
        }
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        if (ImageFile.IsImageName(path)) return ([(Path.GetFileName(path), ImageFile.Load(path, shape, resize))], []);
        var (pixelBytes, count, height, width) = IdxReader.ReadImages(path);
        var list = new List<(string, float[])>(count);
        for (var i = 0; i < count; i++)
        {
            var values = new float[height * width];
            Dataset.Normalise(pixelBytes.AsSpan(i * height * width, height * width), values);
            list.Add(($"{Path.GetFileName(path)}#{i}", values));
        }
        return (list, []);
    }
}
