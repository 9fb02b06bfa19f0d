namespace StaticConvNet;

/// <summary>Parameters <see cref="Offset"/> … <see cref="Offset"/> + <see cref="Length"/> − 1 of a network (and the same
/// floats of its gradients).</summary>
public readonly record struct ParameterRange(int Offset, int Length)
{
    /// <summary>The first parameter past the range.</summary>
    public int End => Offset + Length;
}
