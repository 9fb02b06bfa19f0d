using System.CommandLine;
using StaticConvNet.Data;
using StaticConvNet.Interop;
using StaticConvNet.Models;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary><c>scn export-weights</c>: a checkpoint's parameters as a .scnw file to bake into an app.</summary>
internal static class ExportCommands
{
    public static Command ExportWeights()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train' (checkpoint.scnc), or a .scnw weights file.", Required = true };
        var output = new Option<string>("--output") { Description = "The .scnw file to write; name it in [Network(..., Weights = \"...\")] and add it as AdditionalFiles.", Required = true };
        var command = new Command("export-weights", "Write a checkpoint's weights as a .scnw file to bake into an app at compile time.") { checkpoint, output };
        command.SetAction(result =>
        {
            var target = OutputPaths.File(result.GetValue(output)!, "--output", result.GetValue(checkpoint));
            var (_, network, saved) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            WeightsFile.Save(target, network, saved.ClassNames);
            Console.WriteLine($"wrote {result.GetValue(output)} ({network.ParameterCount:N0} parameters of {network.Description.Name}"
                              + (saved.ClassNames is { } names ? $"; classes {LabelNames.List(names)})" : ")"));
            return 0;
        });
        return command;
    }

    public static Command ExportOnnx()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train' (checkpoint.scnc), or a .scnw weights file.", Required = true };
        var output = new Option<string>("--output") { Description = "The .onnx file to write: input 'image' [N, 28, 28, 1], output 'logits' [N, 10].", Required = true };
        var command = new Command("export-onnx", "Write a checkpoint's network as an ONNX model (opset 13).") { checkpoint, output };
        command.SetAction(result =>
        {
            var target = OutputPaths.File(result.GetValue(output)!, "--output", result.GetValue(checkpoint));
            var (_, network, _) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            var bytes = OnnxExport.Export(network);
            AtomicFile.Write(target, stream => stream.Write(bytes));
            Console.WriteLine($"wrote {result.GetValue(output)} ({bytes.Length:N0} bytes): input '{OnnxExport.InputName}' [N, {network.Description.InputHeight}, {network.Description.InputWidth}, {network.Description.InputChannels}], output '{OnnxExport.OutputName}' [N, {network.OutputLength}]");
            return 0;
        });
        return command;
    }

    public static Command ExportTfjs()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'scn train' (checkpoint.scnc), or a .scnw weights file.", Required = true };
        var output = new Option<string>("--output") { Description = "The folder to write model.json and MODEL.weights.bin into, for tf.loadLayersModel('FOLDER/model.json').", Required = true };
        var command = new Command("export-tfjs", "Write a checkpoint's network as a TensorFlow.js layers model (model.json and its weights).") { checkpoint, output };
        command.SetAction(result =>
        {
            var (_, network, _) = NetworkCatalog.From(result).LoadCheckpoint(result.GetValue(checkpoint)!);
            var weightsFile = network.Description.Name + ".weights.bin";
            string modelJson;
            byte[] weights;
            try
            {
                (modelJson, weights) = TfjsExport.Export(network, weightsFile);
            }
            catch (NotSupportedException e)
            {
                throw new UserError($"{result.GetValue(checkpoint)}: {network.Description.Name} cannot be a TensorFlow.js model: {e.Message}");
            }
            var folder = OutputPaths.Folder(result.GetValue(output)!, "--output");
            // The weights first: a model.json never names a weights file that is not there.
            AtomicFile.Write(Path.Combine(folder, weightsFile), stream => stream.Write(weights));
            AtomicFile.Write(Path.Combine(folder, TfjsExport.ModelFile), stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(modelJson)));
            Console.WriteLine($"wrote {Path.Combine(result.GetValue(output)!, TfjsExport.ModelFile)} and {weightsFile} ({weights.Length:N0} bytes): input [N, {network.Description.InputHeight}, {network.Description.InputWidth}, {network.Description.InputChannels}], output [N, {network.OutputLength}] logits");
            return 0;
        });
        return command;
    }

    public static Command Import()
    {
        var model = new Argument<string>("model") { Description = "arch1..arch4 or a network class name." };
        var npz = new Option<string>("--npz") { Description = "Weights saved by the notebook: np.savez(path, conv1_weights=..., conv1_biases=..., ...), TensorFlow layout (HWIO, [in, out]).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for checkpoint.scnc and MODEL.scnw.", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a run the --out folder holds (its files are removed first)." };
        var command = new Command("import", "Import weights trained in the notebook (TensorFlow layout, .npz) as a checkpoint and a weights file.") { model, npz, output, overwrite };
        command.SetAction(result =>
        {
            var entry = NetworkCatalog.From(result).Get(result.GetValue(model)!);
            var network = entry.Create();
            NotebookWeights.Import(result.GetValue(npz)!, network);
            var folder = OutputPaths.Folder(result.GetValue(output)!, "--out");
            // As scn train: a folder's run is replaced only when asked, and then whole (no old metrics beside new weights).
            var held = TrainingRun.FilesOf(entry.Key).Where(f => File.Exists(Path.Combine(folder, f))).ToList();
            if (held.Count > 0 && !result.GetValue(overwrite))
                throw new UserError($"{folder} already holds a run ({string.Join(", ", held)}): import into another --out, or replace it with --overwrite");
            foreach (var file in held) File.Delete(Path.Combine(folder, file));
            // The notebook's models were trained on notMNIST: their classes are its letters. A user's network's are unknown.
            var names = ModelCatalog.All.Contains(entry) ? LabelNames.Letters : null;
            (Checkpoint.Capture(network, stepsDone: 0, seed: 0, optimizer: null) with { ClassNames = names }).Save(Path.Combine(folder, TrainingRun.CheckpointFile));
            WeightsFile.Save(Path.Combine(folder, entry.Key + ".scnw"), network, names);
            Console.WriteLine($"imported {network.ParameterCount:N0} parameters of {entry.ClassName} into {Path.Combine(folder, TrainingRun.CheckpointFile)} and {entry.Key}.scnw");
            return 0;
        });
        return command;
    }
}
