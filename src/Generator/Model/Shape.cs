namespace StaticConvNet.Generator.Model;

/// <summary>An activation shape, height × width × channels (HWC).</summary>
internal readonly record struct Shape(int Height, int Width, int Channels)
{
    /// <summary>Values in the shape; saturates at <see cref="long.MaxValue"/> instead of wrapping.</summary>
    public long Length => Sizes.Times(Sizes.Times(Height, Width), Channels);

    public override string ToString() => $"{Height}x{Width}x{Channels}";
}

/// <summary>Size arithmetic that cannot wrap: a product too large for a long saturates at <see cref="long.MaxValue"/>,
/// which every limit then refuses. Attribute values are user input: int.MaxValue must give a diagnostic, not a
/// negative size that slips past the limits.</summary>
internal static class Sizes
{
    /// <summary>a × b for sizes of 0 or more.</summary>
    public static long Times(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

    /// <summary>a + b for sizes of 0 or more.</summary>
    public static long Plus(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>A size for a message: saturated ones say so.</summary>
    public static string Text(long size) => size == long.MaxValue ? "more than 9223372036854775806" : size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
