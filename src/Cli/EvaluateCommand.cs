using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StaticConvNet.Data;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary><c>scn evaluate</c>: accuracy, per-class accuracy and the confusion matrix of a checkpoint on labelled images.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train' (checkpoint.scnc), or a .scnw weights file.", Required = true };
        var data = new Option<string?>("--data") { Description = "Any source 'scn train' reads: a folder of IDX files, an image folder, notMNIST's .tar.gz, or a notebook .pickle (default: the bundled data)." };
        var split = new Option<string>("--split") { Description = "Which split of --data: valid, test or train.", DefaultValueFactory = _ => "valid" };
        var source = new DataCommand.SourceOptions();
        var images = new Option<string?>("--images") { Description = "An IDX images file, instead of --data." };
        var labels = new Option<string?>("--labels") { Description = "IDX labels file matching --images." };
        var plots = new Option<string?>("--plots") { Description = $"Folder to write {EvaluationPlots.ConfusionFile} (the confusion matrix) and {EvaluationPlots.MistakesFile} (misclassified images) into." };
        var device = DeviceChoice.CreateOption();
        var command = new Command("evaluate", "Measure a checkpoint's accuracy on labelled images.") { checkpoint, data, split, images, labels, plots, device };
        source.AddTo(command);
        command.SetAction(result =>
        {
            var plotsFolder = result.GetValue(plots) is { } p ? OutputPaths.Folder(p, "--plots") : null;
            var deviceKind = DeviceChoice.Parse(result.GetValue(device)!);
            var (entry, network, saved) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            var (imagesPath, labelsPath) = (result.GetValue(images), result.GetValue(labels));
            if ((imagesPath is null) != (labelsPath is null)) throw new UserError("give both --images and --labels, or neither");
            if (imagesPath is not null && result.GetValue(data) is not null) throw new UserError("give --data or --images/--labels, not both");
            Dataset evaluated;
            string description;
            if (imagesPath is not null) (evaluated, description) = (IdxReader.Load(imagesPath, labelsPath!, network.OutputLength), imagesPath);
            else
            {
                var loaded = source.Load(result.GetValue(data), result, network.Description.Input, saved.ClassNames);
                foreach (var skipped in loaded.Skipped) Console.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
                (evaluated, description) = DataCommand.ChooseSplit(loaded, result.GetValue(split)!);
            }
            if (evaluated.ImageLength != network.InputLength)
                throw new UserError($"{entry.ClassName} takes {network.Description.Input} images; {description} has {evaluated.Height}x{evaluated.Width}x{evaluated.Channels}");
            if (evaluated.Count == 0) throw new UserError($"{description} holds no images to evaluate");
            // Unnamed classes are labels alone: more of them than the network has outputs cannot be its classes.
            if (evaluated.Labels.Max() is var largest && largest >= network.OutputLength)
                throw new UserError($"{description} has labels up to {largest}, but {entry.ClassName} has {network.OutputLength} classes (labels 0..{network.OutputLength - 1})");
            var names = ClassNamesFor(saved, evaluated, result.GetValue(checkpoint)!, description);
            // One pass over the images serves the report and the pictures.
            var predictions = DeviceChoice.Predictions(network, evaluated.Images, evaluated.Count, deviceKind);
            Report(entry.Key, Evaluation.ConfusionMatrix(predictions, evaluated, network.OutputLength), evaluated, description, names);
            if (plotsFolder is { } folder)
            {
                var (confusion, mistakes) = EvaluationPlots.Write(folder, network, evaluated, predictions, $"{entry.Key}, {description}", names);
                Console.WriteLine($"wrote {confusion} and {mistakes}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The classes' names: the checkpoint's, which must be the data's when both have names (an image folder's
    /// labels are its folders' places in the sorted names: other names would mean other labels); else the data's.</summary>
    internal static IReadOnlyList<string>? ClassNamesFor(Checkpoint checkpoint, Dataset data, string checkpointPath, string description)
    {
        if (LabelNames.TrainedOnOther(checkpoint.ClassNames, checkpointPath, data.ClassNames, description) is { } problem)
            throw new UserError(problem);
        return checkpoint.ClassNames ?? data.ClassNames;
    }

    private static void Report(string model, int[,] matrix, Dataset data, string description, IReadOnlyList<string>? names)
    {
        var classes = matrix.GetLength(0);
        var correct = Enumerable.Range(0, classes).Sum(c => matrix[c, c]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model}: accuracy {(double)correct / data.Count:P2} ({correct:N0} of {data.Count:N0} images of {description})"));
        var table = new Table().Border(TableBorder.Rounded).Title("confusion matrix (rows: true class, columns: predicted)");
        table.AddColumn("");
        for (var c = 0; c < classes; c++) table.AddColumn(new TableColumn(Markup.Escape(LabelNames.Of(c, names))).RightAligned());
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        for (var t = 0; t < classes; t++)
        {
            var total = Enumerable.Range(0, classes).Sum(p => matrix[t, p]);
            var cells = new List<string> { Markup.Escape(LabelNames.Of(t, names)) };
            for (var p = 0; p < classes; p++) cells.Add(t == p ? $"[bold]{matrix[t, p]}[/]" : matrix[t, p].ToString(CultureInfo.InvariantCulture));
            cells.Add(total == 0 ? "-" : ((double)matrix[t, t] / total).ToString("P1", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }
}
