namespace StaticConvNet;

/// <summary>One method per layer kind: implementing it is how a tool proves it handles every kind. A block's layers
/// are reached through <see cref="ConcatLayer.Blocks"/> and <see cref="ResidualLayer.Body"/>: a tool recurses.</summary>
public interface ILayerVisitor<out T>
{
    T Visit(Conv2DLayer layer);
    T Visit(DenseLayer layer);
    T Visit(MaxPoolLayer layer);
    T Visit(AvgPoolLayer layer);
    T Visit(GlobalAvgPoolLayer layer);
    T Visit(BatchNormLayer layer);
    T Visit(ReluLayer layer);
    T Visit(TanhLayer layer);
    T Visit(DropoutLayer layer);
    T Visit(LocalResponseNormLayer layer);
    T Visit(ConcatLayer layer);
    T Visit(ResidualLayer layer);
}
