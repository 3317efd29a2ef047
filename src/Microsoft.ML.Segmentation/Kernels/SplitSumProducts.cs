using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// C += A·Bᵀ for an A of few rows (a head's weight gradient with up to a few dozen classes: dOutput m×P against the
/// features n×P), as dot products of A's and B's rows, each split over <see cref="Lanes"/> fixed lanes.
/// </summary>
/// <remarks>
/// <para>Why: <see cref="BlockedMatrixMultiply.AccumulateProductTransposed{T}"/> transposes each depth tile of B so
/// that its product's lanes run along C's columns; the transpose costs the same for any m, and with m = 4 (a linear
/// head of 4 classes on 448 feature channels) the gradient took 2.3× the time of plain dot products (0.31 against
/// 0.13 ms per 1024 pixels), which made the blocked linear head's epoch slower than the plain loops'. Reading the rows
/// as they lie needs no copy: each vector of B's row meets the same vector of four rows of A, and with 256-bit
/// vectors two rows of B at a time.</para>
/// <para>The sums: per depth tile (<see cref="BlockedMatrixMultiply.TransposedDepthTile"/>) and term (i, j), lane r
/// sums the products a[i,l]·b[j,l] of the l ≡ r (mod 8) in ascending order, each product rounded and then added (no
/// fused multiply-add); the lanes are then added as ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)) and the tile's
/// float sum added to the double total, tile after tile. Eight lanes whatever the hardware (one 256-bit vector, two
/// 128-bit ones, or eight scalars), so the result is the same bit for bit on every SIMD width.</para>
/// </remarks>
internal static class SplitSumProducts
{
    /// <summary>The fixed lanes each dot product is split over.</summary>
    public const int Lanes = 8;

    /// <summary>
    /// Rows of A up to which the split sums are used: above, the transposed product's register tiles win (Zen 5, 448 × 1024
    /// pixels: 9 to 16 rows take half the time of the transposed product, 21 about the same, 32 and 64 1.1–1.5× it).
    /// </summary>
    public const int MaxRows = 24;

    /// <summary>Rows of A whose accumulators stay in registers together.</summary>
    private const int GroupRows = 4;

    /// <summary><c>c[i·n + j] += Σ_l a[i·lda + l] · b[j·ldb + l]</c>, summed as the remarks say; m at most <see cref="MaxRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<double> c, int m, int n, int k)
    {
        Span<float> lanes = stackalloc float[GroupRows * Lanes];
        Span<float> pair = stackalloc float[GroupRows * Lanes];
        for (int t0 = 0; t0 < k; t0 += BlockedMatrixMultiply.TransposedDepthTile)
        {
            int depth = Math.Min(BlockedMatrixMultiply.TransposedDepthTile, k - t0);
            int whole = depth - (depth % Lanes);
            for (int i0 = 0; i0 < m; i0 += GroupRows)
            {
                int rows = Math.Min(GroupRows, m - i0);
                // A group of fewer rows repeats its first row; those lanes are not used.
                ref float a0 = ref Row(a, lda, i0, t0);
                ref float a1 = ref Row(a, lda, rows > 1 ? i0 + 1 : i0, t0);
                ref float a2 = ref Row(a, lda, rows > 2 ? i0 + 2 : i0, t0);
                ref float a3 = ref Row(a, lda, rows > 3 ? i0 + 3 : i0, t0);
                int j = 0;
                if (Vector256.IsHardwareAccelerated && whole == depth && rows == 1)
                {
                    // One row of A (a binary head): four rows of B at a time, rather than four copies of A's row.
                    for (; j + 3 < n; j += 4)
                    {
                        WholeChunksFourRowsOfB(ref a0, ref Row(b, ldb, j, t0), ref Row(b, ldb, j + 1, t0), ref Row(b, ldb, j + 2, t0), ref Row(b, ldb, j + 3, t0), whole, lanes);
                        for (int q = 0; q < 4; q++)
                        {
                            c[(i0 * n) + j + q] += Reduce(lanes.Slice(q * Lanes, Lanes));
                        }
                    }
                }

                if (Vector256.IsHardwareAccelerated && whole == depth && rows == 2)
                {
                    // Two rows of A (a two-class head): four rows of B at a time, rather than two unused rows of A.
                    for (; j + 3 < n; j += 4)
                    {
                        TwoRowsByFour(ref a0, ref a1, ref Row(b, ldb, j, t0), ref Row(b, ldb, j + 1, t0), ref Row(b, ldb, j + 2, t0), ref Row(b, ldb, j + 3, t0), whole, lanes, pair);
                        for (int q = 0; q < 4; q++)
                        {
                            c[(i0 * n) + j + q] += Reduce(lanes.Slice(q * Lanes, Lanes));
                            c[((i0 + 1) * n) + j + q] += Reduce(pair.Slice(q * Lanes, Lanes));
                        }
                    }
                }

                if (Vector256.IsHardwareAccelerated && whole == depth)
                {
                    // Two rows of B at a time: each vector of A read serves both (the common case: whole tiles).
                    for (; j + 1 < n; j += 2)
                    {
                        // Products commute, so B's two rows may take the kernel's "two rows" side: lanes for row j, pair for j + 1.
                        TwoRowsByFour(ref Row(b, ldb, j, t0), ref Row(b, ldb, j + 1, t0), ref a0, ref a1, ref a2, ref a3, whole, lanes, pair);
                        for (int r = 0; r < rows; r++)
                        {
                            c[((i0 + r) * n) + j] += Reduce(lanes.Slice(r * Lanes, Lanes));
                            c[((i0 + r) * n) + j + 1] += Reduce(pair.Slice(r * Lanes, Lanes));
                        }
                    }
                }

                for (; j < n; j++)
                {
                    ref float bj = ref Row(b, ldb, j, t0);
                    WholeChunks(ref a0, ref a1, ref a2, ref a3, ref bj, whole, lanes);
                    for (int l = whole; l < depth; l++)
                    {
                        AddProducts(ref a0, ref a1, ref a2, ref a3, Unsafe.Add(ref bj, l), l, lanes);
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        c[((i0 + r) * n) + j] += Reduce(lanes.Slice(r * Lanes, Lanes));
                    }
                }
            }
        }
    }

    /// <summary>The lanes' sums over the first <paramref name="whole"/> (a multiple of 8) depths, into <paramref name="lanes"/> (row r at r·8).</summary>
    private static void WholeChunks(ref float a0, ref float a1, ref float a2, ref float a3, ref float b, int whole, Span<float> lanes)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (int l = 0; l < whole; l += Lanes)
            {
                Vector256<float> bv = Vector256.LoadUnsafe(ref b, (nuint)l);
                s0 = (Vector256.LoadUnsafe(ref a0, (nuint)l) * bv) + s0;
                s1 = (Vector256.LoadUnsafe(ref a1, (nuint)l) * bv) + s1;
                s2 = (Vector256.LoadUnsafe(ref a2, (nuint)l) * bv) + s2;
                s3 = (Vector256.LoadUnsafe(ref a3, (nuint)l) * bv) + s3;
            }

            ref float target = ref MemoryMarshal.GetReference(lanes);
            s0.StoreUnsafe(ref target);
            s1.StoreUnsafe(ref target, Lanes);
            s2.StoreUnsafe(ref target, 2 * Lanes);
            s3.StoreUnsafe(ref target, 3 * Lanes);
            return;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            // Lanes 0–3 and 4–7 of each row in two vectors.
            Vector128<float> s0 = Vector128<float>.Zero, t0 = s0, s1 = s0, t1 = s0, s2 = s0, t2 = s0, s3 = s0, t3 = s0;
            for (int l = 0; l < whole; l += Lanes)
            {
                Vector128<float> low = Vector128.LoadUnsafe(ref b, (nuint)l), high = Vector128.LoadUnsafe(ref b, (nuint)(l + 4));
                s0 = (Vector128.LoadUnsafe(ref a0, (nuint)l) * low) + s0;
                t0 = (Vector128.LoadUnsafe(ref a0, (nuint)(l + 4)) * high) + t0;
                s1 = (Vector128.LoadUnsafe(ref a1, (nuint)l) * low) + s1;
                t1 = (Vector128.LoadUnsafe(ref a1, (nuint)(l + 4)) * high) + t1;
                s2 = (Vector128.LoadUnsafe(ref a2, (nuint)l) * low) + s2;
                t2 = (Vector128.LoadUnsafe(ref a2, (nuint)(l + 4)) * high) + t2;
                s3 = (Vector128.LoadUnsafe(ref a3, (nuint)l) * low) + s3;
                t3 = (Vector128.LoadUnsafe(ref a3, (nuint)(l + 4)) * high) + t3;
            }

            ref float target = ref MemoryMarshal.GetReference(lanes);
            s0.StoreUnsafe(ref target);
            t0.StoreUnsafe(ref target, 4);
            s1.StoreUnsafe(ref target, Lanes);
            t1.StoreUnsafe(ref target, Lanes + 4);
            s2.StoreUnsafe(ref target, 2 * Lanes);
            t2.StoreUnsafe(ref target, (2 * Lanes) + 4);
            s3.StoreUnsafe(ref target, 3 * Lanes);
            t3.StoreUnsafe(ref target, (3 * Lanes) + 4);
            return;
        }

        lanes.Clear();
        for (int l = 0; l < whole; l++)
        {
            AddProducts(ref a0, ref a1, ref a2, ref a3, Unsafe.Add(ref b, l), l, lanes);
        }
    }

    /// <summary>Depth l's products of the four rows with B's value into their lanes (l mod 8), each product rounded and then added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddProducts(ref float a0, ref float a1, ref float a2, ref float a3, float bl, int l, Span<float> lanes)
    {
        int lane = l % Lanes;
        lanes[lane] = (Unsafe.Add(ref a0, l) * bl) + lanes[lane];
        lanes[Lanes + lane] = (Unsafe.Add(ref a1, l) * bl) + lanes[Lanes + lane];
        lanes[(2 * Lanes) + lane] = (Unsafe.Add(ref a2, l) * bl) + lanes[(2 * Lanes) + lane];
        lanes[(3 * Lanes) + lane] = (Unsafe.Add(ref a3, l) * bl) + lanes[(3 * Lanes) + lane];
    }

    /// <summary>One row of A against four rows of B (256-bit vectors): B's row j + q into <paramref name="lanes"/> at q·8.</summary>
    private static void WholeChunksFourRowsOfB(ref float a0, ref float b0, ref float b1, ref float b2, ref float b3, int whole, Span<float> lanes)
    {
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        for (int l = 0; l < whole; l += Lanes)
        {
            Vector256<float> x = Vector256.LoadUnsafe(ref a0, (nuint)l);
            s0 = (x * Vector256.LoadUnsafe(ref b0, (nuint)l)) + s0;
            s1 = (x * Vector256.LoadUnsafe(ref b1, (nuint)l)) + s1;
            s2 = (x * Vector256.LoadUnsafe(ref b2, (nuint)l)) + s2;
            s3 = (x * Vector256.LoadUnsafe(ref b3, (nuint)l)) + s3;
        }

        ref float target = ref MemoryMarshal.GetReference(lanes);
        s0.StoreUnsafe(ref target);
        s1.StoreUnsafe(ref target, Lanes);
        s2.StoreUnsafe(ref target, 2 * Lanes);
        s3.StoreUnsafe(ref target, 3 * Lanes);
    }

    /// <summary>
    /// Two rows (x) against four rows (y), 256-bit vectors: the sums of x0 with y0..y3 into <paramref name="lanes"/> at
    /// q·8, of x1 into <paramref name="pair"/>. Two rows of A by four of B, or (x·y = y·x in float) two rows of B by four of A.
    /// </summary>
    private static void TwoRowsByFour(
        ref float a0, ref float a1, ref float b0, ref float b1, ref float b2, ref float b3, int whole, Span<float> lanes, Span<float> pair)
    {
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
        for (int l = 0; l < whole; l += Lanes)
        {
            Vector256<float> x = Vector256.LoadUnsafe(ref a0, (nuint)l), y = Vector256.LoadUnsafe(ref a1, (nuint)l);
            Vector256<float> b = Vector256.LoadUnsafe(ref b0, (nuint)l);
            s0 = (x * b) + s0;
            u0 = (y * b) + u0;
            b = Vector256.LoadUnsafe(ref b1, (nuint)l);
            s1 = (x * b) + s1;
            u1 = (y * b) + u1;
            b = Vector256.LoadUnsafe(ref b2, (nuint)l);
            s2 = (x * b) + s2;
            u2 = (y * b) + u2;
            b = Vector256.LoadUnsafe(ref b3, (nuint)l);
            s3 = (x * b) + s3;
            u3 = (y * b) + u3;
        }

        ref float first = ref MemoryMarshal.GetReference(lanes);
        s0.StoreUnsafe(ref first);
        s1.StoreUnsafe(ref first, Lanes);
        s2.StoreUnsafe(ref first, 2 * Lanes);
        s3.StoreUnsafe(ref first, 3 * Lanes);
        ref float second = ref MemoryMarshal.GetReference(pair);
        u0.StoreUnsafe(ref second);
        u1.StoreUnsafe(ref second, Lanes);
        u2.StoreUnsafe(ref second, 2 * Lanes);
        u3.StoreUnsafe(ref second, 3 * Lanes);
    }

    /// <summary>((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), in float.</summary>
    private static float Reduce(ReadOnlySpan<float> s) => ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));

    private static ref float Row(ReadOnlySpan<float> matrix, int stride, int row, int column)
        => ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), ((nint)row * stride) + column);
}
