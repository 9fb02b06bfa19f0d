using System.Globalization;
using StaticConvNet.Data;

namespace StaticConvNet.Training;

/// <summary>Everything a run measured, step by step, for metrics.csv and the plots.</summary>
internal sealed class RunLog
{
    public List<double> Steps { get; } = [];
    public List<double> Losses { get; } = [];
    public List<double> MinibatchAccuracy { get; } = [];
    public List<double> LearningRates { get; } = [];
    public List<double> EvalSteps { get; } = [];
    public List<double> ValidationAccuracy { get; } = [];

    public void Add(StepReport report)
    {
        Steps.Add(report.Step);
        Losses.Add(report.Loss);
        MinibatchAccuracy.Add(report.MinibatchAccuracy);
        LearningRates.Add(report.LearningRate);
    }

    public void Add(EvalReport report)
    {
        EvalSteps.Add(report.Step);
        ValidationAccuracy.Add(report.ValidationAccuracy);
    }

    /// <summary>The rows of an earlier run's metrics.csv before <paramref name="beforeStep"/>, so a resumed run's
    /// files cover the whole history; an empty log when there is none.</summary>
    public static RunLog LoadIfPresent(string path, long beforeStep)
    {
        var log = new RunLog();
        if (!File.Exists(path)) return log;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length != 5 || !double.TryParse(fields[0], CultureInfo.InvariantCulture, out var step) || step >= beforeStep) continue;
            log.Steps.Add(step);
            log.Losses.Add(double.Parse(fields[1], CultureInfo.InvariantCulture));
            log.MinibatchAccuracy.Add(double.Parse(fields[2], CultureInfo.InvariantCulture));
            log.LearningRates.Add(double.Parse(fields[3], CultureInfo.InvariantCulture));
            if (fields[4].Length > 0)
            {
                log.EvalSteps.Add(step);
                log.ValidationAccuracy.Add(double.Parse(fields[4], CultureInfo.InvariantCulture));
            }
        }
        return log;
    }

    /// <summary>step,loss,minibatch_accuracy,learning_rate,validation_accuracy (empty where not measured).</summary>
    public void WriteCsv(string path)
    {
        var validation = EvalSteps.Zip(ValidationAccuracy).ToDictionary(p => p.First, p => p.Second);
        var lines = new List<string> { "step,loss,minibatch_accuracy,learning_rate,validation_accuracy" };
        for (var i = 0; i < Steps.Count; i++)
        {
            var v = validation.TryGetValue(Steps[i], out var accuracy) ? accuracy.ToString("R", CultureInfo.InvariantCulture) : "";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Steps[i]},{Losses[i]:R},{MinibatchAccuracy[i]:R},{LearningRates[i]:R},{v}"));
        }
        AtomicFile.WriteAllLines(path, lines);
    }
}
