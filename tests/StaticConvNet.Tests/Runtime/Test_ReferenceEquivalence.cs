using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Runtime;

/// <summary>Generated networks compute what the naive double-precision reference computes: logits, and
/// gradients equal to the reference's finite differences, for odd shapes (VALID, stride 3, 1x1, non-square,
/// 3 channels, SIMD tails) and for the notebook models.</summary>
public class Test_ReferenceEquivalence
{
    public static TheoryData<string> Cases => new(ReferenceNets.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameter_count_matches_the_reference_layout(string name)
    {
        var c = ReferenceNets.All[name];
        c.Create().ParameterCount.ShouldBe(c.Reference.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_reference(string name)
    {
        var c = ReferenceNets.All[name];
        var (network, images, _) = ReferenceNets.Setup(c, batch: 2);
        var parameters = network.Parameters.ToArray().Select(v => (double)v).ToArray();
        var logits = new float[network.OutputLength];
        for (var n = 0; n < 2; n++)
        {
            var image = images.AsSpan(n * network.InputLength, network.InputLength);
            network.Forward(image, logits);
            var expected = c.Reference.WithState(network.State).Logits(parameters, image);
            for (var k = 0; k < logits.Length; k++)
            {
                // Float sums of a few thousand products of O(0.3) terms: relative error ~1e-6; 1e-4 leaves margin.
                Tolerance.Difference(logits[k], expected[k]).ShouldBeLessThan(1e-4 + 1e-4 * Math.Abs(expected[k]), $"logit {k} of image {n}");
            }
        }
    }

    /// <summary>The finite-difference gradient check, done in double: the float analytic gradient of every
    /// layer kind and every model (training mode, dropout masks included) against central differences of the
    /// double-precision reference loss (h = 1e-6; truncation ~1e-12 and rounding ~1e-10, so the reference
    /// is exact to far below the tolerance, and ReLU/max-pool kinks within ±1e-6 are vanishingly rare).
    /// Tolerance 2e-5 absolute + 2e-3 relative: float sums over up to a few thousand products carry ~1e-6
    /// relative error; the absolute term covers gradients that are sums of cancelling terms. A wrong gradient
    /// (missed term, transposed index, wrong padding offset) is off by tens of percent.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_finite_differences_of_the_reference_in_double(string name)
    {
        var c = ReferenceNets.All[name];
        const int batch = 3; // odd: the two gradient shards get unequal halves
        var (network, images, labels) = ReferenceNets.Setup(c, batch, parameterScale: name.StartsWith("arch") ? 0.1f : 0.3f);
        network.DropoutSeed = 11;
        network.DropoutStep = 4;
        var reference = new ReferenceNet.Pass(0, Training: true, DropoutSeed: 11, DropoutStep: 4);
        var parameters = network.Parameters.ToArray().Select(v => (double)v).ToArray();
        network.ComputeGradients(images, labels, batch);
        var gradients = network.Gradients.ToArray();
        var trainingReference = c.Reference.InTraining(reference);

        // The models get fewer samples (each costs two double-precision passes over the batch); LeNet-5, the one
        // reference net with stacked VALID convolutions and average pooling, gets more than they do.
        foreach (var index in SampleIndices(parameters.Length, name.StartsWith("arch") ? 40 : name == "ClassicLeNet5" ? 120 : 400))
        {
            var expected = trainingReference.Gradient(parameters, images, labels, index);
            Tolerance.Difference(gradients[index], expected).ShouldBeLessThan(2e-5 + 2e-3 * Math.Abs(expected), $"parameter {index}");
        }
    }

    [Theory]
    [InlineData("Dropout")]
    [InlineData("arch4")]
    public void Training_loss_with_dropout_matches_reference(string name)
    {
        var c = ReferenceNets.All[name];
        var (network, images, labels) = ReferenceNets.Setup(c, batch: 3, parameterScale: 0.1f);
        network.DropoutSeed = 3;
        network.DropoutStep = 9;
        var parameters = network.Parameters.ToArray().Select(v => (double)v).ToArray();
        var loss = network.ComputeLoss(images, labels, 3, training: true);
        var expected = c.Reference.InTraining(new ReferenceNet.Pass(0, true, 3, 9)).Loss(parameters, images, labels);
        ((double)loss).ShouldBe(expected, 1e-4 + 1e-4 * loss);
        Math.Abs(network.ComputeLoss(images, labels, 3) - expected).ShouldBeGreaterThan(1e-3, "inference has no dropout");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_matches_reference(string name)
    {
        var c = ReferenceNets.All[name];
        var (network, images, labels) = ReferenceNets.Setup(c, batch: 3);
        var parameters = network.Parameters.ToArray().Select(v => (double)v).ToArray();
        var loss = network.ComputeLoss(images, labels, 3);
        ((double)loss).ShouldBe(c.Reference.WithState(network.State).Loss(parameters, images, labels), 1e-4 + 1e-4 * loss);
    }

    /// <summary>Every index when there are few, else a seeded sample that always includes both ends.</summary>
    internal static IEnumerable<int> SampleIndices(int count, int most)
    {
        if (count <= most) return Enumerable.Range(0, count);
        var random = new Random(count);
        return Enumerable.Range(0, most - 2).Select(_ => random.Next(count)).Append(0).Append(count - 1).Distinct();
    }
}
