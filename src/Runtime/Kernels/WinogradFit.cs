namespace StaticConvNet.Kernels;

/// <summary>Which convolution shapes the Winograd kernels take, written once: the runtime's kernels ask it of their
/// shape struct, and the generator (which compiles this same file: it cannot reference the runtime) asks it of a
/// layer to decide whether the network keeps Winograd weights for it.</summary>
public static class WinogradFit
{
    /// <summary>F(2×2, 5×5), forward and both gradients: stride 1, a 5×5 patch, input and output channels in whole
    /// 16-float blocks, at least one 2×2 tile of output.</summary>
    public static bool TwoByTwoFiveByFive(int stride, int patch, int inChannels, int outChannels, int outHeight, int outWidth)
        => stride == 1 && patch == 5 && inChannels % 16 == 0 && outChannels % 16 == 0 && outHeight >= 2 && outWidth >= 2;

    /// <summary>F(4×4, 5×5) in place of F(2×2, 5×5) (where the machine has a fused multiply-add): the same layers, for
    /// each pass whose result holds at least one 4×4 tile (the input gradient's result is the layer's input).</summary>
    public static bool FourByFourFiveByFive(int stride, int patch, int inChannels, int outChannels, int outHeight, int outWidth)
        => TwoByTwoFiveByFive(stride, patch, inChannels, outChannels, outHeight, outWidth) && outHeight >= 4 && outWidth >= 4;

    /// <summary>The strided F(4×4, 3×3) over the input's four pixel phases, forward only: stride 2, a 5×5 patch,
    /// channels in whole 16-float blocks, at least one 4×4 tile of output.</summary>
    public static bool StridedFourByFour(int stride, int patch, int inChannels, int outChannels, int outHeight, int outWidth)
        => stride == 2 && patch == 5 && inChannels % 16 == 0 && outChannels % 16 == 0 && outHeight >= 4 && outWidth >= 4;
}
