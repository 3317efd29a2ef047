using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Reverses the five PNG scanline filters (PNG 1.2, section 6) in place, one row at a time, for whole-byte pixels:
/// each filtered byte becomes the sum (mod 256) of itself and a predictor from the byte <c>bpp</c> to its left (a),
/// the byte above (b) and the byte above-left (c); bytes left of the row and above the first row count as 0.
/// </summary>
internal static class PngFilters
{
    /// <summary>Un-filters <paramref name="row"/> (pixel bytes, without the filter-type byte) given the un-filtered row above; false for a filter type PNG does not define.</summary>
    public static bool TryUnfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        previous = previous[..row.Length];
        switch (filter)
        {
            case 0:
                return true;
            case 1:
                for (int i = bytesPerPixel; i < row.Length; i++)
                {
                    row[i] += row[i - bytesPerPixel];
                }

                return true;
            case 2:
                Up(row, previous);
                return true;
            case 3:
                for (int i = 0; i < bytesPerPixel; i++)
                {
                    row[i] += (byte)(previous[i] >> 1);
                }

                for (int i = bytesPerPixel; i < row.Length; i++)
                {
                    row[i] += (byte)((row[i - bytesPerPixel] + previous[i]) >> 1);
                }

                return true;
            case 4:
                Paeth(row, previous, bytesPerPixel);
                return true;
            default:
                return false;
        }
    }

    private static void Up(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<byte>> rowVectors = MemoryMarshal.Cast<byte, Vector<byte>>(row);
            ReadOnlySpan<Vector<byte>> previousVectors = MemoryMarshal.Cast<byte, Vector<byte>>(previous);
            for (int v = 0; v < rowVectors.Length; v++)
            {
                rowVectors[v] += previousVectors[v];
            }

            i = rowVectors.Length * Vector<byte>.Count;
        }

        for (; i < row.Length; i++)
        {
            row[i] += previous[i];
        }
    }

    private static void Paeth(Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        // Left of the row a = c = 0, so the predictor is b (the byte above).
        for (int i = 0; i < bytesPerPixel; i++)
        {
            row[i] += previous[i];
        }

        for (int i = bytesPerPixel; i < row.Length; i++)
        {
            // Branch-free: on photographic data the choice among a, b and c is close to random, and mispredicted
            // branches made this loop cost three times the inflate (measured). Differences fit in 10 bits, so the
            // sign bit of a difference is the comparison.
            int a = row[i - bytesPerPixel], b = previous[i], c = previous[i - bytesPerPixel];
            int pa = Abs(b - c), pb = Abs(a - c), pc = Abs(a + b - c - c);
            int notA = ((pb - pa) | (pc - pa)) >> 31; // all ones when pa > pb or pa > pc
            int bOrC = b ^ ((b ^ c) & ((pc - pb) >> 31)); // c when pb > pc
            row[i] += (byte)(a ^ ((a ^ bOrC) & notA));
        }
    }

    private static int Abs(int value)
    {
        int sign = value >> 31;
        return (value ^ sign) - sign;
    }
}
