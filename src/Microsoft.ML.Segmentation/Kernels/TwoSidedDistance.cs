using System;
using System.Buffers;
using System.Numerics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// The exact squared Euclidean distance from every pixel of a 2-D binary mask (unit spacing) to the nearest pixel of
/// the other value: what the distance transform of the mask plus that of its complement gives (each is 0 where the
/// other is not), computed as one transform in integers.
/// </summary>
/// <remarks>
/// <para>Both the Hausdorff loss's fields (<c>edt(mask) + edt(~mask)</c>, MONAI) and the boundary loss's signed map
/// (<c>edt(~mask)</c> outside, <c>1 − edt(mask)</c> inside, Kervadec) are this distance D, so one column pass finds,
/// per pixel, the vertical distance to the nearest pixel of the other value in its column (vectors across columns),
/// and each row then combines those distances across columns. Rows whose distances are all short (noisy masks, thin
/// structures, rows near a boundary) are searched with vectors: columns x ± d for d = 1, 2, … until d² passes every
/// lane's best, as no farther column can come closer. Rows with a far pixel (large regions) go run by run: past
/// either end of a run of equal values lies the other value, which bounds D by the distance to the nearer end, so
/// only the run's own columns remain, searched directly in short runs and through the lower envelope of parabolas
/// (Felzenszwalb and Huttenlocher) in long ones, whose intersections are compared by cross-multiplying in 64-bit
/// integers. Everything is integer arithmetic, so D² is exact.</para>
/// <para>Sides up to <see cref="MaxSide"/>; larger planes, other spacings and volumes keep
/// <see cref="EuclideanDistanceTransform"/> (a transform of the mask and one of its complement).</para>
/// </remarks>
internal static class TwoSidedDistance
{
    /// <summary>The longest side covered: squared distances stay below <see cref="Far"/> and the envelope's cross products within 64 bits.</summary>
    public const int MaxSide = 1 << 14;

    // The column pass's "no pixel of the other value in this column"; still a valid int after adding 1.
    private const int None = int.MaxValue / 2;

    // A squared distance larger than any within a plane of MaxSide (2·16383² < 2³⁰), so that Far + d² stays an int.
    private const int Far = 1 << 30;

    // Rows whose distances are all below this go through the vectorized search of nearby columns; others (and the row
    // after one that had a distance this large) build the parabolas' envelope.
    private const int NearbyLimit = 32;

    /// <summary>Whether <see cref="ComputeSquared"/> takes planes of this size.</summary>
    public static bool Supports(int height, int width) => height <= MaxSide && width <= MaxSide;

    /// <summary>
    /// Writes D² for every pixel: the squared distance to the nearest pixel whose mask value (0 or non-zero) differs.
    /// The mask must hold both values (the caller handles empty and full masks, whose D is undefined).
    /// </summary>
    /// <param name="mask">Row-major <c>[height, width]</c>; any non-zero byte is foreground.</param>
    /// <param name="height">Rows, 1 to <see cref="MaxSide"/>.</param>
    /// <param name="width">Columns, 1 to <see cref="MaxSide"/>.</param>
    /// <param name="squared">Receives D², row-major.</param>
    public static void ComputeSquared(ReadOnlySpan<byte> mask, int height, int width, Span<double> squared)
    {
        int s = height * width;
        int lanes = Vector<int>.Count;
        int pad = NearbyLimit + (2 * lanes);
        int line = pad + width + pad;
        int[] rented = ArrayPool<int>.Shared.Rent((2 * s) + (2 * line) + (3 * width) + lanes);
        long[] heights = ArrayPool<long>.Shared.Rent(width);
        try
        {
            Span<int> value = rented.AsSpan(0, s);
            Span<int> column = rented.AsSpan(s, s);
            Span<int> toZeros = rented.AsSpan(2 * s, line);
            Span<int> toOnes = rented.AsSpan((2 * s) + line, line);
            Span<int> parabolas = rented.AsSpan((2 * s) + (2 * line), width);
            Span<int> f = rented.AsSpan((2 * s) + (2 * line) + width, width);
            Span<int> nearby = rented.AsSpan((2 * s) + (2 * line) + (2 * width), width + lanes);
            Values(mask, value);
            ColumnDistances(value, height, width, column);
            toZeros.Fill(Far); // the pads: no pixel out there
            toOnes.Fill(Far);
            bool far = false;
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<int> valueRow = value.Slice(y * width, width);
                ReadOnlySpan<int> columnRow = column.Slice(y * width, width);
                Span<double> squaredRow = squared.Slice(y * width, width);
                SquaredColumnDistances(valueRow, columnRow, toZeros.Slice(pad, width), toOnes.Slice(pad, width));
                if (!far && Nearby(valueRow, toZeros, toOnes, pad, nearby))
                {
                    System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<int, double>(nearby[..width], squaredRow);
                    continue;
                }

                Row(valueRow, columnRow, f, parabolas, heights.AsSpan(0, width), squaredRow);

                // D changes by at most 1 from a pixel to the next, so below NearbyLimit − 1 here, the next row's
                // distances are all below NearbyLimit.
                far = System.Numerics.Tensors.TensorPrimitives.Max<double>(squaredRow) >= (NearbyLimit - 1) * (NearbyLimit - 1);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
            ArrayPool<long>.Shared.Return(heights);
        }
    }

    /// <summary>
    /// A row's squared column distances as seen from each value: to the zeros (0 at a zero, the squared column
    /// distance at a one) and to the ones; <see cref="Far"/> where the column has no pixel of that value.
    /// </summary>
    private static void SquaredColumnDistances(ReadOnlySpan<int> value, ReadOnlySpan<int> column, Span<int> toZeros, Span<int> toOnes)
    {
        int q = 0;
        for (; q <= value.Length - Vector<int>.Count; q += Vector<int>.Count)
        {
            var c = new Vector<int>(column[q..]);
            var d = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(c, new Vector<int>(None)), new Vector<int>(Far), c * c);
            var ones = ~Vector.Equals(new Vector<int>(value[q..]), Vector<int>.Zero);
            (d & ones).CopyTo(toZeros[q..]);
            Vector.AndNot(d, ones).CopyTo(toOnes[q..]);
        }

        for (; q < value.Length; q++)
        {
            int c = column[q];
            int d = c >= None ? Far : c * c;
            bool one = value[q] != 0;
            toZeros[q] = one ? d : 0;
            toOnes[q] = one ? 0 : d;
        }
    }

    /// <summary>
    /// D² of a row by looking at the columns x ± d for d = 1, 2, … with one vector of pixels at a time, until d²
    /// reaches every lane's best (no column farther away can come closer); false when some lane needs more than
    /// <see cref="NearbyLimit"/> steps (the caller then builds the envelope).
    /// </summary>
    private static bool Nearby(ReadOnlySpan<int> value, ReadOnlySpan<int> toZeros, ReadOnlySpan<int> toOnes, int pad, Span<int> result)
    {
        int width = value.Length;
        int lanes = Vector<int>.Count;
        Span<int> tail = stackalloc int[lanes];
        for (int x = 0; x < width; x += lanes)
        {
            Vector<int> ones;
            Vector<int> inside = Vector<int>.AllBitsSet;
            if (x + lanes <= width)
            {
                ones = ~Vector.Equals(new Vector<int>(value[x..]), Vector<int>.Zero);
            }
            else
            {
                // The last, partial vector: lanes past the row's end start at 0, so they never ask for another step.
                for (int lane = 0; lane < lanes; lane++)
                {
                    tail[lane] = x + lane < width ? value[x + lane] : 0;
                }

                ones = ~Vector.Equals(new Vector<int>(tail), Vector<int>.Zero);
                for (int lane = 0; lane < lanes; lane++)
                {
                    tail[lane] = x + lane < width ? -1 : 0;
                }

                inside = new Vector<int>(tail);
            }

            // A one looks for zeros, a zero for ones; d = 0 is the pixel's own column.
            int at = pad + x;
            Vector<int> best = Vector.ConditionalSelect(ones, new Vector<int>(toZeros[at..]), new Vector<int>(toOnes[at..])) & inside;
            int d = 1;
            for (; d <= NearbyLimit; d++)
            {
                var step = new Vector<int>(d * d);
                if (!Vector.LessThanAny(step, best))
                {
                    break;
                }

                var left = Vector.ConditionalSelect(ones, new Vector<int>(toZeros[(at - d)..]), new Vector<int>(toOnes[(at - d)..]));
                var right = Vector.ConditionalSelect(ones, new Vector<int>(toZeros[(at + d)..]), new Vector<int>(toOnes[(at + d)..]));
                best = Vector.Min(best, step + Vector.Min(left, right));
            }

            if (d > NearbyLimit && Vector.LessThanAny(new Vector<int>(d * d), best))
            {
                return false;
            }

            best.CopyTo(result[x..]);
        }

        return true;
    }

    /// <summary>The mask as 0 and 1 in int lanes (bytes widened a vector at a time).</summary>
    private static void Values(ReadOnlySpan<byte> mask, Span<int> value)
    {
        int i = 0;
        int lanes = Vector<int>.Count;
        for (; i <= mask.Length - Vector<byte>.Count; i += Vector<byte>.Count)
        {
            Vector.Widen(new Vector<byte>(mask[i..]), out Vector<ushort> low, out Vector<ushort> high);
            Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
            Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
            Vector.AsVectorInt32(Vector.Min(a, Vector<uint>.One)).CopyTo(value[i..]);
            Vector.AsVectorInt32(Vector.Min(b, Vector<uint>.One)).CopyTo(value[(i + lanes)..]);
            Vector.AsVectorInt32(Vector.Min(c, Vector<uint>.One)).CopyTo(value[(i + (2 * lanes))..]);
            Vector.AsVectorInt32(Vector.Min(d, Vector<uint>.One)).CopyTo(value[(i + (3 * lanes))..]);
        }

        for (; i < mask.Length; i++)
        {
            value[i] = mask[i] != 0 ? 1 : 0;
        }
    }

    /// <summary>Per pixel, the vertical distance to the nearest pixel of the other value in its column (<see cref="None"/> if the column has none).</summary>
    private static void ColumnDistances(ReadOnlySpan<int> value, int height, int width, Span<int> column)
    {
        column[..width].Fill(None);
        for (int y = 1; y < height; y++)
        {
            Step(value.Slice(y * width, width), value.Slice((y - 1) * width, width), column.Slice((y - 1) * width, width), column.Slice(y * width, width), min: false);
        }

        for (int y = height - 2; y >= 0; y--)
        {
            Step(value.Slice(y * width, width), value.Slice((y + 1) * width, width), column.Slice((y + 1) * width, width), column.Slice(y * width, width), min: true);
        }
    }

    /// <summary>One row of a sweep: 1 where the neighbouring row's pixel differs, else the neighbour's distance + 1 (the minimum with the row's own on the way back).</summary>
    private static void Step(ReadOnlySpan<int> row, ReadOnlySpan<int> neighbourRow, ReadOnlySpan<int> neighbour, Span<int> current, bool min)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<int>.One;
            for (; x <= row.Length - Vector<int>.Count; x += Vector<int>.Count)
            {
                var same = Vector.Equals(new Vector<int>(row[x..]), new Vector<int>(neighbourRow[x..]));
                var step = Vector.ConditionalSelect(same, Vector.Min(new Vector<int>(neighbour[x..]) + one, new Vector<int>(None)), one);
                (min ? Vector.Min(step, new Vector<int>(current[x..])) : step).CopyTo(current[x..]);
            }
        }

        for (; x < row.Length; x++)
        {
            int step = row[x] == neighbourRow[x] ? Math.Min(neighbour[x] + 1, None) : 1;
            current[x] = min ? Math.Min(step, current[x]) : step;
        }
    }

    /// <summary>
    /// One row, run by run: for a pixel in a run of equal values, the row's pixels past either end of the run are of
    /// the other value (f = 0 there), so the nearest of those bounds D² by r², r the distance to the run's nearer end,
    /// and no pixel beyond it can come closer; only the run's own columns remain, with their column distances.
    /// </summary>
    private static void Row(ReadOnlySpan<int> value, ReadOnlySpan<int> column, Span<int> f, Span<int> parabolas, Span<long> heights, Span<double> squared)
    {
        int width = value.Length;
        for (int a = 0; a < width;)
        {
            int b = a;
            while (b + 1 < width && value[b + 1] == value[a])
            {
                b++;
            }

            if (b - a < ShortRun && (a > 0 || b < width - 1))
            {
                ShortRunDistances(column, a, b, width, squared);
            }
            else
            {
                LongRunDistances(column, a, b, width, f, parabolas, heights, squared);
            }

            a = b + 1;
        }
    }

    // Runs up to this long go pixel by pixel over their neighbours (about r candidates each, stopped as soon as d²
    // reaches the best so far: on noisy masks after one or two); longer runs build the parabolas' envelope.
    private const int ShortRun = 16;

    /// <summary>The run's bound r² (the other value past its ends; unbounded at the image's edges) at pixel x.</summary>
    private static long Bound(int x, int a, int b, int width)
    {
        long left = a > 0 ? x - a + 1 : None, right = b < width - 1 ? b + 1 - x : None;
        long r = Math.Min(left, right);
        return r * r;
    }

    private static void ShortRunDistances(ReadOnlySpan<int> column, int a, int b, int width, Span<double> squared)
    {
        for (int x = a; x <= b; x++)
        {
            long g = column[x];
            long best = Math.Min(Bound(x, a, b, width), g * g);
            for (long d = 1; d * d < best; d++)
            {
                // Columns x ± d inside the run (every other one is at least r away, and r² is already a bound).
                long left = x - d >= a ? column[(int)(x - d)] : None;
                long right = x + d <= b ? column[(int)(x + d)] : None;
                long nearest = Math.Min(left, right);
                best = Math.Min(best, (d * d) + (nearest * nearest));
            }

            squared[x] = best;
        }
    }

    private static void LongRunDistances(ReadOnlySpan<int> column, int a, int b, int width, Span<int> f, Span<int> parabolas, Span<long> heights, Span<double> squared)
    {
        int length = b - a + 1;
        for (int q = 0; q < length; q++)
        {
            int c = column[a + q];
            f[q] = c >= None ? None : c * c;
        }

        int k = Envelope(f[..length], parabolas, heights);
        int x = 0;
        for (int j = 0; j <= k && x < length; j++)
        {
            // Parabola j + 1 is at or below j from x = ⌈(h[j+1] − h[j]) / 2(v[j+1] − v[j])⌉ on.
            int end = length;
            if (j < k)
            {
                long numerator = heights[j + 1] - heights[j], denominator = 2L * (parabolas[j + 1] - parabolas[j]);
                long first = numerator >= 0 ? (numerator + denominator - 1) / denominator : -(-numerator / denominator);
                end = (int)Math.Clamp(first, x, length);
            }

            long q = parabolas[j], fq = heights[j] - (q * q);
            for (; x < end; x++)
            {
                long dx = x - q;
                squared[a + x] = Math.Min((dx * dx) + fq, Bound(a + x, a, b, width));
            }
        }

        for (; x < length; x++)
        {
            squared[a + x] = Bound(a + x, a, b, width); // no column of the run sees the other value (k < 0)
        }
    }

    /// <summary>
    /// Builds the lower envelope of (x − q)² + f(q) over the finite f: parabola indices in <paramref name="v"/> and
    /// their heights f(q) + q² in <paramref name="h"/>; returns the index of the last (−1 when every f is <see cref="None"/>).
    /// </summary>
    private static int Envelope(ReadOnlySpan<int> f, Span<int> v, Span<long> h)
    {
        int k = -1;
        for (int q = 0; q < f.Length; q++)
        {
            if (f[q] >= None)
            {
                continue;
            }

            long hq = f[q] + ((long)q * q);

            // Drop the last parabola while it is nowhere lowest: the intersection of the two before q lies at or past
            // its intersection with q, (h[b] − h[a]) / 2(b − a) ≥ (hq − h[b]) / 2(q − b), cross-multiplied.
            while (k >= 1 && (h[k] - h[k - 1]) * (q - v[k]) >= (hq - h[k]) * (v[k] - v[k - 1]))
            {
                k--;
            }

            k++;
            v[k] = q;
            h[k] = hq;
        }

        return k;
    }
}
