using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Whether a PNG holds all the pixel rows its header declares: every chunk up to IEND must be whole, and the
/// concatenated IDAT data must inflate to the filtered size of the image (one filter byte per row, for each of the seven
/// Adam7 passes when interlaced). ImageSharp 2.1.13 fills rows that a file cut inside a later IDAT chunk lacks with
/// zeros, and loops forever on an interlaced file whose data runs out (found by the fuzz test); this check runs first.
/// The inflate reads the data once more (into a scratch buffer, no image-sized allocation) and stops at the declared size.
/// </summary>
internal static class PngCompleteness
{
    /// <summary>What is missing, in words; null when the pixel data is whole (or the header is one ImageSharp rejects itself).</summary>
    public static string? FindMissing(ReadOnlySpan<byte> data)
    {
        if (!PngHeader.TryRead(data, out PngHeader header))
        {
            return null; // not a PNG, or a header ImageSharp rejects before decoding pixels
        }

        long needed = header.FilteredSize().Standard;
        if (FindCutChunk(data) is string cut)
        {
            return cut;
        }

        long inflated = Inflated(data, needed, out string? corruption);
        return corruption is not null
            ? $"its compressed pixel data is corrupt after {inflated} of {needed} bytes ({corruption})"
            : inflated < needed
                ? $"its compressed pixel data inflates to {inflated} bytes, fewer than the {needed} bytes that its {header.Width}x{header.Height}{(header.Interlaced ? " interlaced" : string.Empty)} pixels need (rows are missing)"
                : null;
    }

    /// <summary>The chunk, before IEND, whose declared length runs past the end of the file; null when every chunk is whole.</summary>
    private static string? FindCutChunk(ReadOnlySpan<byte> data)
    {
        int offset = 8;
        while (offset < data.Length)
        {
            if (offset + 8 > data.Length)
            {
                return $"it ends inside a chunk header at byte {offset}";
            }

            long length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            string type = System.Text.Encoding.ASCII.GetString(data.Slice(offset + 4, 4));
            long end = offset + 12L + length;
            if (end > data.Length)
            {
                return $"its {type} chunk at byte {offset} declares {length} bytes but the file ends {end - data.Length} bytes short of it";
            }

            if (type == "IEND")
            {
                break;
            }

            offset = (int)end;
        }

        return null;
    }

    /// <summary>How many bytes the IDAT chunks inflate to, counting up to <paramref name="limit"/>; <paramref name="corruption"/> says why the zlib data could not be read further, if it could not.</summary>
    private static unsafe long Inflated(ReadOnlySpan<byte> data, long limit, out string? corruption)
    {
        corruption = null;
        fixed (byte* pointer = data)
        {
            using var idat = new PngDataStream(pointer, data.Length);
            long total = 0;
            Span<byte> scratch = stackalloc byte[8192];
            try
            {
                using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
                int read;
                while (total < limit && (read = inflater.Read(scratch)) > 0)
                {
                    total += read;
                }
            }
            catch (InvalidDataException e)
            {
                corruption = e.Message;
            }

            return total;
        }
    }
}
