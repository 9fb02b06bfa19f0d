using StaticConvNet.Generator.Model;
using StaticConvNet.Generator.Parsing;
using StaticConvNet.Generator.Shapes;

namespace StaticConvNet.Generator.Layers;

/// <summary><c>[ExpectShape(height, width, channels)]</c>: a compile-time assertion of the shape at this point of
/// the stack. It is checked during shape inference and is not a layer: no code, no buffer, not in the layer list.</summary>
internal sealed record ExpectShapeCheck(string Name, Shape Expected) : StackEntry(Name)
{
    public static readonly LayerKind Definition = new("ExpectShape", "expect", Parse);

    private static StackEntry Parse(AttributeReader a, string name)
    {
        var check = new ExpectShapeCheck(name, new Shape(a.IntArgument(0), a.IntArgument(1), a.IntArgument(2)));
        a.RequirePositive("height", check.Expected.Height);
        a.RequirePositive("width", check.Expected.Width);
        a.RequirePositive("channels", check.Expected.Channels);
        return check;
    }

    public override string Kind => Definition.Name;

    public override LayerShapes? Resolve(Shape input, ShapeContext context)
    {
        if (Expected != input) context.Report(Diagnostics.ExpectShapeMismatch, Name, Expected, context.Producer, input);
        return new LayerShapes(input);
    }
}
