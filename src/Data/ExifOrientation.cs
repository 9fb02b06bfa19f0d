using System.Buffers.Binary;

namespace StaticConvNet.Data;

/// <summary>The orientation a JPEG from a phone or camera carries (EXIF tag 0x0112 in the first image directory of its
/// APP1 "Exif" segment): the pixels are stored as the sensor read them, and the tag says how to turn them for display.
/// stb_image ignores it, so a portrait photo would load on its side and `--resize` would then squash it. 1 (or no
/// tag) is upright; 2 to 8 mirror and/or turn the image (TIFF 6.0's numbering).</summary>
internal static class ExifOrientation
{
    /// <summary>The orientation of a JPEG whose segments <see cref="ImageFile"/> has checked: 1 to 8; 1 where it has
    /// none, or one that cannot be read (a damaged tag is no reason to refuse the pixels).</summary>
    public static int Of(ReadOnlySpan<byte> jpeg)
    {
        // The segments before the first scan; each was checked to fit in the file.
        for (var at = 2; at + 4 <= jpeg.Length && jpeg[at] == 0xFF;)
        {
            var marker = jpeg[at + 1];
            if (marker is 0xDA or 0xD9) break;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8) or 0xFF) { at += marker == 0xFF ? 1 : 2; continue; }
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            if (length < 2 || at + 2 + length > jpeg.Length) break;
            var segment = jpeg.Slice(at + 4, length - 2);
            if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8)) return FromTiff(segment[6..]);
            at += 2 + length;
        }
        return 1;
    }

    /// <summary>The orientation tag of a TIFF structure's first directory (EXIF's layout), or 1.</summary>
    private static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return 1;
        var little = tiff[0] == (byte)'I' && tiff[1] == (byte)'I';
        if (!little && !(tiff[0] == (byte)'M' && tiff[1] == (byte)'M')) return 1;
        if (U16(tiff, 2, little) != 42) return 1;
        var directory = U32(tiff, 4, little);
        if (directory > (uint)tiff.Length - 2) return 1;
        var entries = U16(tiff, (int)directory, little);
        for (var i = 0; i < entries; i++)
        {
            var entry = (long)directory + 2 + 12L * i;
            if (entry + 12 > tiff.Length) return 1;
            // Tag 0x0112, of type SHORT (3): its value in the entry's first two value bytes.
            if (U16(tiff, (int)entry, little) != 0x0112) continue;
            return U16(tiff, (int)entry + 2, little) == 3 && U16(tiff, (int)entry + 8, little) is var value && value is >= 1 and <= 8 ? value : 1;
        }
        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> tiff, int at, bool little)
        => little ? BinaryPrimitives.ReadUInt16LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt16BigEndian(tiff[at..]);

    private static uint U32(ReadOnlySpan<byte> tiff, int at, bool little)
        => little ? BinaryPrimitives.ReadUInt32LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt32BigEndian(tiff[at..]);

    /// <summary>Whether the orientation turns the image a quarter (5 to 8): its displayed width is the stored height.</summary>
    public static bool Turns(int orientation) => orientation >= 5;

    /// <summary>HWC pixels stored <paramref name="height"/> x <paramref name="width"/>, as displayed: for each displayed
    /// pixel, the stored one the orientation puts there.</summary>
    public static byte[] Apply(byte[] stored, int height, int width, int channels, int orientation)
    {
        if (orientation == 1) return stored;
        var (shownHeight, shownWidth) = Turns(orientation) ? (width, height) : (height, width);
        var shown = new byte[stored.Length];
        for (var y = 0; y < shownHeight; y++)
        {
            for (var x = 0; x < shownWidth; x++)
            {
                var (sy, sx) = orientation switch
                {
                    2 => (y, width - 1 - x),                  // mirrored left to right
                    3 => (height - 1 - y, width - 1 - x),     // turned half round
                    4 => (height - 1 - y, x),                 // mirrored top to bottom
                    5 => (x, y),                              // transposed
                    6 => (height - 1 - x, y),                 // to be turned a quarter clockwise
                    7 => (height - 1 - x, width - 1 - y),     // transposed the other way
                    _ => (x, width - 1 - y),                  // 8: to be turned a quarter anticlockwise
                };
                stored.AsSpan((sy * width + sx) * channels, channels).CopyTo(shown.AsSpan((y * shownWidth + x) * channels));
            }
        }
        return shown;
    }
}
