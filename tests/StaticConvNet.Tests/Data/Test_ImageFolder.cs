using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Data;

/// <summary>Image folders as people keep them: ROOT/&lt;class&gt;/*.png|jpg, or the same under train/, valid/, test/;
/// notMNIST's unpacked tree is one.</summary>
public class Test_ImageFolder
{
    private static readonly LayerShape Letter = new(28, 28, 1);

    /// <summary>notMNIST_small/A..J with <paramref name="perClass"/> PNGs each.</summary>
    private static string Tree(Scn.TempFolder folder, int perClass = 2)
    {
        var root = folder["notMNIST_small"];
        foreach (var letter in PngTree.Letters)
        {
            Directory.CreateDirectory(Path.Combine(root, letter.ToString()));
            for (var i = 0; i < perClass; i++) TestImages.WritePng(Path.Combine(root, letter.ToString(), $"{letter}{i}.png"), 28, 28, (byte)(letter * 7 + i));
        }
        return root;
    }

    /// <summary>ROOT/red, ROOT/green, ROOT/blue: <paramref name="perClass"/> images each, alternately PNG and JPEG, of
    /// <paramref name="size"/> pixels, each a flat colour with a little texture.</summary>
    private static string Colours(string root, int perClass = 4, int size = 12)
    {
        var colours = new Dictionary<string, (byte, byte, byte)> { ["red"] = (220, 20, 30), ["green"] = (20, 200, 40), ["blue"] = (30, 40, 210) };
        foreach (var (name, (r, g, b)) in colours)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (var i = 0; i < perClass; i++)
                TestImages.WriteColour(Path.Combine(root, name, $"{i}.{(i % 2 == 0 ? "png" : "jpg")}"), size, size, (x, y) => ((byte)(r + (x + i) % 3), g, b));
        }
        return root;
    }

    private static LoadOptions Options(LayerShape? shape = null, bool resize = false, double validFraction = 0.5)
        => new(ValidFraction: validFraction, Shape: shape, Resize: resize);

    [Fact]
    public void The_notmnist_tree_loads_with_labels_and_names_from_its_folders()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        var loaded = ImageFolder.Load(folder.Path, Options(Letter)); // the parent of notMNIST_small/ works too
        loaded.ClassNames.ShouldBe(LabelNames.Letters);
        (loaded.Train.Count, loaded.Valid!.Count).ShouldBe((10, 10));
        loaded.Train.Labels.ShouldBe(Enumerable.Range(0, 10));
        loaded.Valid.ClassNames.ShouldBe(LabelNames.Letters);
        ImageFolder.Load(root, Options(Letter)).Train.Images.ShouldBe(loaded.Train.Images);
        DataSources.Load(root, Options(Letter)).Description.ShouldBe($"image folder {root}");
    }

    [Fact]
    public void Colour_pngs_and_jpegs_load_as_three_channels_in_file_name_order()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["shapes"]);
        var loaded = ImageFolder.Load(root, Options(new LayerShape(12, 12, 3)));
        loaded.ClassNames.ShouldBe(["blue", "green", "red"]); // ordinal order of the folder names
        loaded.Train.Channels.ShouldBe(3);
        (loaded.Train.Count + loaded.Valid!.Count).ShouldBe(12);
        // A red image: red high, green and blue low, in the notebook's normalisation (JPEG moves values a little).
        var red = loaded.Train.Image(Array.IndexOf(loaded.Train.Labels, 2));
        red[0].ShouldBe((220 - 127.5f) / 255f, 0.03f);
        red[1].ShouldBe((20 - 127.5f) / 255f, 0.03f);
        red[2].ShouldBe((30 - 127.5f) / 255f, 0.03f);
    }

    [Fact]
    public void Without_a_shape_the_first_image_sets_it_and_colour_converts_to_one_channel_by_luminance()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["shapes"]);
        ImageFolder.Load(root, Options()).Train.Channels.ShouldBe(3);
        var grey = ImageFolder.Load(root, Options(new LayerShape(12, 12, 1)));
        grey.Train.Channels.ShouldBe(1);
        var green = grey.Train.Image(Array.IndexOf(grey.Train.Labels, 1));
        // stb_image's luminance: (77 R + 150 G + 29 B) / 256.
        green[0].ShouldBe(((77 * 20 + 150 * 200 + 29 * 40) / 256 - 127.5f) / 255f, 0.03f);
        grey.Notes.ShouldNotContain(n => n.Contains("as grayscale"), "the network asked for one channel");

        // A grey first image sets one channel for the rest: the colour ones read as grey, and a note says how many.
        TestImages.WritePng(Path.Combine(root, "blue", "!first.png"), 12, 12, 90);
        var mixed = ImageFolder.Load(root, Options());
        mixed.Train.Channels.ShouldBe(1);
        mixed.Notes.ShouldContain($"read 12 colour images in {root} as grayscale: the first image, which sets the channels, is grayscale");
    }

    [Fact]
    public void Grayscale_images_load_as_three_equal_channels_for_a_colour_network()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        var loaded = ImageFolder.Load(root, Options(new LayerShape(28, 28, 3)));
        var image = loaded.Train.Image(0);
        image[0].ShouldBe(image[1]);
        image[1].ShouldBe(image[2]);
    }

    [Fact]
    public void An_image_of_another_size_is_one_line_naming_it_and_both_sizes_unless_resized()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["shapes"], size: 20);
        var first = Path.Combine(root, "blue", "0.png");
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options(new LayerShape(16, 16, 3))))
            .Message.ShouldBe($"{first}: is 20x20 pixels; the network takes 16x16 (--resize scales images to it)");
        var resized = ImageFolder.Load(root, Options(new LayerShape(16, 16, 3), resize: true));
        (resized.Train.Height, resized.Train.Width).ShouldBe((16, 16));
        resized.Train.Image(0)[2].ShouldBe((210 - 127.5f) / 255f, 0.03f); // a flat colour stays itself
    }

    [Fact]
    public void Train_valid_and_test_folders_are_the_splits_labelled_by_trains_classes()
    {
        using var folder = new Scn.TempFolder();
        var root = folder["data"];
        Colours(Path.Combine(root, "train"));
        Colours(Path.Combine(root, "val"), perClass: 2);
        Directory.Delete(Path.Combine(root, "val", "blue"), recursive: true); // a split may lack a class
        Colours(Path.Combine(root, "test"), perClass: 1);
        var loaded = ImageFolder.Load(root, Options(new LayerShape(12, 12, 3)));
        (loaded.Train.Count, loaded.Valid!.Count, loaded.Test!.Count).ShouldBe((12, 4, 3));
        loaded.Valid.Labels.ShouldBe([1, 1, 2, 2]); // green and red keep train's labels
        loaded.Valid.ClassNames.ShouldBe(["blue", "green", "red"]);
        loaded.Notes.ShouldBeEmpty();
    }

    /// <summary>An archive unpacked into a folder of its own (TensorFlow's cats_and_dogs_filtered/train/cats/…): the
    /// split folders one level down are splits, not two classes called train and validation.</summary>
    [Fact]
    public void Split_folders_inside_a_wrapping_folder_are_the_splits()
    {
        using var folder = new Scn.TempFolder();
        var root = folder["data"];
        Colours(Path.Combine(root, "colours_filtered", "train"));
        Colours(Path.Combine(root, "colours_filtered", "validation"), perClass: 2);
        var loaded = ImageFolder.Load(root, Options(new LayerShape(12, 12, 3)));
        (loaded.Train.Count, loaded.Valid!.Count).ShouldBe((12, 6));
        loaded.Train.ClassNames.ShouldBe(["blue", "green", "red"]);
        loaded.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void A_class_folder_that_is_a_link_is_named_in_a_note()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["data"]);
        Colours(folder["elsewhere"]);
        Directory.CreateSymbolicLink(Path.Combine(root, "purple"), Path.Combine(folder["elsewhere"], "red"));
        var loaded = ImageFolder.Load(root, Options(new LayerShape(12, 12, 3)));
        loaded.Train.ClassNames.ShouldBe(["blue", "green", "red"]);
        loaded.Notes.ShouldContain($"did not enter purple in {root}: folders that are links are not read (a link to a parent would never end)");
    }

    [Fact]
    public void More_image_values_than_one_array_holds_are_refused_before_decoding()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["data"], perClass: 20); // 60 images of 4096 x 4096 x 3 values at the asked shape: 3.0e9
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options(new LayerShape(4096, 4096, 3), resize: true)))
            .Message.ShouldBe($"{root}: holds 60 images of 4096x4096x3: 3,019,898,880 values, more than one array holds ({Array.MaxLength:N0}); use fewer images or a network that takes smaller ones");
    }

    [Fact]
    public void A_split_that_would_hold_out_a_whole_class_is_refused()
    {
        // 4 images a class at 0.9: each class's 3.6 rounds to 4, all of it.
        var data = new Dataset(new float[12], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 1, 1, 1, ["a", "b", "c"]);
        Should.Throw<ArgumentException>(() => Splitting.Stratified(data, 0.9, seed: 1))
            .Message.ShouldStartWith("Class a has 4 image(s): a validation fraction of 0.9 holds out all of it, leaving none to train on.");
        Splitting.Stratified(data, 0.5, seed: 1).Train.Count.ShouldBe(6);
    }

    [Fact]
    public void A_split_folder_with_a_class_train_does_not_have_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var root = folder["data"];
        Colours(Path.Combine(root, "train"));
        Colours(Path.Combine(root, "valid"), perClass: 1);
        Directory.CreateDirectory(Path.Combine(root, "valid", "purple"));
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options(new LayerShape(12, 12, 3))))
            .Message.ShouldBe($"{Path.Combine(root, "valid", "purple")}: is not one of the classes blue, green, red");
    }

    [Fact]
    public void Split_folders_beside_class_folders_are_an_error()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["data"]);
        Colours(Path.Combine(root, "train"));
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options()))
            .Message.ShouldBe($"{root}: holds split folders (train/) and other folders (blue/): either split folders train/, valid/, test/ or class folders, not both");
    }

    [Fact]
    public void A_trained_networks_classes_label_a_folder_that_holds_fewer()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["data"]);
        Directory.Delete(Path.Combine(root, "blue"), recursive: true);
        var loaded = ImageFolder.Load(root, new LoadOptions(ValidFraction: 0.5, Shape: new LayerShape(12, 12, 3), ClassNames: ["blue", "green", "red", "white"]));
        loaded.Train.Labels.Distinct().Order().ShouldBe([1, 2]);
        loaded.ClassNames!.Count.ShouldBe(4);
    }

    [Fact]
    public void A_corrupt_image_among_good_ones_is_skipped_and_named_and_other_files_are_noted()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        File.WriteAllBytes(Path.Combine(root, "C", "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        File.WriteAllBytes(Path.Combine(root, "C", "broken.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 1]); // StbImageSharp alone never returns on it
        File.WriteAllText(Path.Combine(root, "D", "notes.txt"), "not an image");
        Directory.CreateDirectory(Path.Combine(root, ".ipynb_checkpoints")); // hidden: not a class
        var result = ImageFolder.Load(root, Options(Letter));
        (result.Train.Count + result.Valid!.Count).ShouldBe(20);
        result.Skipped.Select(s => Path.GetFileName(s.Path)).ShouldBe(["broken.jpg", "broken.png"]);
        result.Notes.ShouldContain($"ignored 1 files in {root} that are not .png, .jpg or .jpeg");
    }

    /// <summary>What is not a regular file of a sensible size is skipped before anything opens it: a link to
    /// /dev/zero (which never ends), a FIFO (which blocks until written), an empty file, a file too big for an image.</summary>
    [Fact]
    public void Links_fifos_empty_and_oversized_files_are_skipped_without_reading_them()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        File.CreateSymbolicLink(Path.Combine(root, "A", "zzz.png"), "/dev/zero");
        Processes.Run("mkfifo", [Path.Combine(root, "B", "zzz.png")]).ExitCode.ShouldBe(0);
        File.WriteAllBytes(Path.Combine(root, "C", "empty.png"), []);
        using (var huge = File.Create(Path.Combine(root, "D", "huge.png"))) huge.SetLength(ImageFile.MaxFileBytes + 1L); // sparse: nothing written
        var result = ImageFolder.Load(root, Options(Letter));
        (result.Train.Count + result.Valid!.Count).ShouldBe(20);
        result.Skipped.Select(s => (Path.GetFileName(s.Path), s.Reason)).ShouldBe([
            ("huge.png", $"is {ImageFile.MaxFileBytes + 1L:N0} bytes; an image file is read up to {ImageFile.MaxFileBytes:N0}"),
            ("empty.png", "is empty or not a regular file"),
            ("zzz.png", "is empty or not a regular file"),
            ("zzz.png", "is a symbolic link (to /dev/zero); only regular files are read"),
        ], ignoreOrder: true);
    }

    [Fact]
    public void A_class_of_only_unreadable_files_is_an_error_naming_it()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "B"))) File.WriteAllBytes(file, [1, 2, 3]);
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options(Letter))).Message.ShouldBe($"{Path.Combine(root, "B")}: holds no readable images");
    }

    [Fact]
    public void An_empty_class_folder_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "E"))) File.Delete(file);
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options(Letter))).Message.ShouldBe($"{Path.Combine(root, "E")}: is an empty class folder: it holds no .png or .jpg files");
    }

    [Fact]
    public void One_class_folder_is_an_error()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["data"]);
        Directory.Delete(Path.Combine(root, "blue"), recursive: true);
        Directory.Delete(Path.Combine(root, "green"), recursive: true);
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options())).Message.ShouldBe($"{root}: holds one class folder (red/); a classifier needs two or more");
    }

    [Fact]
    public void A_huge_jpeg_is_refused_from_its_header()
    {
        using var folder = new Scn.TempFolder();
        var bytes = File.ReadAllBytes(TestImages.WriteColour(folder["p.jpg"], 16, 16, (x, y) => (1, 2, 3)));
        var frame = Enumerable.Range(0, bytes.Length - 1).First(i => bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC2); // the start of frame
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(frame + 5), 20000); // height
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(frame + 7), 20000); // width
        var before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DataFormatException>(() => ImageFile.Decode(bytes, "huge.jpg", 3)).Message
            .ShouldBe($"huge.jpg: is 20000x20000 pixels; images of up to {ImageFile.MaxPixels:N0} pixels are read");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 20);
    }

    /// <summary>A PNG whose image data inflates far past what its header's size needs (a decompression bomb: stb_image
    /// would grow its native buffer for as long as the data inflates) is refused after inflating no more than that.</summary>
    [Fact]
    public void A_png_whose_data_inflates_past_its_size_is_refused()
    {
        using var folder = new Scn.TempFolder();
        var good = File.ReadAllBytes(TestImages.WritePng(folder["p.png"], 28, 28));
        // The same header, with image data that inflates to 50 MB of zeros.
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(new byte[50 << 20]);
        var bomb = PngWith(good[..33], compressed.ToArray());
        var started = System.Diagnostics.Stopwatch.StartNew();
        Should.Throw<DataFormatException>(() => ImageFile.Decode(bomb, "bomb.png", 1)).Message
            .ShouldBe("bomb.png: is not a readable PNG image (its image data inflates past the 812 bytes its 28x28 size needs)");
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }

    /// <summary>A PNG of <paramref name="header"/> (signature and IHDR) and one IDAT chunk of <paramref name="data"/>.</summary>
    private static byte[] PngWith(byte[] header, byte[] data)
    {
        static byte[] Chunk(string type, byte[] body)
        {
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(body).ToArray();
            var crc = TestImages.Crc32(typed);
            var chunk = new byte[12 + body.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
            typed.CopyTo(chunk, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), crc);
            return chunk;
        }
        return [.. header, .. Chunk("IDAT", data), .. Chunk("IEND", [])];
    }

    [Fact]
    public void A_folder_that_links_to_its_parent_is_not_entered()
    {
        using var folder = new Scn.TempFolder();
        var root = Tree(folder);
        Directory.CreateSymbolicLink(Path.Combine(root, "A", "loop"), root);
        var loaded = ImageFolder.Load(root, Options(Letter));
        (loaded.Train.Count + loaded.Valid!.Count).ShouldBe(20);
    }

    [Fact]
    public void A_validation_folder_may_hold_one_class_but_not_sit_beside_another_validation_folder()
    {
        using var folder = new Scn.TempFolder();
        var root = folder["data"];
        Colours(Path.Combine(root, "train"));
        Colours(Path.Combine(root, "valid"), perClass: 1);
        Directory.Delete(Path.Combine(root, "valid", "blue"), recursive: true);
        Directory.Delete(Path.Combine(root, "valid", "green"), recursive: true);
        ImageFolder.Load(root, Options(new LayerShape(12, 12, 3))).Valid!.Labels.ShouldBe([2]);
        Colours(Path.Combine(root, "val"), perClass: 1);
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options(new LayerShape(12, 12, 3))))
            .Message.ShouldBe($"{root}: has val/ and valid/: keep one validation folder");
    }

    [Fact]
    public void Without_a_network_the_first_image_sets_the_size_and_resize_scales_the_others_to_it()
    {
        using var folder = new Scn.TempFolder();
        var root = Colours(folder["data"]);
        TestImages.WriteColour(Path.Combine(root, "red", "z.png"), 20, 16, (x, y) => (200, 0, 0));
        Should.Throw<DataFormatException>(() => ImageFolder.Load(root, Options()))
            .Message.ShouldBe($"{Path.Combine(root, "red", "z.png")}: is 20x16 pixels; the first image, which sets the size, is 12x12 (--resize scales images to it)");
        var loaded = ImageFolder.Load(root, Options(resize: true));
        (loaded.Train.Count + loaded.Valid!.Count).ShouldBe(13);
        (loaded.Train.Height, loaded.Train.Width).ShouldBe((12, 12));
    }
}
