using System.CommandLine;
using StaticConvNet.Models;

namespace StaticConvNet.Cli;

/// <summary><c>scn models</c>: every model with its layers, shapes and parameter count.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the networks scn can train, with each layer's shapes and parameter count.");
        command.SetAction(result =>
        {
            foreach (var model in NetworkCatalog.From(result).All) Print(model);
            return 0;
        });
        return command;
    }

    private static void Print(ModelEntry model)
    {
        var d = model.Create().Description;
        Console.WriteLine($"{model.Key}  {d.Name}: {model.Summary}");
        Console.WriteLine($"  input {d.InputHeight}x{d.InputWidth}x{d.InputChannels}, {d.Classes} classes, {d.ParameterCount:N0} parameters, batch capacity {d.BatchCapacity}");
        PrintLayers(d.Layers, "    ");
        Console.WriteLine();
    }

    /// <summary>One line per layer; a block's layers under it, indented (a tree, as the attributes wrote it).</summary>
    private static void PrintLayers(IReadOnlyList<LayerDescription> layers, string indent)
    {
        foreach (var layer in layers)
        {
            var parameters = layer.ParameterCount > 0 ? $"{layer.ParameterCount,8:N0} params" : "";
            var name = layer.Name[(layer.Name.LastIndexOf('.') + 1)..];
            Console.WriteLine($"{indent}{name,-10} {layer.Kind,-18} {layer.Input,10} -> {layer.Output,-10} {parameters}  {layer.Detail}");
            foreach (var block in layer.InnerBlocks)
            {
                Console.WriteLine($"{indent}  {block.Name}");
                PrintLayers(block.Layers, indent + "    ");
            }
        }
    }
}
