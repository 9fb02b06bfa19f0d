using System.Collections.Generic;
using System.Linq;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Emit;

/// <summary>The gradient buffers of values read more than once (a block's input): each reader after the first
/// writes its part of the value's gradient into a buffer of its own, named after the reader and which of its inputs
/// it is ("Conv2InputGradient0"), and the producer's backward pass starts by adding them into its output gradient.</summary>
internal static class GradientBuffers
{
    /// <summary>A reader's own gradient buffer for its input <paramref name="Input"/>.</summary>
    public sealed record Buffer(string Name, string Source, int Offset, int Length);

    /// <summary>The buffers <paramref name="reader"/> writes instead of its inputs' own gradients.</summary>
    public static IEnumerable<Buffer> Of(ResolvedLayer reader)
    {
        if (reader.MergeInputs.Length == 0)
        {
            if (reader.InputGradientOffset >= 0) yield return new Buffer($"{reader.Pascal}InputGradient0", reader.InputSource, reader.InputGradientOffset, (int)reader.Input.Length);
            yield break;
        }
        for (var k = 0; k < reader.MergeInputs.Length; k++)
        {
            var input = reader.MergeInputs[k];
            if (input.GradientOffset >= 0) yield return new Buffer($"{reader.Pascal}InputGradient{CodeWriter.Int(k)}", input.Source, input.GradientOffset, (int)input.Shape.Length);
        }
    }

    /// <summary>The buffers to add into <paramref name="producer"/>'s output gradient before its backward pass.</summary>
    public static IEnumerable<Buffer> AddedInto(ResolvedNetwork network, ResolvedLayer producer)
        => network.Layers.SelectMany(Of).Where(b => b.Source == producer.Pascal);
}
