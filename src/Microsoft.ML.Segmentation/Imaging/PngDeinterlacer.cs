using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Rewrites an interlaced (Adam7) PNG as the same image, not interlaced, before ImageSharp decodes it: ImageSharp 2.1.13
/// never returns from some valid interlaced files (measured: 1x1, 3x2, 2x4, 4x12 among the sizes up to 9x9, whatever the
/// pixels), and takes no cancellation inside that loop. The seven passes are unfiltered (None, Sub, Up, Average, Paeth,
/// per PNG 1.2 section 6) and their pixels, of any bit depth, placed where Adam7 puts them; the rows are written with
/// filter None into one IDAT chunk, every other chunk kept in order. Only interlaced files pay for this, once. Files
/// that ImageSharp's own encoder wrote with empty passes (a filter byte for each row of a pass with no columns) are read
/// in that layout, recognised by their length.
/// Runs after <see cref="PngCompleteness"/>, so the pixel data is known to be whole.
/// </summary>
internal static class PngDeinterlacer
{
    /// <summary>The file as a non-interlaced PNG, or null when it is not an interlaced PNG (or is one this cannot read: the decoder then reports it).</summary>
    public static byte[]? ToSequential(ReadOnlySpan<byte> data)
    {
        if (!PngHeader.TryRead(data, out PngHeader header) || !header.Interlaced || header.Width > int.MaxValue || header.Height > int.MaxValue)
        {
            return null;
        }

        (long standard, long emptyPassRows) = header.FilteredSize();
        byte[]? filtered = Inflate(data, standard + emptyPassRows);
        byte[]? rows = filtered is null ? null : Deinterlace(filtered, header);
        return rows is null ? null : Write(data, rows);
    }

    /// <summary>
    /// The inflated IDAT data, at most <paramref name="limit"/> + 1 bytes: enough to tell the two layouts apart, and no
    /// more memory than the declared size needs however far a crafted stream would inflate.
    /// </summary>
    private static unsafe byte[]? Inflate(ReadOnlySpan<byte> data, long limit)
    {
        fixed (byte* pointer = data)
        {
            using var idat = new PngDataStream(pointer, data.Length);
            using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
            var result = new byte[checked((int)(limit + 1))];
            int length = 0;
            try
            {
                int read;
                while (length < result.Length && (read = inflater.Read(result.AsSpan(length))) > 0)
                {
                    length += read;
                }
            }
            catch (InvalidDataException)
            {
                return null;
            }

            return length == result.Length ? result : result.AsSpan(0, length).ToArray();
        }
    }

    /// <summary>Unfilters each pass and places its pixels; returns the full image's rows, each led by filter type 0.</summary>
    private static byte[]? Deinterlace(byte[] filtered, PngHeader header)
    {
        int width = (int)header.Width, height = (int)header.Height, bitsPerPixel = header.BitsPerPixel;
        // PNG gives a pass with no columns no scanlines; ImageSharp's encoder writes a lone filter byte for each of its
        // rows. The inflated length tells the two layouts apart (anything longer is trailing data, read as PNG has it).
        (long standard, long emptyPassRows) = header.FilteredSize();
        bool emptyRowsHaveFilterBytes = emptyPassRows > 0 && filtered.Length == standard + emptyPassRows;
        int stride = (int)header.RowBytes(width);
        var output = new byte[(long)height * (stride + 1)];
        int unit = Math.Max(1, bitsPerPixel / 8); // the filters' byte distance to the pixel on the left
        int offset = 0;
        foreach ((int x0, int y0, int stepX, int stepY) in PngHeader.Adam7Passes)
        {
            int columns = (width - x0 + stepX - 1) / stepX, passRows = (height - y0 + stepY - 1) / stepY;
            if (columns <= 0 || passRows <= 0)
            {
                offset += columns <= 0 && passRows > 0 && emptyRowsHaveFilterBytes ? passRows : 0;
                continue;
            }

            int passStride = (int)header.RowBytes(columns);
            var previous = new byte[passStride];
            for (int r = 0; r < passRows; r++)
            {
                if (offset + 1 + passStride > filtered.Length)
                {
                    return null;
                }

                Span<byte> current = filtered.AsSpan(offset + 1, passStride);
                if (!PngFilters.TryUnfilter(filtered[offset], current, previous, unit))
                {
                    return null;
                }

                Span<byte> target = output.AsSpan(((y0 + (r * stepY)) * (stride + 1)) + 1, stride);
                for (int c = 0; c < columns; c++)
                {
                    CopyPixel(current, c, target, x0 + (c * stepX), bitsPerPixel);
                }

                current.CopyTo(previous);
                offset += 1 + passStride;
            }
        }

        return output;
    }

    /// <summary>Copies pixel <paramref name="from"/> of a pass row to pixel <paramref name="to"/> of an image row; sub-byte pixels are packed most significant bits first.</summary>
    private static void CopyPixel(ReadOnlySpan<byte> source, int from, Span<byte> target, int to, int bitsPerPixel)
    {
        if (bitsPerPixel >= 8)
        {
            int bytes = bitsPerPixel / 8;
            source.Slice(from * bytes, bytes).CopyTo(target.Slice(to * bytes, bytes));
            return;
        }

        int mask = (1 << bitsPerPixel) - 1;
        int fromBit = from * bitsPerPixel, toBit = to * bitsPerPixel;
        int value = (source[fromBit / 8] >> (8 - bitsPerPixel - (fromBit % 8))) & mask;
        int shift = 8 - bitsPerPixel - (toBit % 8);
        target[toBit / 8] = (byte)((target[toBit / 8] & ~(mask << shift)) | (value << shift));
    }

    /// <summary>The PNG with IHDR's interlace method 0 and <paramref name="rows"/> as its one IDAT; other chunks as they were.</summary>
    private static byte[] Write(ReadOnlySpan<byte> data, byte[] rows)
    {
        using var compressed = new MemoryStream();
        using (var deflater = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflater.Write(rows);
        }

        using var file = new MemoryStream();
        file.Write(PngHeader.Signature);
        bool written = false;
        for (int offset = 8; offset + 12 <= data.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            ReadOnlySpan<byte> type = data.Slice(offset + 4, 4);
            ReadOnlySpan<byte> body = data.Slice(offset + 8, length);
            offset += 12 + length;
            if (type.SequenceEqual("IDAT"u8))
            {
                if (!written)
                {
                    WriteChunk(file, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
                    written = true;
                }

                continue;
            }

            if (type.SequenceEqual("IHDR"u8))
            {
                byte[] header = body.ToArray();
                header[12] = 0;
                WriteChunk(file, type, header);
                continue;
            }

            WriteChunk(file, type, body);
            if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
        }

        return file.ToArray();
    }

    private static void WriteChunk(Stream file, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
        file.Write(word);
        var typed = new byte[4 + body.Length];
        type.CopyTo(typed);
        body.CopyTo(typed.AsSpan(4));
        file.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc.Compute(typed));
        file.Write(word);
    }
}
