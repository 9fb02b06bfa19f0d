using StaticConvNet.Data;

namespace StaticConvNet.Tests.Data;

/// <summary>Resizing as Pillow's and torchvision's antialiased bilinear filter does, checked on values worked by hand.</summary>
public class Test_ImageResize
{
    [Fact]
    public void Halving_a_row_averages_with_a_triangle_twice_as_wide()
    {
        // Target pixel 0 has its centre at source 1.0 and reads pixels 0, 1, 2 with weights 0.75, 0.75, 0.25 (sum 1.75);
        // target pixel 1 (centre 3.0) reads 1, 2, 3 with 0.25, 0.75, 0.75.
        var target = new float[2];
        ImageResize.Resize([0, 100, 200, 255], 1, 4, target, 1, 2, 1);
        target[0].ShouldBe((0 * 0.75f + 100 * 0.75f + 200 * 0.25f) / 1.75f, 1e-4f);
        target[1].ShouldBe((100 * 0.25f + 200 * 0.75f + 255 * 0.75f) / 1.75f, 1e-4f);
    }

    [Fact]
    public void Doubling_a_column_interpolates_between_neighbours()
    {
        // Enlarging: the triangle is one source pixel wide; target centres fall at 0.25, 0.75, 1.25, 1.75.
        var target = new float[4];
        ImageResize.Resize([0, 100], 2, 1, target, 4, 1, 1);
        target.ShouldBe([0f, 25f, 75f, 100f], tolerance: 1e-4f);
    }

    [Fact]
    public void A_flat_colour_stays_flat_at_any_size_and_channels_stay_apart()
    {
        var source = Enumerable.Range(0, 7 * 5).SelectMany(_ => new byte[] { 10, 200, 90 }).ToArray();
        var target = new float[3 * 4 * 3];
        ImageResize.Resize(source, 7, 5, target, 3, 4, 3);
        for (var i = 0; i < target.Length; i += 3) target.AsSpan(i, 3).ToArray().ShouldBe([10f, 200f, 90f], tolerance: 1e-3f);
    }
}
