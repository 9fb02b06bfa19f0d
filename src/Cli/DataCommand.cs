using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StaticConvNet.Data;

namespace StaticConvNet.Cli;

/// <summary><c>scn data inspect|convert|download</c>: look at data before training on it, convert it once to IDX, fetch it.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Inspect, convert and download data (IDX folders, image folders, notMNIST's .tar.gz, notebook pickles).");
        command.Subcommands.Add(Inspect());
        command.Subcommands.Add(Convert());
        command.Subcommands.Add(Download());
        return command;
    }

    /// <summary>One split of a loaded source, by the name --split takes, with a description for messages.</summary>
    public static (Dataset Data, string Description) ChooseSplit(LoadedData data, string split) => split switch
    {
        "valid" => (data.Valid ?? throw new UserError($"{data.Description} has no validation split; choose --split train or test"), $"{data.Description}, valid"),
        "test" => (data.Test ?? throw new UserError($"{data.Description} has no test split (a notebook pickle or an IDX folder with test-* files has one)"), $"{data.Description}, test"),
        "train" => (data.Train, $"{data.Description}, train"),
        _ => throw new UserError($"--split is valid, test or train, not '{split}'"),
    };

    /// <summary>How to read a source: --drop-bad-labels; for sources with no validation split of their own
    /// --valid-fraction and --split-seed; for image files --resize.</summary>
    public sealed class SourceOptions
    {
        public Option<bool> DropBadLabels { get; } = new("--drop-bad-labels") { Description = "Drop pickle rows whose label is outside 0..9 (reported) instead of refusing the file." };
        public Option<double> ValidFraction { get; } = new("--valid-fraction") { Description = "For image folders without valid/ and for tarballs: the fraction of each class held out for validation.", DefaultValueFactory = _ => 0.1 };
        public Option<int> SplitSeed { get; } = new("--split-seed") { Description = "For image folders without valid/ and for tarballs: the seed of the stratified split.", DefaultValueFactory = _ => 1 };
        public Option<bool> Resize { get; } = new("--resize") { Description = "For image files: scale images of another size to the network's (antialiased bilinear) instead of refusing them; without a network (scn data), to the first image's." };

        public void AddTo(Command command)
        {
            command.Options.Add(DropBadLabels);
            command.Options.Add(ValidFraction);
            command.Options.Add(SplitSeed);
            command.Options.Add(Resize);
        }

        /// <summary>The source at <paramref name="path"/> (default: the bundled data), its images delivered as
        /// <paramref name="shape"/> (a network's input) when they are image files; null keeps the first image's. An image
        /// folder's classes are labelled by <paramref name="classNames"/> (a checkpoint's) when given.</summary>
        public LoadedData Load(string? path, ParseResult result, LayerShape? shape = null, IReadOnlyList<string>? classNames = null)
        {
            var fraction = result.GetValue(ValidFraction);
            if (!(fraction > 0 && fraction < 1)) throw new UserError($"--valid-fraction must be between 0 and 1, got {fraction}");
            if (shape is { } s && ImageFile.ChannelsProblem(s.Channels) is { } problem && path is not null && Directory.Exists(path) && DataSources.IdxFile(path, "train", "images") is null)
                throw new UserError(problem);
            return path is null ? DataSources.LoadBundled() : DataSources.Load(path, new LoadOptions(fraction, result.GetValue(SplitSeed), result.GetValue(DropBadLabels), shape, result.GetValue(Resize), classNames));
        }

        public bool ResizeImages(ParseResult result) => result.GetValue(Resize);
    }

    private static Command Inspect()
    {
        var path = new Argument<string?>("path") { Description = "A folder of IDX files, an image folder (one subfolder of .png/.jpg files per class), a .tar.gz, or a .pickle (default: the bundled data).", Arity = ArgumentArity.ZeroOrOne };
        var source = new SourceOptions();
        var command = new Command("inspect", "Counts per class and split, image size, skipped files, duplicates and overlap between splits, pixel range.") { path };
        source.AddTo(command);
        command.SetAction(result =>
        {
            var data = source.Load(result.GetValue(path), result);
            Console.WriteLine($"{data.Description}: images {data.Train.Height}x{data.Train.Width}{(data.Train.Channels == 1 ? " grayscale" : $"x{data.Train.Channels}")}"
                              + $", {data.ClassNames?.Count.ToString(CultureInfo.InvariantCulture) ?? "unnamed"} classes");
            foreach (var note in data.Notes) Console.WriteLine($"note: {note}");
            var classes = data.ClassNames?.Count ?? Math.Max(10, data.Train.Labels.DefaultIfEmpty(0).Max() + 1);
            var splits = DataInspection.Summarise(data, classes);
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn("");
            foreach (var split in splits) table.AddColumn(new TableColumn(split.Name).RightAligned());
            string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
            for (var c = 0; c < classes; c++) table.AddRow([Markup.Escape(LabelNames.Of(c, data.ClassNames)), .. splits.Select(s => N(s.PerClass[c]))]);
            table.AddRow(["images", .. splits.Select(s => N(s.Count))]);
            table.AddRow(["duplicates within split", .. splits.Select(s => N(s.DuplicatesWithin))]);
            table.AddRow(["also in train", .. splits.Select(s => s.Name == "train" ? "-" : N(s.SharedWithTrain))]);
            table.AddRow(["value range", .. splits.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Min:0.###} .. {s.Max:0.###}"))]);
            AnsiConsole.Write(table);
            Console.WriteLine("values are (pixel - 127.5) / 255, so -0.5 is black and 0.5 white (notMNIST's glyphs are light strokes on a dark background)");
            Console.WriteLine($"skipped {data.Skipped.Count} unreadable file(s)");
            foreach (var skipped in data.Skipped) Console.WriteLine($"  {skipped.Path}: {skipped.Reason}");
            return 0;
        });
        return command;
    }

    private static Command Convert()
    {
        var path = new Argument<string>("path") { Description = "A folder of IDX files, a grayscale image folder, a .tar.gz, or a .pickle." };
        var output = new Option<string>("--out") { Description = "Folder to write train-*/valid-*/test-* IDX files (gzip) into.", Required = true };
        var source = new SourceOptions();
        var command = new Command("convert", "Convert any readable source to gzip IDX files, once, for fast loading.") { path, output };
        source.AddTo(command);
        command.SetAction(result =>
        {
            var data = source.Load(result.GetValue(path), result);
            if (data.Train.Channels != 1)
                throw new UserError($"{data.Description} has {data.Train.Channels}-channel images; IDX files hold one value a pixel (train on the image folder itself)");
            (string Name, Dataset? Split)[] splits = [("train", data.Train), ("valid", data.Valid), ("test", data.Test)];
            var classes = splits.Max(s => s.Split is { Count: > 0 } split ? split.Labels.Max() + 1 : 0);
            if (classes > 256)
                throw new UserError($"{data.Description} has {classes} classes; IDX label files hold one byte per label, so at most 256 (train on the source itself)");
            var folder = result.GetValue(output)!;
            Directory.CreateDirectory(folder);

            foreach (var (name, split) in splits)
            {
                var (images, labels) = (Path.Combine(folder, $"{name}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{name}-labels-idx1-ubyte.gz"));
                if (split is null)
                {
                    // An earlier convert's split that this source lacks would be read as this data's.
                    if (File.Exists(images) || File.Exists(labels)) Console.WriteLine($"removed {name}: the source has no {name} split");
                    File.Delete(images);
                    File.Delete(labels);
                    continue;
                }
                IdxWriter.Write(split, images, labels);
                Console.WriteLine($"wrote {name}: {split.Count:N0} images");
            }
            // After the IDX files, so a convert that failed leaves no names beside other data; a stale file goes.
            var namesFile = Path.Combine(folder, DataSources.ClassNamesFile);
            if (data.ClassNames is { } names)
            {
                AtomicFile.WriteAllLines(namesFile, names);
                Console.WriteLine($"wrote {DataSources.ClassNamesFile}: {LabelNames.List(names)}");
            }
            else File.Delete(namesFile);
            foreach (var skipped in data.Skipped) Console.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
            return 0;
        });
        return command;
    }

    private static Command Download()
    {
        var archive = new Option<string>("--archive") { Description = "small or large: the notebook's notMNIST_small/notMNIST_large archives.", DefaultValueFactory = _ => "small" };
        var url = new Option<string?>("--url") { Description = "Download from this URL instead (e.g. a mirror)." };
        var size = new Option<long?>("--size") { Description = "Expected size in bytes (known for --archive; checked when given)." };
        var output = new Option<string?>("--out") { Description = "File to write (default: notMNIST_ARCHIVE.tar.gz). A partial FILE.part is resumed." };
        var command = new Command("download", "Download a notMNIST archive, resuming a partial download and refusing a truncated one.") { archive, url, size, output };
        command.SetAction(async (result, cancellation) =>
        {
            var name = result.GetValue(archive)!;
            if (!ArchiveDownload.Known.TryGetValue(name, out var known)) throw new UserError($"--archive must be small or large, got '{name}'");
            var source = known.Url;
            if (result.GetValue(url) is { } custom)
            {
                if (!Uri.TryCreate(custom, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                    throw new UserError($"--url must be an http:// or https:// address, got '{custom}'");
                source = parsed;
            }
            var expected = result.GetValue(size) ?? (result.GetValue(url) is null ? known.Size : null);
            var target = result.GetValue(output) ?? $"notMNIST_{name}.tar.gz";
            // The headers within a minute; after that each read gets its own minute (ArchiveDownload.ReadTimeout),
            // however long the whole archive takes.
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            var lastPercent = -1L;
            var download = new ArchiveDownload(http)
            {
                Progress = (have, total) =>
                {
                    var percent = total is > 0 ? have * 100 / total.Value : -1;
                    if (percent != lastPercent && percent % 10 == 0)
                    {
                        lastPercent = percent;
                        Console.WriteLine(total is null ? $"{have:N0} bytes" : $"{percent,3} %  {have:N0} of {total:N0} bytes");
                    }
                },
            };
            Console.WriteLine($"downloading {source} to {target}");
            var entries = await download.DownloadAsync(source, target, expected, cancellation);
            Console.WriteLine($"done: {target} is complete and readable ({entries:N0} archive entries)");
            return 0;
        });
        return command;
    }
}
