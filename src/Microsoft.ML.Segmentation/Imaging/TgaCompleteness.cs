using System;
using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Whether a TGA holds every pixel its header declares: width × height pixels of raw data after the ID field and the
/// colour map, or run-length packets that add up to as many. ImageSharp 2.1.13 leaves the pixels of a cut file black.
/// </summary>
internal static class TgaCompleteness
{
    private const int HeaderSize = 18;

    /// <summary>What is missing, in words; null when the pixel data is whole (or the header is one this check does not read).</summary>
    public static string? FindMissing(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
        {
            return null;
        }

        int imageType = data[2];
        long width = BinaryPrimitives.ReadUInt16LittleEndian(data[12..]), height = BinaryPrimitives.ReadUInt16LittleEndian(data[14..]);
        int bytesPerPixel = (data[16] + 7) / 8;
        long colorMapBytes = data[1] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(data[5..]) * (long)((data[7] + 7) / 8) : 0;
        long offset = HeaderSize + data[0] + colorMapBytes;
        long pixels = width * height;
        if (pixels == 0 || bytesPerPixel == 0)
        {
            return null;
        }

        switch (imageType)
        {
            case 1 or 2 or 3:
                long needed = offset + (pixels * bytesPerPixel);
                return data.Length >= needed
                    ? null
                    : $"it is {data.Length} bytes but its {width}x{height} pixels end at byte {needed}";
            case 9 or 10 or 11:
                long decoded = 0;
                while (decoded < pixels && offset < data.Length)
                {
                    byte packet = data[(int)offset];
                    int count = (packet & 0x7F) + 1;
                    offset += 1 + ((packet & 0x80) != 0 ? bytesPerPixel : (long)count * bytesPerPixel);
                    decoded += count;
                }

                return decoded >= pixels && offset <= data.Length
                    ? null
                    : $"its run-length packets end after about {Math.Min(decoded, pixels)} of its {pixels} pixels";
            default:
                return null;
        }
    }
}
