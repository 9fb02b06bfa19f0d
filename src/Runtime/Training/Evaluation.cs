using System.Runtime.CompilerServices;

namespace StaticConvNet;

/// <summary>How well a network classifies a dataset: its predictions, their accuracy and confusion matrix.</summary>
public static class Evaluation
{
    /// <summary>Fraction of <paramref name="data"/> the network classifies correctly.</summary>
    public static float Accuracy(IConvNet network, Dataset data) => Accuracy(Predictions(network, data), data);

    /// <summary>Fraction of <paramref name="predictions"/>, already made over <paramref name="data"/>, that are its labels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Accuracy(int[] predictions, Dataset data)
    {
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            if (predictions[i] == data.Labels[i]) correct++;
        }
        return (float)correct / data.Count;
    }

    /// <summary>Counts of (true label, predicted label) over <paramref name="data"/>.</summary>
    public static int[,] ConfusionMatrix(IConvNet network, Dataset data)
        => ConfusionMatrix(Predictions(network, data), data, network.OutputLength);

    /// <summary>Counts of (true label, predicted label) for <paramref name="predictions"/> already made over <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[,] ConfusionMatrix(int[] predictions, Dataset data, int classes)
    {
        var matrix = new int[classes, classes];
        for (var i = 0; i < data.Count; i++)
        {
            var label = data.Labels[i];
            if ((uint)label >= (uint)classes) throw new ArgumentException($"Image {i} has label {label}, outside the {classes} classes 0..{classes - 1}.", nameof(data));
            matrix[label, predictions[i]]++;
        }
        return matrix;
    }

    /// <summary>The network's class for every image of <paramref name="data"/>, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Predictions(IConvNet network, Dataset data)
    {
        var predictions = new int[data.Count];
        network.PredictBatch(data.Images.AsSpan(0, data.Count * data.ImageLength), predictions);
        return predictions;
    }

    /// <summary>The index of the largest value (the first, on ties): the class a network's logits choose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
