using System.CommandLine;
using StaticConvNet.Cli;

var root = new RootCommand("scn: train, evaluate and use StaticConvNet networks on notMNIST (letters A-J, 28x28 grayscale), or your own networks with --assembly.");
root.Options.Add(NetworkCatalog.AssemblyOption);
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(ExportCommands.ExportWeights());
root.Subcommands.Add(ExportCommands.ExportOnnx());
root.Subcommands.Add(ExportCommands.ExportTfjs());
root.Subcommands.Add(ExportCommands.Import());
// Our handler, not System.CommandLine's: a user error is one line on stderr, never a stack trace.
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
