using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Refuses an interlaced (Adam7) PNG whose compressed pixel data inflates to fewer bytes than its header's size needs.
/// ImageSharp 2.1.13 loops forever on such a file (found by the fuzz test: a wide interlaced PNG whose data runs out),
/// and its decoders take no cancellation inside that loop, so the loader checks the length first. Non-interlaced PNGs
/// are left alone: ImageSharp handles their truncation. The check inflates the data once more, which interlaced files,
/// rare in datasets, can afford.
/// </summary>
internal static class PngInterlaceCheck
{
    private static readonly (int X, int Y, int StepX, int StepY)[] s_passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void Check(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < 33 || !data[..8].SequenceEqual(Signature) || !data.Slice(12, 4).SequenceEqual("IHDR"u8) || data[28] != 1)
        {
            return;
        }

        long width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        int channels = data[25] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0)
        {
            return; // an invalid colour type: ImageSharp rejects it before decoding pixels
        }

        long bitsPerPixel = (long)data[24] * channels;
        long needed = 0;
        foreach ((int x, int y, int stepX, int stepY) in s_passes)
        {
            long columns = (width - x + stepX - 1) / stepX, rows = (height - y + stepY - 1) / stepY;
            if (columns > 0 && rows > 0)
            {
                needed += rows * (1 + (((columns * bitsPerPixel) + 7) / 8));
            }
        }

        if (Inflated(data, needed) < needed)
        {
            throw new InvalidDataException(
                $"'{source}' is an interlaced PNG of {width}x{height} whose pixel data is truncated or corrupt (less than the {needed} bytes its size needs).");
        }
    }

    /// <summary>How many bytes the IDAT chunks inflate to, counting up to <paramref name="limit"/>; 0 when the zlib data is corrupt.</summary>
    private static long Inflated(ReadOnlySpan<byte> data, long limit)
    {
        using var compressed = new MemoryStream();
        for (int offset = 8; offset + 12 <= data.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(data[offset..]);
            if (length < 0 || offset + 12L + length > data.Length)
            {
                break;
            }

            if (data.Slice(offset + 4, 4).SequenceEqual("IDAT"u8))
            {
                compressed.Write(data.Slice(offset + 8, length));
            }

            offset += 12 + length;
        }

        compressed.Position = 0;
        long total = 0;
        var scratch = new byte[16384];
        try
        {
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            int read;
            while (total < limit && (read = inflater.Read(scratch)) > 0)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            return 0;
        }

        return total;
    }
}
