using System;
using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Makes palette indices of an indexed PNG (colour type 3) readable through ImageSharp 2.1, which expands palette
/// pixels to colours on decode: the PLTE chunk is rewritten so entry <c>i</c> has colour (i, 0, 0), and the decoded red
/// channel is then the palette index, exact even when the original palette repeats a colour. Bit depth, interlacing
/// and EXIF orientation stay ImageSharp's job.
/// </summary>
internal static class PngPalette
{
    /// <summary>A copy of <paramref name="data"/> with an index-coding PLTE, or <see langword="null"/> when the data is not an indexed PNG.</summary>
    public static byte[]? TryRewrite(ReadOnlySpan<byte> data)
    {
        if (data.Length < 33 || !data[..8].SequenceEqual(PngHeader.Signature))
        {
            return null;
        }

        int offset = 8;
        while (offset + 12 <= data.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(data[offset..]);
            if (length < 0 || offset + 12 + (long)length > data.Length)
            {
                return null;
            }

            ReadOnlySpan<byte> type = data.Slice(offset + 4, 4);
            if (type.SequenceEqual("IHDR"u8) && (length < 13 || data[offset + 8 + 9] != 3))
            {
                return null;
            }

            if (type.SequenceEqual("PLTE"u8))
            {
                if (length % 3 != 0 || length == 0)
                {
                    return null;
                }

                byte[] copy = data.ToArray();
                Span<byte> body = copy.AsSpan(offset + 8, length);
                body.Clear();
                for (int i = 0; i < length / 3; i++)
                {
                    body[3 * i] = (byte)i;
                }

                BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset + 8 + length), PngCrc.Compute(copy.AsSpan(offset + 4, length + 4)));
                return copy;
            }

            if (type.SequenceEqual("IDAT"u8))
            {
                return null;
            }

            offset += 12 + length;
        }

        return null;
    }
}
