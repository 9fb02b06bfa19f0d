using System.Buffers.Binary;

namespace StaticConvNet.Data;

/// <summary>The Udacity notebook's notMNIST.pickle: a dict of train_dataset/train_labels, valid_*, and test_*
/// (float32 [N, 28, 28] images normalised as (px − 127.5) / 255, integer labels 0..9).</summary>
public static class NotebookPickle
{
    public sealed record Splits(Dataset Train, Dataset? Valid, Dataset? Test, IReadOnlyList<string> Notes);

    /// <param name="dropBadRows">Drop rows whose label is out of 0..9 (reporting them) instead of refusing the file.</param>
    public static Splits Load(string path, bool dropBadRows = false, int classes = 10)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "does not exist");
        var root = RestrictedPickle.Load(File.ReadAllBytes(path), path) as Dictionary<object, object>
            ?? throw new DataFormatException(path, "does not hold a dict (a notebook pickle is {'train_dataset': ..., 'train_labels': ...})");
        var notes = new List<string>();
        var train = Split(root, "train", path, dropBadRows, classes, notes, required: true)!;
        var valid = Split(root, "valid", path, dropBadRows, classes, notes, required: false);
        var test = Split(root, "test", path, dropBadRows, classes, notes, required: false);
        return new Splits(train, valid, test, notes);
    }

    private static Dataset? Split(Dictionary<object, object> root, string split, string path, bool dropBadRows, int classes, List<string> notes, bool required)
    {
        root.TryGetValue($"{split}_dataset", out var imagesValue);
        root.TryGetValue($"{split}_labels", out var labelsValue);
        if (imagesValue is null && labelsValue is null)
        {
            if (required) throw new DataFormatException(path, $"has no '{split}_dataset' and '{split}_labels'");
            return null;
        }
        var images = imagesValue as PickledArray ?? throw new DataFormatException(path, $"'{split}_dataset' is not a numpy array");
        var labels = labelsValue as PickledArray ?? throw new DataFormatException(path, $"'{split}_labels' is not a numpy array");
        if (images.DType != "f4" || images.Shape.Length != 3)
            throw new DataFormatException(path, $"'{split}_dataset' is a {images.DType} array of shape ({string.Join(", ", images.Shape)}); expected float32 (N, 28, 28)");
        var (count, height, width) = (images.Shape[0], images.Shape[1], images.Shape[2]);
        if (labels.Shape.Length != 1 || labels.Shape[0] != count)
            throw new DataFormatException(path, $"'{split}_labels' has shape ({string.Join(", ", labels.Shape)}); expected ({count},) to match '{split}_dataset'");
        var values = Floats(images, path, split);
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new DataFormatException(path, $"'{split}_dataset' image {i / (height * width)} holds {values[i]}; images must be finite");
        }
        var labelValues = Integers(labels, path, split);
        var keep = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            if (labelValues[i] >= 0 && labelValues[i] < classes) keep.Add(i);
            else if (!dropBadRows)
                throw new DataFormatException(path, $"'{split}_labels' index {i} is {labelValues[i]}, outside 0..{classes - 1} (pass --drop-bad-labels to drop such rows)");
        }
        if (keep.Count < count) notes.Add($"{split}: dropped {count - keep.Count} rows with labels outside 0..{classes - 1}");
        var pixels = height * width;
        var kept = new float[keep.Count * pixels];
        for (var k = 0; k < keep.Count; k++) values.AsSpan(keep[k] * pixels, pixels).CopyTo(kept.AsSpan(k * pixels));
        return new Dataset(kept, keep.Select(i => (int)labelValues[i]).ToArray(), height, width);
    }

    private static float[] Floats(PickledArray array, string path, string split)
    {
        CheckLength(array, 4, path, $"{split}_dataset");
        var values = new float[array.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var raw = array.Data.AsSpan(i * 4, 4);
            values[i] = array.ByteOrder == '>' ? BinaryPrimitives.ReadSingleBigEndian(raw) : BinaryPrimitives.ReadSingleLittleEndian(raw);
        }
        return values;
    }

    private static long[] Integers(PickledArray array, string path, string split)
    {
        var size = array.DType switch
        {
            "i1" or "u1" or "b1" => 1, "i2" or "u2" => 2, "i4" or "u4" => 4, "i8" or "u8" => 8,
            _ => throw new DataFormatException(path, $"'{split}_labels' has dtype {array.DType}; expected an integer type"),
        };
        CheckLength(array, size, path, $"{split}_labels");
        var big = array.ByteOrder == '>';
        var values = new long[array.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var raw = array.Data.AsSpan(i * size, size);
            values[i] = (array.DType, size) switch
            {
                ("u1" or "b1", _) => raw[0],
                ("i1", _) => (sbyte)raw[0],
                (_, 2) => array.DType[0] == 'u' ? (big ? BinaryPrimitives.ReadUInt16BigEndian(raw) : BinaryPrimitives.ReadUInt16LittleEndian(raw)) : (big ? BinaryPrimitives.ReadInt16BigEndian(raw) : BinaryPrimitives.ReadInt16LittleEndian(raw)),
                (_, 4) => array.DType[0] == 'u' ? (big ? BinaryPrimitives.ReadUInt32BigEndian(raw) : BinaryPrimitives.ReadUInt32LittleEndian(raw)) : (big ? BinaryPrimitives.ReadInt32BigEndian(raw) : BinaryPrimitives.ReadInt32LittleEndian(raw)),
                _ => big ? BinaryPrimitives.ReadInt64BigEndian(raw) : BinaryPrimitives.ReadInt64LittleEndian(raw),
            };
        }
        return values;
    }

    private static void CheckLength(PickledArray array, int itemSize, string path, string name)
    {
        if (array.Data.LongLength != array.Count * itemSize)
            throw new DataFormatException(path, $"'{name}' has {array.Data.LongLength} bytes of data for {array.Count} items of {itemSize} bytes");
    }
}
