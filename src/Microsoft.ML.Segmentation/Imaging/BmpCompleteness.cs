using System;
using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Whether a BMP holds every row its header declares. Uncompressed (and bit-field) bitmaps must reach the start of the
/// last row plus that row's pixels (the last row's padding may be missing, as some writers leave it); run-length
/// encoded bitmaps (RLE8, RLE4) must reach their end-of-bitmap code. ImageSharp 2.1.13 leaves missing rows black.
/// </summary>
internal static class BmpCompleteness
{
    private const int FileHeaderSize = 14;

    /// <summary>What is missing, in words; null when the pixel data is whole (or the header is one this check does not read).</summary>
    public static string? FindMissing(ReadOnlySpan<byte> data)
    {
        if (data.Length < FileHeaderSize + 12 || data[0] != (byte)'B' || data[1] != (byte)'M')
        {
            return null;
        }

        long pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        long width, height;
        int bitsPerPixel;
        uint compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[24..]);
        }
        else if (headerSize >= 40 && data.Length >= FileHeaderSize + 40)
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..]));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        }
        else
        {
            return null;
        }

        if (width <= 0 || height <= 0 || bitsPerPixel <= 0)
        {
            return null; // a corrupt header: the identify step refuses it
        }

        return compression switch
        {
            0 or 3 or 6 => FindMissingRows(data.Length, pixelOffset, width, height, bitsPerPixel),
            1 or 2 => FindMissingRunEnd(data, pixelOffset, fourBit: compression == 2),
            _ => null, // JPEG/PNG-in-BMP and OS/2 RLE24: the decoder reads those streams itself
        };
    }

    private static string? FindMissingRows(long length, long pixelOffset, long width, long height, int bitsPerPixel)
    {
        long stride = ((width * bitsPerPixel) + 31) / 32 * 4;
        long needed = pixelOffset + (stride * (height - 1)) + (((width * bitsPerPixel) + 7) / 8);
        if (length >= needed)
        {
            return null;
        }

        long rows = Math.Max(0, length - pixelOffset) / stride;
        return $"it is {length} bytes but its {width}x{height} pixels end at byte {needed} (about {rows} of {height} rows are present)";
    }

    /// <summary>Walks RLE8/RLE4 codes (count, value pairs; 0 0 end of line, 0 1 end of bitmap, 0 2 dx dy, 0 n n literals).</summary>
    private static string? FindMissingRunEnd(ReadOnlySpan<byte> data, long pixelOffset, bool fourBit)
    {
        long offset = pixelOffset;
        while (offset + 2 <= data.Length)
        {
            byte count = data[(int)offset], value = data[(int)offset + 1];
            offset += 2;
            if (count > 0)
            {
                continue;
            }

            switch (value)
            {
                case 0:
                    break;
                case 1:
                    return null;
                case 2:
                    offset += 2;
                    break;
                default:
                    long literalBytes = fourBit ? (value + 1) / 2 : value;
                    offset += (literalBytes + 1) & ~1L; // literal runs are padded to a 16-bit boundary
                    break;
            }
        }

        return "its run-length encoded pixels end without the end-of-bitmap code";
    }
}
