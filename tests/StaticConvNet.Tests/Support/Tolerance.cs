namespace StaticConvNet.Tests.Support;

/// <summary>Comparisons with a tolerance that cannot pass by accident: <c>Math.Abs(a - b).ShouldBeLessThan(t)</c>
/// passes when either side is NaN (NaN compares below every number), so a kernel that produced NaN would pass.</summary>
public static class Tolerance
{
    /// <summary>|actual − expected|, or +∞ when either is not finite.</summary>
    public static double Difference(double actual, double expected)
        => double.IsFinite(actual) && double.IsFinite(expected) ? Math.Abs(actual - expected) : double.PositiveInfinity;
}
