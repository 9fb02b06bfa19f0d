namespace StaticConvNet.Tests.Support;

/// <summary>Floats as their bit patterns, for the tests that hold results to the same bits (−0 and +0 differ, and a
/// NaN equals the same NaN).</summary>
internal static class FloatBits
{
    public static int[] Of(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
