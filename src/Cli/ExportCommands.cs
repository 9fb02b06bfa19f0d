using System.CommandLine;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary><c>scn export-weights</c>: a checkpoint's parameters as a .scnw file to bake into an app.</summary>
internal static class ExportCommands
{
    public static Command ExportWeights()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train'.", Required = true };
        var output = new Option<string>("--output") { Description = "The .scnw file to write; name it in [Network(..., Weights = \"...\")] and add it as AdditionalFiles.", Required = true };
        var command = new Command("export-weights", "Write a checkpoint's weights as a .scnw file to bake into an app at compile time.") { checkpoint, output };
        command.SetAction(result =>
        {
            var (_, network, _) = CheckpointModels.Load(result.GetValue(checkpoint)!);
            WeightsFile.Save(result.GetValue(output)!, network);
            Console.WriteLine($"wrote {result.GetValue(output)} ({network.ParameterCount:N0} parameters of {network.Description.Name})");
            return 0;
        });
        return command;
    }
}
