using System.Buffers.Binary;
using StaticConvNet.Data;
using StaticConvNet.Tests.Support;

namespace StaticConvNet.Tests.Data;

/// <summary>A JPEG's EXIF orientation (a phone's portrait photo is stored sideways with tag 0x0112 = 6): the image
/// loads as displayed, its header's size turned with it; a damaged tag leaves it as stored.</summary>
public class Test_ExifOrientation
{
    private const int Width = 8, Height = 6;

    /// <summary>The JPEG with an APP1 Exif segment, right after its start-of-image marker, whose first directory holds
    /// the orientation (little- or big-endian TIFF).</summary>
    private static byte[] WithOrientation(byte[] jpeg, ushort orientation, bool bigEndian = false)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        void U16(int at, ushort v) { if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), v); else BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), v); }
        void U32(int at, uint v) { if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at), v); else BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at), v); }
        (tiff[0], tiff[1]) = bigEndian ? ((byte)'M', (byte)'M') : ((byte)'I', (byte)'I');
        U16(2, 42);
        U32(4, 8);                       // the first directory
        U16(8, 1);                       // one entry
        U16(10, 0x0112); U16(12, 3); U32(14, 1); U16(18, orientation);
        byte[] data = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + data.Length];
        (segment[0], segment[1]) = (0xFF, 0xE1);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + data.Length));
        data.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static byte[] Jpeg(Scn.TempFolder folder)
        => File.ReadAllBytes(TestImages.WriteColour(folder["stored.jpg"], Width, Height, (x, y) => ((byte)(x * 30), (byte)(y * 40), (byte)(x * y * 5))));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_jpeg_loads_as_its_orientation_displays_it(int orientation)
    {
        using var folder = new Scn.TempFolder();
        var stored = ImageFile.Decode(Jpeg(folder), "stored.jpg", 3);
        var tagged = WithOrientation(Jpeg(folder), (ushort)orientation, bigEndian: orientation % 2 == 0);
        var shown = ImageFile.Decode(tagged, "shown.jpg", 3);
        var turned = orientation >= 5;
        (shown.Width, shown.Height).ShouldBe(turned ? (Height, Width) : (Width, Height));
        (ImageFile.ReadHeader(tagged, "shown.jpg").Width, ImageFile.ReadHeader(tagged, "shown.jpg").Height).ShouldBe((shown.Width, shown.Height));
        // Each displayed pixel (row r, column c) is the stored one TIFF 6.0's orientation puts there.
        for (var r = 0; r < shown.Height; r++)
        for (var c = 0; c < shown.Width; c++)
        {
            var (row, column) = orientation switch
            {
                2 => (r, Width - 1 - c), 3 => (Height - 1 - r, Width - 1 - c), 4 => (Height - 1 - r, c),
                5 => (c, r), 6 => (Height - 1 - c, r), 7 => (Height - 1 - c, Width - 1 - r), _ => (c, Width - 1 - r),
            };
            for (var k = 0; k < 3; k++)
                shown.Data[(r * shown.Width + c) * 3 + k].ShouldBe(stored.Data[(row * Width + column) * 3 + k], $"orientation {orientation}, pixel ({r}, {c})");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(9)]
    public void Upright_or_an_orientation_that_is_not_one_loads_as_stored(int orientation)
    {
        using var folder = new Scn.TempFolder();
        var stored = ImageFile.Decode(Jpeg(folder), "stored.jpg", 3);
        var shown = ImageFile.Decode(WithOrientation(Jpeg(folder), (ushort)orientation), "shown.jpg", 3);
        (shown.Width, shown.Height).ShouldBe((Width, Height));
        shown.Data.ShouldBe(stored.Data);
    }

    [Fact]
    public void A_portrait_photo_in_a_folder_loads_upright_at_the_networks_size()
    {
        using var folder = new Scn.TempFolder();
        foreach (var name in new[] { "a", "b" })
        {
            Directory.CreateDirectory(folder[$"photos/{name}"]);
            File.WriteAllBytes(folder[$"photos/{name}/0.jpg"], WithOrientation(Jpeg(folder), 6));
            File.WriteAllBytes(folder[$"photos/{name}/1.jpg"], WithOrientation(Jpeg(folder), 6));
        }
        // Displayed 6 wide and 8 high: exactly the network's size, no --resize needed.
        var loaded = ImageFolder.Load(folder["photos"], new LoadOptions(ValidFraction: 0.5, Shape: new LayerShape(Width, Height, 3)));
        (loaded.Train.Count, loaded.Valid!.Count).ShouldBe((2, 2));
    }
}
