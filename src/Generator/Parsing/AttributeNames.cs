namespace StaticConvNet.Generator.Parsing;

/// <summary>Metadata names of the attributes in StaticConvNet.Runtime the generator reads.</summary>
internal static class AttributeNames
{
    public const string Network = "StaticConvNet.NetworkAttribute";
    public const string Conv2D = "StaticConvNet.Conv2DAttribute";
    public const string MaxPool = "StaticConvNet.MaxPoolAttribute";
    public const string ReLU = "StaticConvNet.ReLUAttribute";
    public const string Dense = "StaticConvNet.DenseAttribute";
    public const string Dropout = "StaticConvNet.DropoutAttribute";
    public const string LocalResponseNorm = "StaticConvNet.LocalResponseNormAttribute";
    public const string ExpectShape = "StaticConvNet.ExpectShapeAttribute";

    public static readonly string[] Layers = [Conv2D, MaxPool, ReLU, Dense, Dropout, LocalResponseNorm, ExpectShape];
}
