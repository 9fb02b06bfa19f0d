using ColourShapes;
using StaticConvNet;
using StaticConvNet.Data;
using StaticConvNet.Training;

// dotnet run -c Release -- make FOLDER           draws the dataset (2,000 training and 400 validation images)
// dotnet run -c Release -- train FOLDER [OUT]    trains ShapeNet on it from C# and names a validation image's class
if (args is ["make", var target])
{
    ShapeImages.Write(target, trainPerShape: 500, validPerShape: 100);
    Console.WriteLine($"wrote {target}/train and {target}/valid: {string.Join(", ", ShapeImages.Shapes)}, {ShapeImages.Size}x{ShapeImages.Size} PNG and JPEG");
    return 0;
}
if (args is not ["train", var folder, ..])
{
    Console.Error.WriteLine("usage: ColourShapes make FOLDER | train FOLDER [OUT]");
    return 2;
}

// An image folder: FOLDER/train/<class>/*.png|jpg and FOLDER/valid/<class>/…, the classes named by the folders.
// Images arrive as the network takes them: 3 channels, resized from 40x40 to 32x32.
var network = new ShapeNet();
var data = DataSources.Load(folder, new LoadOptions(Shape: network.Description.Input, Resize: true));
Console.WriteLine($"{data.Description}: {data.Train.Count} training images of {LabelNames.List(data.ClassNames!)}");

var result = new TrainingRun(network, data)
{
    // Adam, and random shifts of up to 3 pixels: 2,000 images are few, and a shape is the same shape a little further on.
    Options = new TrainingOptions { Steps = 1501, BatchSize = 16, Optimizer = OptimizerKind.Adam, Schedule = new(0.002f), RandomShift = 3, EvalEvery = 500 },
    OutputFolder = args.Length > 2 ? args[2] : Path.Combine("runs", nameof(ShapeNet)),
    Overwrite = true, // each run of the sample starts again
}.Fit();
if (result.Diverged) return 1;

// The class names travel with the run: the checkpoint and ShapeNet.scnw carry them.
var checkpoint = Checkpoint.Load(result.CheckpointPath!);
var first = data.Valid!.Image(0);
Console.WriteLine($"validation image 0 is a {data.ClassNames![data.Valid.Labels[0]]}; ShapeNet says {checkpoint.ClassNames![network.Predict(first)]}");
return 0;
