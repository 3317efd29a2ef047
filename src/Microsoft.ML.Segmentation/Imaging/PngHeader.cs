using System;
using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// What a PNG's IHDR chunk says about its pixel data, and the sizes that follow from it (PNG 1.2, sections 2.6 and 4.1.1):
/// the filtered scanlines the IDAT chunks must inflate to, sequential or per Adam7 pass.
/// </summary>
internal readonly record struct PngHeader(long Width, long Height, int BitsPerPixel, bool Interlaced)
{
    /// <summary>The seven Adam7 passes: first column and row, column and row steps.</summary>
    public static readonly (int X, int Y, int StepX, int StepY)[] Adam7Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the header; false when the data is not a PNG starting with IHDR, or declares a colour type or interlace method that does not exist (the decoder reports those).</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out PngHeader header)
    {
        header = default;
        if (data.Length < 33 || !data[..8].SequenceEqual(Signature) || !data.Slice(12, 4).SequenceEqual("IHDR"u8) || data[28] > 1)
        {
            return false;
        }

        int channels = data[25] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0 || data[24] == 0)
        {
            return false;
        }

        header = new PngHeader(BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[20..]), data[24] * channels, data[28] == 1);
        return true;
    }

    /// <summary>Bytes of one scanline's pixels (without its filter-type byte) for <paramref name="columns"/> pixels.</summary>
    public long RowBytes(long columns) => ((columns * BitsPerPixel) + 7) / 8;

    /// <summary>
    /// Bytes of filtered scanlines: per (pass) row, one filter-type byte and the row's packed pixels. A pass with no
    /// columns has no scanlines; <c>EmptyPassRows</c> counts the rows such passes would have, for which ImageSharp's
    /// encoder writes a lone filter byte.
    /// </summary>
    public (long Standard, long EmptyPassRows) FilteredSize()
    {
        if (!Interlaced)
        {
            return (Height * (1 + RowBytes(Width)), 0);
        }

        long standard = 0, emptyPassRows = 0;
        foreach ((int x, int y, int stepX, int stepY) in Adam7Passes)
        {
            long columns = (Width - x + stepX - 1) / stepX, rows = (Height - y + stepY - 1) / stepY;
            if (rows > 0 && columns > 0)
            {
                standard += rows * (1 + RowBytes(columns));
            }
            else if (rows > 0)
            {
                emptyPassRows += rows;
            }
        }

        return (standard, emptyPassRows);
    }
}
