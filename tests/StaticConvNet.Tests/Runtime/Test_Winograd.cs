using System.Runtime.Intrinsics;
using StaticConvNet.Kernels;
using StaticConvNet.Models;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Stride-1 Winograd against a direct sum in double, forward, input and weight gradients, at shapes that hit its
/// cases. F(4×4, 5×5) (each pass whose result holds a 4×4 tile, with a fused multiply-add): the notebook's 14×14 layer
/// (two bands of two tile rows), odd sizes whose last tile overlaps the one before (9×7, and 7×9 with two
/// output-channel registers), 11×10 (its second band of two tile rows moves up one row to end at the bottom), a 28×28
/// layer (seven bands). F(2×2, 5×5) (where an output side is 2 or 3; without a fused multiply-add, at every shape): a
/// VALID layer two pixels wide, a row of 27 tiles (two register blocks, the second overlapping), a layer three pixels
/// high, 17 wide, with two output registers (a last tile overlapping in both directions), and one 13 high, 3 wide (its
/// last band of three tile rows moves up). The same
/// for the strided F(4×4, 3×3) over pixel phases (forward; its backward pass is direct): arch1's 14×14 → 7×7 layer, odd
/// SAME sizes with two output registers and an overlapping last band, a VALID layer, and a 56×56 → 28×28 layer in
/// seven bands. Run at every SIMD tier (CI runs them at AVX-512, AVX2 and 128-bit); skipped only without SIMD.</summary>
public class Test_Winograd
{
    private readonly struct Notebook14 : IConv2DShape
    {
        public static int InHeight => 14; public static int InWidth => 14; public static int InChannels => 16;
        public static int OutHeight => 14; public static int OutWidth => 14; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 2; public static int PadLeft => 2;
    }

    private readonly struct Odd7By9TwoRegisters : IConv2DShape
    {
        public static int InHeight => 7; public static int InWidth => 9; public static int InChannels => 16;
        public static int OutHeight => 7; public static int OutWidth => 9; public static int OutChannels => 32;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 2; public static int PadLeft => 2;
    }

    private readonly struct ValidTwoWide : IConv2DShape
    {
        public static int InHeight => 9; public static int InWidth => 6; public static int InChannels => 32;
        public static int OutHeight => 5; public static int OutWidth => 2; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 0; public static int PadLeft => 0;
    }

    private readonly struct Odd9By7 : IConv2DShape
    {
        public static int InHeight => 9; public static int InWidth => 7; public static int InChannels => 16;
        public static int OutHeight => 9; public static int OutWidth => 7; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 2; public static int PadLeft => 2;
    }

    private readonly struct ValidRowOfTwoBlocks : IConv2DShape
    {
        public static int InHeight => 6; public static int InWidth => 58; public static int InChannels => 16;
        public static int OutHeight => 2; public static int OutWidth => 54; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 0; public static int PadLeft => 0;
    }

    private readonly struct ValidThreeHighTwoRegisters : IConv2DShape
    {
        public static int InHeight => 7; public static int InWidth => 21; public static int InChannels => 16;
        public static int OutHeight => 3; public static int OutWidth => 17; public static int OutChannels => 32;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 0; public static int PadLeft => 0;
    }

    private readonly struct Odd11By10OverlappingBands : IConv2DShape
    {
        public static int InHeight => 11; public static int InWidth => 10; public static int InChannels => 16;
        public static int OutHeight => 11; public static int OutWidth => 10; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 2; public static int PadLeft => 2;
    }

    private readonly struct ValidThirteenHighOverlappingBands : IConv2DShape
    {
        public static int InHeight => 17; public static int InWidth => 7; public static int InChannels => 16;
        public static int OutHeight => 13; public static int OutWidth => 3; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 0; public static int PadLeft => 0;
    }

    private readonly struct Large28 : IConv2DShape
    {
        public static int InHeight => 28; public static int InWidth => 28; public static int InChannels => 16;
        public static int OutHeight => 28; public static int OutWidth => 28; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 1; public static int PadTop => 2; public static int PadLeft => 2;
    }

    private readonly struct StridedNotebook14 : IConv2DShape
    {
        public static int InHeight => 14; public static int InWidth => 14; public static int InChannels => 16;
        public static int OutHeight => 7; public static int OutWidth => 7; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 2; public static int PadTop => 1; public static int PadLeft => 1;
    }

    private readonly struct StridedOdd19By17TwoRegisters : IConv2DShape
    {
        public static int InHeight => 19; public static int InWidth => 17; public static int InChannels => 32;
        public static int OutHeight => 10; public static int OutWidth => 9; public static int OutChannels => 32;
        public static int Patch => 5; public static int Stride => 2; public static int PadTop => 2; public static int PadLeft => 2;
    }

    private readonly struct StridedValid : IConv2DShape
    {
        public static int InHeight => 13; public static int InWidth => 11; public static int InChannels => 16;
        public static int OutHeight => 5; public static int OutWidth => 4; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 2; public static int PadTop => 0; public static int PadLeft => 0;
    }

    private readonly struct StridedLarge56 : IConv2DShape
    {
        public static int InHeight => 56; public static int InWidth => 56; public static int InChannels => 16;
        public static int OutHeight => 28; public static int OutWidth => 28; public static int OutChannels => 16;
        public static int Patch => 5; public static int Stride => 2; public static int PadTop => 1; public static int PadLeft => 1;
    }

    [SkippableFact]
    public void Notebook_layer_matches_a_direct_sum() => MatchesDirectSum<Notebook14>();

    [SkippableFact]
    public void Strided_notebook_layer_matches_a_direct_sum() => MatchesDirectSum<StridedNotebook14>();

    [SkippableFact]
    public void Strided_odd_sizes_and_two_output_registers_match_a_direct_sum() => MatchesDirectSum<StridedOdd19By17TwoRegisters>();

    [SkippableFact]
    public void Strided_valid_layer_matches_a_direct_sum() => MatchesDirectSum<StridedValid>();

    [SkippableFact]
    public void Strided_layer_of_seven_bands_matches_a_direct_sum() => MatchesDirectSum<StridedLarge56>();

    [SkippableFact]
    public void Odd_sizes_and_two_output_registers_match_a_direct_sum() => MatchesDirectSum<Odd7By9TwoRegisters>();

    [SkippableFact]
    public void Valid_layer_two_pixels_wide_matches_a_direct_sum() => MatchesDirectSum<ValidTwoWide>();

    [SkippableFact]
    public void Layer_of_seven_bands_matches_a_direct_sum() => MatchesDirectSum<Large28>();

    [SkippableFact]
    public void Valid_layer_three_pixels_high_matches_a_direct_sum() => MatchesDirectSum<ValidThreeHighTwoRegisters>();

    [SkippableFact]
    public void Odd_sizes_nine_by_seven_match_a_direct_sum() => MatchesDirectSum<Odd9By7>();

    [SkippableFact]
    public void Four_by_four_tiles_with_an_overlapping_last_band_match_a_direct_sum() => MatchesDirectSum<Odd11By10OverlappingBands>();

    [SkippableFact]
    public void Two_by_two_tiles_with_an_overlapping_last_band_match_a_direct_sum() => MatchesDirectSum<ValidThirteenHighOverlappingBands>();

    [SkippableFact]
    public void Row_of_two_overlapping_register_blocks_matches_a_direct_sum() => MatchesDirectSum<ValidRowOfTwoBlocks>();

    private static void MatchesDirectSum<T>() where T : struct, IConv2DShape
    {
        Skip.IfNot(Vector128.IsHardwareAccelerated, "Winograd runs on every SIMD width; without SIMD the direct kernels run instead.");
        var input = ReferenceNets.Random(T.InHeight * T.InWidth * T.InChannels, 1, 1f);
        var weights = ReferenceNets.Random(25 * T.InChannels * T.OutChannels, 2, 0.5f);
        var bias = ReferenceNets.Random(T.OutChannels, 3, 0.5f);
        var outputGradient = ReferenceNets.Random(T.OutHeight * T.OutWidth * T.OutChannels, 4, 1f);
        var expected = DirectSums<T>(input, weights, bias, outputGradient);

        var winograd = new WinogradWeights<T>();
        winograd.Active.ShouldBeTrue();
        winograd.ActiveBackward.ShouldBe(T.Stride == 1);
        var flipped = new float[weights.Length];
        Conv2D.FlipWeights<T>(weights, flipped);
        winograd.PrepareForward(weights);
        winograd.PrepareBackward(flipped);

        var output = new float[outputGradient.Length];
        Conv2D.Forward<T, StoreAsIs>(input, weights, bias, output, winograd);
        var (inputGradient, weightGradient, biasGradient) = (new float[input.Length], new float[weights.Length], new float[T.OutChannels]);
        Conv2D.Backward<T>(input, weights, flipped, outputGradient, inputGradient, weightGradient, biasGradient, winograd);

        // F(4×4, 5×5) takes a stride-1 result with a 4×4 tile where the machine has a fused multiply-add (Winograd4x4.Runs,
        // WinogradFit's rule); the input gradient's result is the layer's input.
        var fused = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        bool outputByFourByFour = fused && T.Stride == 1 && T.OutHeight >= 4 && T.OutWidth >= 4;
        bool inputGradientByFourByFour = fused && T.Stride == 1 && T.InHeight >= 4 && T.InWidth >= 4;
        ShouldMatch(output, expected.Output, "output", outputByFourByFour ? FourByFourTolerance : WinogradTolerance);
        ShouldMatch(inputGradient, expected.InputGradient, "input gradient", inputGradientByFourByFour ? FourByFourTolerance : WinogradTolerance);
        ShouldMatch(weightGradient, expected.WeightGradient, "weight gradient", WinogradTolerance);
        if (T.Stride == 1) MatchesDirectWeightGradient<T>(input, outputGradient, expected.WeightGradient);

        // The fused ReLU is the same values through max(x, 0).
        var relu = new float[output.Length];
        Conv2D.Forward<T, StoreRelu>(input, weights, bias, relu, winograd);
        relu.ShouldBe(output.Select(v => Math.Max(v, 0f)).ToArray());
    }

    private static void MatchesDirectWeightGradient<T>(float[] input, float[] outputGradient, Exact expected) where T : struct, IConv2DShape
    {
        // Backward takes Winograd's weight gradient only where it pays (Winograd.PaysForWeightGradient): run it at every
        // shape, where odd sizes have a last tile reading zeros past the edge. It adds to what is there.
        var byWinograd = Enumerable.Repeat(1f, expected.Values.Length).ToArray();
        Winograd.WeightGradient<T>(input, outputGradient, byWinograd);
        ShouldMatch(byWinograd, new Exact(expected.Values.Select(v => v + 1).ToArray(), expected.Magnitudes.Select(m => m + 1).ToArray()), "Winograd weight gradient", WinogradTolerance);
    }

    [SkippableFact]
    public void Changed_weights_are_transformed_again_and_unchanged_ones_give_the_same_bits()
    {
        Skip.IfNot(Vector128.IsHardwareAccelerated, "Winograd runs on every SIMD width, not without SIMD.");
        var input = ReferenceNets.Random(14 * 14 * 16, 1, 1f);
        var weights = ReferenceNets.Random(25 * 16 * 16, 2, 0.5f);
        var bias = new float[16];
        var winograd = new WinogradWeights<Notebook14>();
        float[] Run()
        {
            winograd.PrepareForward(weights);
            var output = new float[14 * 14 * 16];
            Conv2D.Forward<Notebook14, StoreAsIs>(input, weights, bias, output, winograd);
            return output;
        }

        var first = Run();
        Run().ShouldBe(first);
        // One weight of one kernel changes: the outputs it reaches change as a fresh transform says they should.
        weights[(12 * 16 + 3) * 16 + 5] += 1f;
        var changed = Run();
        var fresh = new WinogradWeights<Notebook14>();
        fresh.PrepareForward(weights);
        var expected = new float[changed.Length];
        Conv2D.Forward<Notebook14, StoreAsIs>(input, weights, bias, expected, fresh);
        changed.ShouldBe(expected);
        changed.ShouldNotBe(first);
        // −0 for +0 is a change of bits too: it is not skipped.
        weights[0] = 0f;
        Run();
        weights[0] = -0f;
        Run().ShouldBe(Run());
    }

    [SkippableFact]
    public void A_network_whose_weights_change_between_calls_predicts_with_the_new_ones()
    {
        Skip.IfNot(Vector128.IsHardwareAccelerated, "Winograd runs on every SIMD width, not without SIMD.");
        var network = new Arch2ConvPool();
        network.InitializeParameters(3);
        var image = ReferenceNets.Random(Arch2ConvPool.InputLength, 4, 0.5f);
        var before = new float[Arch2ConvPool.OutputLength];
        network.Forward(image, before);

        // conv2's weights change through Parameters, as an optimizer or a loaded checkpoint changes them.
        var conv2 = network.Parameters.Slice(Arch2ConvPool.Conv2WeightsOffset, Arch2ConvPool.Conv2WeightsLength);
        for (var i = 0; i < conv2.Length; i += 7) conv2[i] *= -2f;
        var after = new float[Arch2ConvPool.OutputLength];
        network.Forward(image, after);

        var fresh = new Arch2ConvPool();
        network.Parameters.CopyTo(fresh.Parameters);
        var expected = new float[Arch2ConvPool.OutputLength];
        fresh.Forward(image, expected);
        after.ShouldBe(expected);
        after.ShouldNotBe(before);
    }

    [SkippableFact]
    public void Weights_used_before_they_are_prepared_are_refused()
    {
        Skip.IfNot(Vector128.IsHardwareAccelerated, "Winograd runs on every SIMD width, not without SIMD.");
        var winograd = new WinogradWeights<Notebook14>();
        var error = Should.Throw<InvalidOperationException>(() =>
            Conv2D.Forward<Notebook14, StoreAsIs>(new float[14 * 14 * 16], new float[25 * 16 * 16], new float[16], new float[14 * 14 * 16], winograd));
        error.Message.ShouldContain("PrepareForward");
    }

    /// <summary>Each value in double, with the sum of its terms' magnitudes: the scale any fp32 rounding error is relative to.</summary>
    private readonly record struct Exact(double[] Values, double[] Magnitudes);

    private static (Exact Output, Exact InputGradient, Exact WeightGradient) DirectSums<T>(float[] input, float[] weights, float[] bias, float[] outputGradient)
        where T : struct, IConv2DShape
    {
        Exact Zeros(int n) => new(new double[n], new double[n]);
        var (output, inputGradient, weightGradient) = (Zeros(outputGradient.Length), Zeros(input.Length), Zeros(weights.Length));
        void Add(Exact e, int i, double term) { e.Values[i] += term; e.Magnitudes[i] += Math.Abs(term); }
        for (var oy = 0; oy < T.OutHeight; oy++)
        for (var ox = 0; ox < T.OutWidth; ox++)
        for (var o = 0; o < T.OutChannels; o++)
        {
            var pixel = (oy * T.OutWidth + ox) * T.OutChannels + o;
            Add(output, pixel, bias[o]);
            for (var ky = 0; ky < T.Patch; ky++)
            for (var kx = 0; kx < T.Patch; kx++)
            {
                int iy = oy * T.Stride - T.PadTop + ky, ix = ox * T.Stride - T.PadLeft + kx;
                if (iy < 0 || iy >= T.InHeight || ix < 0 || ix >= T.InWidth) continue;
                for (var c = 0; c < T.InChannels; c++)
                {
                    int x = (iy * T.InWidth + ix) * T.InChannels + c, w = ((ky * T.Patch + kx) * T.InChannels + c) * T.OutChannels + o;
                    Add(output, pixel, (double)input[x] * weights[w]);
                    Add(inputGradient, x, (double)weights[w] * outputGradient[pixel]);
                    Add(weightGradient, w, (double)input[x] * outputGradient[pixel]);
                }
            }
        }
        return (output, inputGradient, weightGradient);
    }

    /// <summary>Results within 1e-5 of their terms' magnitudes (10–40 times the direct kernels' rounding here; a wrong
    /// transform coefficient is off by a good part of the value itself).</summary>
    private const double WinogradTolerance = 1e-5;

    /// <summary>F(4×4, 5×5)'s results within 3e-5: its transforms mix a whole 8×8 window into every output, so one whose
    /// own terms are small (near a VALID layer's border, in its input gradient) carries rounding from its neighbours'
    /// larger ones: 1.1e-5 there; elsewhere 1e-6 to 7e-6, the same range as F(2×2, 5×5)'s.</summary>
    private const double FourByFourTolerance = 3e-5;

    private static void ShouldMatch(float[] actual, Exact expected, string what, double tolerance)
    {
        actual.Length.ShouldBe(expected.Values.Length);
        for (var i = 0; i < actual.Length; i++)
        {
            if (Tolerance.Difference(actual[i], expected.Values[i]) > tolerance * expected.Magnitudes[i])
                throw new ShouldAssertException($"{what}[{i}] is {actual[i]}, expected {expected.Values[i]} (terms' magnitudes {expected.Magnitudes[i]})");
        }
    }
}
