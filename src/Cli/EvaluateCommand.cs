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
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train'.", Required = true };
        var images = new Option<string?>("--images") { Description = "IDX images file (default: the bundled validation split)." };
        var labels = new Option<string?>("--labels") { Description = "IDX labels file matching --images." };
        var command = new Command("evaluate", "Measure a checkpoint's accuracy on labelled images.") { checkpoint, images, labels };
        command.SetAction(result =>
        {
            var (entry, network, _) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            var (imagesPath, labelsPath) = (result.GetValue(images), result.GetValue(labels));
            if ((imagesPath is null) != (labelsPath is null)) throw new UserError("give both --images and --labels, or neither (the bundled validation split)");
            var data = imagesPath is null ? BundledData.Load().Valid : IdxReader.Load(imagesPath, labelsPath!, network.OutputLength);
            if (data.ImageLength != network.InputLength)
                throw new UserError($"{entry.ClassName} takes {network.InputLength} values per image; {imagesPath} has {data.ImageLength}");
            Report(entry.Key, network, data);
            return 0;
        });
        return command;
    }

    private static void Report(string model, IConvNet network, Dataset data)
    {
        var matrix = Trainer.ConfusionMatrix(network, data);
        var classes = network.OutputLength;
        var correct = Enumerable.Range(0, classes).Sum(c => matrix[c, c]);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{model}: accuracy {(double)correct / data.Count:P2} ({correct:N0} of {data.Count:N0} images)")));
        var table = new Table().Border(TableBorder.Rounded).Title("confusion matrix (rows: true letter, columns: predicted)");
        table.AddColumn("");
        for (var c = 0; c < classes; c++) table.AddColumn(new TableColumn(Letters.Of(c)).RightAligned());
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        for (var t = 0; t < classes; t++)
        {
            var total = Enumerable.Range(0, classes).Sum(p => matrix[t, p]);
            var cells = new List<string> { Letters.Of(t) };
            for (var p = 0; p < classes; p++) cells.Add(t == p ? $"[bold]{matrix[t, p]}[/]" : matrix[t, p].ToString(CultureInfo.InvariantCulture));
            cells.Add(total == 0 ? "-" : ((double)matrix[t, t] / total).ToString("P1", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }
}

/// <summary>notMNIST's classes are the letters A..J.</summary>
internal static class Letters
{
    public static string Of(int label) => label is >= 0 and < 26 ? ((char)('A' + label)).ToString() : label.ToString(CultureInfo.InvariantCulture);
}
