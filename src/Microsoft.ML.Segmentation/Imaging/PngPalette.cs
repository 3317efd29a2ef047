using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Reads the palette of an indexed PNG (colour type 3) from its PLTE and tRNS chunks. ImageSharp 2.1 expands palette
/// pixels to colours on decode, so palette masks map each decoded colour back to the first palette index that has it.
/// </summary>
internal static class PngPalette
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The colour (packed RGBA, R in the low byte like ImageSharp's <c>Rgba32.PackedValue</c>) → first palette index, or null when the data is not an indexed PNG.</summary>
    public static Dictionary<uint, int>? TryRead(ReadOnlySpan<byte> data)
    {
        if (data.Length < 33 || !data[..8].SequenceEqual(Signature))
        {
            return null;
        }

        ReadOnlySpan<byte> palette = default, alpha = default;
        bool indexed = false;
        int offset = 8;
        while (offset + 12 <= data.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(data[offset..]);
            if (length < 0 || offset + 12 + (long)length > data.Length)
            {
                return null;
            }

            ReadOnlySpan<byte> type = data.Slice(offset + 4, 4);
            ReadOnlySpan<byte> body = data.Slice(offset + 8, length);
            if (type.SequenceEqual("IHDR"u8))
            {
                indexed = length >= 13 && body[9] == 3;
                if (!indexed)
                {
                    return null;
                }
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                palette = body;
            }
            else if (type.SequenceEqual("tRNS"u8))
            {
                alpha = body;
            }
            else if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8))
            {
                break;
            }

            offset += 12 + length;
        }

        if (!indexed || palette.Length < 3)
        {
            return null;
        }

        var map = new Dictionary<uint, int>();
        for (int i = 0; i < palette.Length / 3; i++)
        {
            uint a = i < alpha.Length ? alpha[i] : (byte)255;
            uint packed = palette[3 * i] | ((uint)palette[(3 * i) + 1] << 8) | ((uint)palette[(3 * i) + 2] << 16) | (a << 24);
            map.TryAdd(packed, i);
        }

        return map;
    }
}
