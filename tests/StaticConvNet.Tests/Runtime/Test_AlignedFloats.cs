using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StaticConvNet.Kernels;
using StaticConvNet.Models;

namespace StaticConvNet.Tests.Runtime;

/// <summary><see cref="AlignedFloats"/>: its floats start on a cache line and no other buffer's floats share its lines,
/// so that parts of it two cores write (starting at multiples of 16 floats) never share a line either.</summary>
public sealed class Test_AlignedFloats
{
    private const int Line = 64;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(1001)]
    public void Floats_start_on_a_cache_line_and_are_zero(int length)
    {
        var floats = new AlignedFloats(length);
        floats.Length.ShouldBe(length);
        floats.Span.Length.ShouldBe(length);
        if (length > 0) (Address(floats.Span) % Line).ShouldBe(0);
        floats.Span.ToArray().ShouldAllBe(v => v == 0f);
        if (length > 16) (Address(floats.Slice(16, length - 16)) % Line).ShouldBe(0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(30)]
    [InlineData(1001)]
    public void The_last_cache_line_the_floats_touch_lies_inside_their_own_array(int length)
    {
        // Then no other object's header or floats can share it, wherever the heap puts the next one. With room only
        // for the floats before the first line, a length that ended inside a line left the rest of that line to the
        // next object. (The array is private; the property is about it, so the test reads it.)
        var arrayField = typeof(AlignedFloats).GetField("_array", BindingFlags.NonPublic | BindingFlags.Instance)!;
        for (var round = 0; round < 64; round++)
        {
            var floats = new AlignedFloats(length);
            var array = (float[])arrayField.GetValue(floats)!;
            var lastLineEnd = (Address(floats.Span.Slice(length - 1)) / Line + 1) * Line;
            var arrayEnd = Address(array.AsSpan()) + (long)array.Length * sizeof(float);
            lastLineEnd.ShouldBeLessThanOrEqualTo(arrayEnd, $"round {round}");
            Address(floats.Span).ShouldBeGreaterThanOrEqualTo(Address(array.AsSpan()));
        }
    }

    [Fact]
    public void A_slice_outside_the_floats_throws_even_where_the_array_has_room()
    {
        var floats = new AlignedFloats(17);
        floats.Slice(17, 0).Length.ShouldBe(0);
        Should.Throw<ArgumentOutOfRangeException>(() => floats.Slice(10, 8));
        Should.Throw<ArgumentOutOfRangeException>(() => floats.Slice(18, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => floats.Slice(-1, 1));
    }

    [Fact]
    public void A_networks_gradients_and_each_cores_half_of_them_start_on_a_cache_line()
    {
        var network = new Arch3ThreeBlocks();
        (Address(network.Gradients) % Line).ShouldBe(0);
        var (start, length) = BatchRunner.ParameterHalf(Arch3ThreeBlocks.ParameterCount, 1);
        (Address(network.Gradients.Slice(start, length)) % Line).ShouldBe(0);
    }

    // The first float's address (its distance from address 0): the buffers are pinned, so it holds while the test reads it.
    private static long Address(Span<float> span) => Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(span));
}
