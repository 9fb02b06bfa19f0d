namespace StaticConvNet;

/// <summary>One method per layer kind: implementing it is how a tool proves it handles every kind.</summary>
public interface ILayerVisitor<out T>
{
    T Visit(Conv2DLayer layer);
    T Visit(DenseLayer layer);
    T Visit(MaxPoolLayer layer);
    T Visit(AvgPoolLayer layer);
    T Visit(GlobalAvgPoolLayer layer);
    T Visit(ReluLayer layer);
    T Visit(TanhLayer layer);
    T Visit(DropoutLayer layer);
    T Visit(LocalResponseNormLayer layer);
}
