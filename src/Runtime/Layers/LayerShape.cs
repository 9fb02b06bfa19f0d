namespace StaticConvNet;

/// <summary>A shape, height × width × channels.</summary>
public readonly record struct LayerShape(int Height, int Width, int Channels)
{
    public int Length => Height * Width * Channels;
    public override string ToString() => $"{Height}x{Width}x{Channels}";
}
