namespace StaticConvNet.Generator.Model;

/// <summary>An activation shape, height × width × channels (HWC).</summary>
internal readonly record struct Shape(int Height, int Width, int Channels)
{
    public long Length => (long)Height * Width * Channels;

    public override string ToString() => $"{Height}x{Width}x{Channels}";
}
