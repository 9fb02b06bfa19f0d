using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>The notebook's two plots: minibatch loss per step, and minibatch and validation accuracy per step. A
/// minibatch's figures are noisy (over 10,000 steps the raw line is a solid band), so each is drawn faint with its
/// smoothed line over it (an exponential moving average, as TensorBoard draws it).</summary>
public static class Plots
{
    public const int Width = 900, Height = 540;

    private static readonly ScottPlot.Color Raw = ScottPlot.Colors.SteelBlue.WithAlpha(0.2);
    private static readonly ScottPlot.Color Smoothed = ScottPlot.Colors.Navy;

    public static void Loss(string path, IReadOnlyList<double> steps, IReadOnlyList<double> losses, string title)
    {
        var plot = new ScottPlot.Plot();
        var smoothed = Smooth(losses);
        AddNoisy(plot, steps, losses, smoothed, "minibatch loss");
        // The first steps' loss (2.3 and up, often a spike) would squash the rest: the y range follows the smoothed
        // line after its first few percent; the raw line may leave the top.
        var settled = smoothed.Skip(Math.Min(smoothed.Length - 1, Math.Max(1, smoothed.Length / 50))).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, double.IsFinite(settled) && settled > 0 ? settled * 1.25 : 1);
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("softmax cross-entropy");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>The faint raw line and its smoothed line.</summary>
    private static void AddNoisy(ScottPlot.Plot plot, IReadOnlyList<double> steps, IReadOnlyList<double> values, double[] smoothed, string label)
    {
        var raw = plot.Add.Scatter(steps.ToArray(), values.ToArray());
        raw.MarkerSize = 0;
        raw.Color = Raw;
        raw.LegendText = label;
        var line = plot.Add.Scatter(steps.ToArray(), smoothed);
        line.MarkerSize = 0;
        line.LineWidth = 2;
        line.Color = Smoothed;
        line.LegendText = $"{label}, smoothed";
    }

    /// <summary>An exponential moving average over about a fiftieth of the run (at least 10 steps), debiased at the
    /// start as TensorBoard's is, so the first values are not pulled towards zero.</summary>
    public static double[] Smooth(IReadOnlyList<double> values)
    {
        var window = Math.Max(10, values.Count / 50);
        var decay = 1 - 2.0 / (window + 1);
        var smoothed = new double[values.Count];
        double average = 0, weight = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i])) { smoothed[i] = values[i]; continue; }
            average = decay * average + (1 - decay) * values[i];
            weight = decay * weight + (1 - decay);
            smoothed[i] = average / weight;
        }
        return smoothed;
    }

    public static void Accuracy(string path, IReadOnlyList<double> steps, IReadOnlyList<double> minibatch,
        IReadOnlyList<double> evalSteps, IReadOnlyList<double> validation, string title)
    {
        var plot = new ScottPlot.Plot();
        var percent = minibatch.Select(a => a * 100).ToArray();
        AddNoisy(plot, steps, percent, Smooth(percent), "minibatch accuracy");
        if (evalSteps.Count > 0)
        {
            var valid = plot.Add.Scatter(evalSteps.ToArray(), validation.Select(a => a * 100).ToArray());
            valid.LegendText = "validation accuracy";
            valid.Color = ScottPlot.Colors.OrangeRed;
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
