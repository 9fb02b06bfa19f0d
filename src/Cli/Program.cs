using System.CommandLine;
using StaticConvNet.Cli;

var root = new RootCommand("scn: train, evaluate and inspect StaticConvNet networks (notMNIST letters A-J).");
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
return CliErrors.Run(() => root.Parse(args).Invoke());
