using StaticConvNet.Tests.Support;
using StaticConvNet.Training;

namespace StaticConvNet.Tests.Training;

/// <summary>metrics.csv: one row a step, each measurement written as the shortest text that reads back as the same
/// float, an evaluation in its own step's row, everything up to an evaluation in the file once it is reported, and a
/// resumed run keeping the rows before its checkpoint.</summary>
public class Test_RunLog
{
    [Fact]
    public void Rows_hold_the_same_floats_and_are_in_the_file_at_each_evaluation()
    {
        using var folder = new Scn.TempFolder();
        var path = folder["metrics.csv"];
        using (var log = RunLog.Start(path, resumeBeforeStep: null))
        {
            log.Add(new StepReport(0, 3, 2.6161733f, 0.0625f, 0.05f, 0));
            log.Add(new EvalReport(0, 0.099f));
            log.Add(new StepReport(1, 3, 1f / 3, 0.1875f, 0.05f, 0));
            log.Add(new StepReport(2, 3, 1e-7f, 1f, 3e-5f, 0));
            log.Add(new EvalReport(2, 0.9425f));
            Rows(path).ShouldBe([RunLog.Header, "0,2.6161733,0.0625,0.05,0.099", "1,0.33333334,0.1875,0.05,", "2,1E-07,1,3E-05,0.9425"]);
            log.Add(new StepReport(3, 3, 0.5f, 0.5f, 0.025f, 0));
        }
        Rows(path)[^1].ShouldBe("3,0.5,0.5,0.025,", "the last row, written as the log closes");

        using (var resumed = RunLog.Start(path, resumeBeforeStep: 2))
        {
            resumed.Losses.ShouldBe([2.6161733f, 1f / 3]);
            resumed.ValidationAccuracy.ShouldBe([0.099f]);
            resumed.Add(new StepReport(2, 3, 0.25f, 0.75f, 0.01f, 0));
        }
        Rows(path).ShouldBe([RunLog.Header, "0,2.6161733,0.0625,0.05,0.099", "1,0.33333334,0.1875,0.05,", "2,0.25,0.75,0.01,"]);
    }

    [Fact]
    public void Rows_without_an_evaluation_reach_the_file_within_two_seconds()
    {
        using var folder = new Scn.TempFolder();
        var path = folder["metrics.csv"];
        using var log = RunLog.Start(path, resumeBeforeStep: null);
        log.Add(new StepReport(0, 9, 1f, 0.5f, 0.05f, 0));
        log.Add(new StepReport(1, 9, 0.75f, 0.5f, 0.05f, 0));
        Rows(path).ShouldBe([RunLog.Header], "written in batches, not a row a step");
        Thread.Sleep(TimeSpan.FromSeconds(2.1));
        log.Add(new StepReport(2, 9, 0.5f, 0.5f, 0.05f, 0));
        Rows(path).ShouldBe([RunLog.Header, "0,1,0.5,0.05,", "1,0.75,0.5,0.05,"], "what a run killed now keeps");
    }

    [Fact]
    public void An_older_files_rows_of_widened_floats_are_read_as_the_same_floats()
    {
        // Before rows were written as floats, each value was its float widened to a double, in full.
        using var folder = new Scn.TempFolder();
        var path = folder["metrics.csv"];
        File.WriteAllText(path, RunLog.Header + "\n0,2.616173267364502,0.0625,0.05000000074505806,0.0989999994635582\n"
            + "1,3.0443999767303467,0.0625,0.05000000074505806,\n2,1.5,0.5,0.05000000074505806,\n");
        using (var resumed = RunLog.Start(path, resumeBeforeStep: 2))
        {
            resumed.Losses.ShouldBe([2.6161733f, 3.0444f]);
        }
        Rows(path).ShouldBe([RunLog.Header, "0,2.6161733,0.0625,0.05,0.099", "1,3.0444,0.0625,0.05,"]);
    }

    private static string[] Rows(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
