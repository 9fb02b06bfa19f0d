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
    public void Arrays_made_right_after_one_share_none_of_its_cache_lines(int length)
    {
        // Pinned arrays made in a row lie side by side: with room only for the floats before the first line, a length
        // that ended inside a line shared that line with the next array's first floats.
        for (var round = 0; round < 64; round++)
        {
            var floats = new AlignedFloats(length);
            var next = GC.AllocateArray<float>(4, pinned: true);
            var last = Address(floats.Span.Slice(length - 1)) / Line;
            for (var i = 0; i < next.Length; i++) (Address(next.AsSpan(i)) / Line).ShouldNotBe(last, $"round {round}, float {i}");
            GC.KeepAlive(next);
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
