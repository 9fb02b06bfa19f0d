using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>The notebook's two plots: minibatch loss per step, and minibatch and validation accuracy per step.</summary>
public static class Plots
{
    public const int Width = 900, Height = 540;

    public static void Loss(string path, IReadOnlyList<double> steps, IReadOnlyList<double> losses, string title)
    {
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(steps.ToArray(), losses.ToArray());
        line.MarkerSize = 0;
        line.LegendText = "minibatch loss";
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("softmax cross-entropy");
        plot.ShowLegend();
        Save(plot, path);
    }

    public static void Accuracy(string path, IReadOnlyList<double> steps, IReadOnlyList<double> minibatch,
        IReadOnlyList<double> evalSteps, IReadOnlyList<double> validation, string title)
    {
        var plot = new ScottPlot.Plot();
        var train = plot.Add.Scatter(steps.ToArray(), minibatch.Select(a => a * 100).ToArray());
        train.MarkerSize = 0;
        train.LegendText = "minibatch accuracy";
        if (evalSteps.Count > 0)
        {
            var valid = plot.Add.Scatter(evalSteps.ToArray(), validation.Select(a => a * 100).ToArray());
            valid.LegendText = "validation accuracy";
            valid.LineWidth = 2;
            valid.MarkerSize = 7;
        }
        plot.Axes.SetLimitsY(0, 100);
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("accuracy (%)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        Save(plot, path);
    }

    /// <summary>Renders to a temporary file beside the target, then renames it over the target.</summary>
    private static void Save(ScottPlot.Plot plot, string path)
    {
        var bytes = plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
