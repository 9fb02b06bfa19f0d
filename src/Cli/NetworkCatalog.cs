using System.CommandLine;
using System.Reflection;
using System.Runtime.Loader;
using StaticConvNet.Data;
using StaticConvNet.Models;
using StaticConvNet.Training;

namespace StaticConvNet.Cli;

/// <summary>The networks a command can name: the built-in models, and the network classes of the user's own
/// assemblies given with <c>--assembly</c> (a built project's .dll), so <c>scn train TinyNet --assembly bin/…/MyNets.dll</c>
/// works as for arch2.</summary>
internal sealed class NetworkCatalog(IReadOnlyList<ModelEntry> entries)
{
    /// <summary>On every command: scn's own models are always there; each --assembly adds its networks.</summary>
    public static readonly Option<string[]> AssemblyOption = new("--assembly")
    {
        Description = "A built .NET assembly (.dll) whose [Network] classes scn should know as well as its own; repeatable.",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public IReadOnlyList<ModelEntry> All => entries;

    public static NetworkCatalog From(ParseResult result)
        => new([.. ModelCatalog.All, .. (result.GetValue(AssemblyOption) ?? []).SelectMany(UserNetworks)]);

    /// <summary>A network by key or class name, ignoring case; null when there is none.</summary>
    public ModelEntry? Find(string name) => entries.FirstOrDefault(m => m.IsNamed(name));

    public ModelEntry Get(string name)
        => Find(name) ?? throw new UserError($"unknown model '{name}'; known: {string.Join(", ", entries.Select(m => m.Key == m.ClassName ? m.Key : $"{m.Key} ({m.ClassName})"))}"
            + (entries.Count == ModelCatalog.All.Count ? "; your own networks: pass --assembly with the .dll that defines them" : ""));

    /// <summary>A network rebuilt from a checkpoint: found by the class name the checkpoint carries, whose layer
    /// fingerprint must match the checkpoint's.</summary>
    public (ModelEntry Entry, IConvNet Network, Checkpoint Checkpoint) LoadCheckpoint(string path)
    {
        var checkpoint = IsWeightsFile(path) ? WeightsFile.Load(path) : Checkpoint.Load(path);
        var entry = Find(checkpoint.ModelName)
            ?? throw new DataFormatException(path, $"is a checkpoint of '{checkpoint.ModelName}', which scn does not know: pass --assembly with the .dll that defines it (see 'scn models')");
        var network = entry.Create();
        checkpoint.LoadInto(network, path);
        return (entry, network, checkpoint);
    }

    /// <summary>Whether the file starts as a .scnw weights file does (text, perhaps after a byte-order mark or spaces,
    /// as the generator accepts it), rather than as a binary checkpoint.</summary>
    private static bool IsWeightsFile(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> start = stackalloc byte[256];
        using var file = File.OpenRead(path);
        var text = System.Text.Encoding.UTF8.GetString(start[..file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false)]);
        return text.TrimStart('\uFEFF', ' ', '\t').StartsWith(WeightsFile.Header, StringComparison.Ordinal);
    }

    /// <summary>Every public, concrete network class of the assembly with a parameterless constructor, keyed by its
    /// class name, with the library's default training options (the notebook's arch1–3 recipe).</summary>
    private static IEnumerable<ModelEntry> UserNetworks(string path)
    {
        if (!File.Exists(path)) throw new UserError($"--assembly {path}: no such file");
        var full = Path.GetFullPath(path);
        Assembly assembly;
        try
        {
            // The default context: the user's assembly binds to the StaticConvNet.Runtime scn already runs, so its
            // networks are IConvNet as scn knows it. Anything else it needs is looked for beside it.
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                var candidate = Path.Combine(Path.GetDirectoryName(full)!, name.Name + ".dll");
                return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
            };
            assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException)
        {
            throw new DataFormatException(path, "is not a .NET assembly");
        }
        Type[] types;
        try { types = assembly.GetExportedTypes(); }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw new DataFormatException(path, $"could not be loaded: {e.Message.Split('\n')[0]}");
        }
        var networks = types.Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false } && typeof(IConvNet).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new ModelEntry(t.Name, $"from {Path.GetFileName(path)}", () => (IConvNet)Activator.CreateInstance(t)!, UserRecipe))
            .ToList();
        if (networks.Count == 0)
            throw new DataFormatException(path, "has no public [Network] class with a parameterless constructor (is it built against this StaticConvNet.Runtime?)");
        return networks;
    }

    /// <summary>TrainingOptions' defaults with an evaluation every 100 steps, as scn trains arch1–3.</summary>
    private static readonly TrainingOptions UserRecipe = new() { EvalEvery = 100 };
}
