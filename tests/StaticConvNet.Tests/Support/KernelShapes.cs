using StaticConvNet.Kernels;

namespace StaticConvNet.Tests.Support;

/// <summary>A number as a type. The kernels take a layer's shape as a type whose static members are constants, as
/// the generator emits one per layer; tests name odd shapes the same way, <c>ConvShape&lt;N5, N7, …&gt;</c>, so they run
/// exactly the code a generated layer runs.</summary>
public interface INumber
{
    static abstract int Value { get; }
}

public readonly struct N1 : INumber { public static int Value => 1; }
public readonly struct N2 : INumber { public static int Value => 2; }
public readonly struct N3 : INumber { public static int Value => 3; }
public readonly struct N4 : INumber { public static int Value => 4; }
public readonly struct N5 : INumber { public static int Value => 5; }
public readonly struct N6 : INumber { public static int Value => 6; }
public readonly struct N7 : INumber { public static int Value => 7; }
public readonly struct N8 : INumber { public static int Value => 8; }
public readonly struct N9 : INumber { public static int Value => 9; }
public readonly struct N10 : INumber { public static int Value => 10; }
public readonly struct N11 : INumber { public static int Value => 11; }
public readonly struct N12 : INumber { public static int Value => 12; }
public readonly struct N13 : INumber { public static int Value => 13; }
public readonly struct N15 : INumber { public static int Value => 15; }
public readonly struct N16 : INumber { public static int Value => 16; }
public readonly struct N17 : INumber { public static int Value => 17; }
public readonly struct N29 : INumber { public static int Value => 29; }
public readonly struct N32 : INumber { public static int Value => 32; }
public readonly struct N48 : INumber { public static int Value => 48; }

/// <summary>TensorFlow's padding as a type: SAME or VALID.</summary>
public interface IPaddingKind
{
    static abstract bool IsSame { get; }
}

public readonly struct Same : IPaddingKind { public static bool IsSame => true; }
public readonly struct Valid : IPaddingKind { public static bool IsSame => false; }

/// <summary>TensorFlow's output size and leading padding along one axis.</summary>
public static class WindowAxis
{
    public static int Output(int input, int window, int stride, bool same) =>
        same ? (input + stride - 1) / stride : (input - window) / stride + 1;

    public static int PadBefore(int input, int window, int stride, bool same) =>
        same ? Math.Max((Output(input, window, stride, same) - 1) * stride + window - input, 0) / 2 : 0;
}

/// <summary>A convolution of an H x W x C image to O channels with a P x P patch at stride S, its output size and
/// padding worked out as TensorFlow does.</summary>
public readonly struct ConvShape<H, W, C, O, P, S, TPadding> : IConv2DShape
    where H : INumber where W : INumber where C : INumber where O : INumber where P : INumber where S : INumber where TPadding : IPaddingKind
{
    public static int InHeight => H.Value;
    public static int InWidth => W.Value;
    public static int InChannels => C.Value;
    public static int OutHeight => WindowAxis.Output(H.Value, P.Value, S.Value, TPadding.IsSame);
    public static int OutWidth => WindowAxis.Output(W.Value, P.Value, S.Value, TPadding.IsSame);
    public static int OutChannels => O.Value;
    public static int Patch => P.Value;
    public static int Stride => S.Value;
    public static int PadTop => WindowAxis.PadBefore(H.Value, P.Value, S.Value, TPadding.IsSame);
    public static int PadLeft => WindowAxis.PadBefore(W.Value, P.Value, S.Value, TPadding.IsSame);
}

/// <summary>Pooling of an H x W x C image with a window of K x K at stride S, worked out as TensorFlow does.</summary>
public readonly struct PoolShape<H, W, C, K, S, TPadding> : IPoolShape
    where H : INumber where W : INumber where C : INumber where K : INumber where S : INumber where TPadding : IPaddingKind
{
    public static int InHeight => H.Value;
    public static int InWidth => W.Value;
    public static int Channels => C.Value;
    public static int OutHeight => WindowAxis.Output(H.Value, K.Value, S.Value, TPadding.IsSame);
    public static int OutWidth => WindowAxis.Output(W.Value, K.Value, S.Value, TPadding.IsSame);
    public static int Size => K.Value;
    public static int Stride => S.Value;
    public static int PadTop => WindowAxis.PadBefore(H.Value, K.Value, S.Value, TPadding.IsSame);
    public static int PadLeft => WindowAxis.PadBefore(W.Value, K.Value, S.Value, TPadding.IsSame);
}

/// <summary>Lengths of a convolution shape type, for tests.</summary>
public static class ConvLengths<T> where T : struct, IConv2DShape
{
    public static int InputLength => T.InHeight * T.InWidth * T.InChannels;
    public static int OutputLength => T.OutHeight * T.OutWidth * T.OutChannels;
    public static int WeightLength => T.Patch * T.Patch * T.InChannels * T.OutChannels;
}

/// <summary>Lengths of a pooling shape type, for tests.</summary>
public static class PoolLengths<T> where T : struct, IPoolShape
{
    public static int InputLength => T.InHeight * T.InWidth * T.Channels;
    public static int OutputLength => T.OutHeight * T.OutWidth * T.Channels;
}

/// <summary>Runs a test's generic method for a shape type given as theory data.</summary>
public static class ForShape
{
    public static void Run(Type owner, string method, Type shape, params object?[] arguments)
    {
        var generic = owner.GetMethod(method, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{owner.Name} has no static method {method}.");
        try { generic.MakeGenericMethod(shape).Invoke(null, arguments); }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }
}
