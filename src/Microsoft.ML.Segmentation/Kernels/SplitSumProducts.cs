using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// <para>Why the vector kernels (<see cref="IEightLanes{TSelf}"/>: one 256-bit or two 128-bit vectors) run over many
/// tiles: a tile is 32 vectors of each row, and reducing its sums through memory, a term at a time, cost more than its
/// products (per 1024 pixels, 1 row of A by 448: 0.033 ms, as long as the loops' dot products); the kernels reduce
/// four terms' lanes in one vector, in the same order, and keep the double totals in registers from tile to tile
/// (0.020 ms). With one group of A's rows (at most four) each run of B's rows is read whole, its tiles in turn: a
/// tile's 448 pieces of 1 KB, a row's stride apart, were too short for the hardware prefetcher once the features
/// outgrow the caches (1 row by 448 × 16384: 1.7–2.0 → 0.6–0.8 ms, the loops 0.95–1.04; with 128-bit vectors 4.6–4.8
/// → 0.96, the loops 2.0–2.5).</para>
/// </remarks>
internal static class SplitSumProducts
{
    /// <summary>The fixed lanes each dot product is split over.</summary>
    public const int Lanes = 8;

    /// <summary>
    /// Rows of A up to which the split sums are used: above, the transposed product's register tiles win (Zen 5, 448
    /// channels, <c>--quick-head-products</c>, two runs each: 25 and 32 rows take 0.3–0.5 ms per 1024 pixels against the
    /// transposed product's 0.7–0.9 and about its time per 16384; 48 and 64 rows 0.6–0.8 against 0.8–1.1 per 1024 pixels
    /// but 12.5–21 against 10.3–15 ms per 16384, where B's tile is read again for each group of four rows).
    /// </summary>
    public const int MaxRows = 32;

    /// <summary>Rows of A whose accumulators stay in registers together.</summary>
    private const int GroupRows = 4;

    /// <summary><c>c[i·n + j] += Σ_l a[i·lda + l] · b[j·ldb + l]</c>, summed as the remarks say; m at most <see cref="MaxRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<double> c, int m, int n, int k)
    {
        const int tile = BlockedMatrixMultiply.TransposedDepthTile;
        Span<float> lanes = stackalloc float[GroupRows * Lanes];
        // Every tile's depth is a multiple of 8 but perhaps the last one's: those take the vector kernels alone.
        int wholeEnd = k % Lanes == 0 ? k : (k - 1) / tile * tile;
        int groups = (m + GroupRows - 1) / GroupRows;
        // One group of A's rows reads B once in any order, so it takes B's rows whole (see the remarks); more groups
        // keep one tile of B in the caches for all of them (passes of 2 to 16 tiles measured no faster for 8–21 rows).
        int pass = groups == 1 ? Math.Max(wholeEnd, tile) : tile;
        for (int p0 = 0; p0 < wholeEnd; p0 += pass)
        {
            int p1 = Math.Min(wholeEnd, p0 + pass);
            for (int i0 = 0; i0 < m; i0 += GroupRows)
            {
                int rows = Math.Min(GroupRows, m - i0);
                if (Vector256.IsHardwareAccelerated)
                {
                    WholeTiles<EightLanes256>(a, lda, b, ldb, c, i0, rows, n, p0, p1, lanes);
                }
                else if (Vector128.IsHardwareAccelerated)
                {
                    WholeTiles<EightLanes128>(a, lda, b, ldb, c, i0, rows, n, p0, p1, lanes);
                }
                else
                {
                    EachRowOfB(a, lda, b, ldb, c, i0, rows, n, 0, p0, p1, lanes);
                }
            }
        }

        for (int i0 = 0; i0 < m && wholeEnd < k; i0 += GroupRows)
        {
            LastTile(a, lda, b, ldb, c, i0, Math.Min(GroupRows, m - i0), n, wholeEnd, k - wholeEnd, lanes);
        }
    }

    /// <summary>
    /// Rows i0 … i0 + rows − 1 of A against every row of B over the tiles from p0 to p1, each of a depth that is a
    /// multiple of 8: per term the tiles' sums added in ascending order.
    /// </summary>
    private static void WholeTiles<TLanes>(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<double> c, int i0, int rows, int n, int p0, int p1, Span<float> lanes)
        where TLanes : struct, IEightLanes<TLanes>
    {
        int j = 0;
        ref double terms = ref MemoryMarshal.GetReference(c);
        int depth = p1 - p0;
        if (rows == 1)
        {
            // One row of A (a binary head): four rows of B at a time, rather than four copies of A's row.
            for (; j + 3 < n; j += 4)
            {
                ref double row = ref Unsafe.Add(ref terms, (i0 * n) + j);
                Vector256<double> sums = Vector256.LoadUnsafe(ref row);
                OneByFour<TLanes>(ref Row(a, lda, i0, p0), ref Row(b, ldb, j, p0), ref Row(b, ldb, j + 1, p0), ref Row(b, ldb, j + 2, p0), ref Row(b, ldb, j + 3, p0), depth, ref sums);
                sums.StoreUnsafe(ref row);
            }
        }

        if (rows == 2)
        {
            // Two rows of A (a two-class head): four rows of B at a time, rather than two unused rows of A.
            for (; j + 3 < n; j += 4)
            {
                ref double first = ref Unsafe.Add(ref terms, (i0 * n) + j), second = ref Unsafe.Add(ref first, n);
                Vector256<double> firstSums = Vector256.LoadUnsafe(ref first), secondSums = Vector256.LoadUnsafe(ref second);
                TwoByFour<TLanes>(
                    ref Row(a, lda, i0, p0), ref Row(a, lda, i0 + 1, p0),
                    ref Row(b, ldb, j, p0), ref Row(b, ldb, j + 1, p0), ref Row(b, ldb, j + 2, p0), ref Row(b, ldb, j + 3, p0), depth, ref firstSums, ref secondSums);
                firstSums.StoreUnsafe(ref first);
                secondSums.StoreUnsafe(ref second);
            }
        }

        {
            // Two rows of B at a time against the group's rows of A: each vector of A read serves both. Products
            // commute, so B's two rows take the kernel's "two rows" side: its sums run down a column of C.
            GroupRowsOfA(a, lda, i0, rows, p0, out Group group);
            for (; j + 1 < n; j += 2)
            {
                Vector256<double> firstSums = Column(ref Unsafe.Add(ref terms, (i0 * n) + j), n, rows);
                Vector256<double> secondSums = Column(ref Unsafe.Add(ref terms, (i0 * n) + j + 1), n, rows);
                TwoByFour<TLanes>(ref Row(b, ldb, j, p0), ref Row(b, ldb, j + 1, p0), ref group.A0, ref group.A1, ref group.A2, ref group.A3, depth, ref firstSums, ref secondSums);
                StoreColumn(firstSums, ref Unsafe.Add(ref terms, (i0 * n) + j), n, rows);
                StoreColumn(secondSums, ref Unsafe.Add(ref terms, (i0 * n) + j + 1), n, rows);
            }
        }

        EachRowOfB(a, lda, b, ldb, c, i0, rows, n, j, p0, p1, lanes);
    }

    /// <summary>Rows j0 … n − 1 of B one at a time against the group's rows of A, tile by tile (any SIMD width, or none).</summary>
    private static void EachRowOfB(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<double> c, int i0, int rows, int n, int j0, int p0, int p1, Span<float> lanes)
    {
        const int tile = BlockedMatrixMultiply.TransposedDepthTile;
        for (int j = j0; j < n; j++)
        {
            for (int t0 = p0; t0 < p1; t0 += tile)
            {
                GroupRowsOfA(a, lda, i0, rows, t0, out Group group);
                WholeChunks(ref group.A0, ref group.A1, ref group.A2, ref group.A3, ref Row(b, ldb, j, t0), Math.Min(tile, p1 - t0), lanes);
                for (int r = 0; r < rows; r++)
                {
                    c[((i0 + r) * n) + j] += Reduce(lanes.Slice(r * Lanes, Lanes));
                }
            }
        }
    }

    /// <summary>The last tile, from t0, of a depth that is not a multiple of 8: its whole chunks, then the rest one depth at a time.</summary>
    private static void LastTile(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<double> c, int i0, int rows, int n, int t0, int depth, Span<float> lanes)
    {
        int whole = depth - (depth % Lanes);
        GroupRowsOfA(a, lda, i0, rows, t0, out Group group);
        for (int j = 0; j < n; j++)
        {
            ref float bj = ref Row(b, ldb, j, t0);
            WholeChunks(ref group.A0, ref group.A1, ref group.A2, ref group.A3, ref bj, whole, lanes);
            for (int l = whole; l < depth; l++)
            {
                AddProducts(ref group.A0, ref group.A1, ref group.A2, ref group.A3, Unsafe.Add(ref bj, l), l, lanes);
            }

            for (int r = 0; r < rows; r++)
            {
                c[((i0 + r) * n) + j] += Reduce(lanes.Slice(r * Lanes, Lanes));
            }
        }
    }

    /// <summary>References to a group's four rows of A at column t0; a group of fewer rows repeats its first row (those lanes are not used).</summary>
    private static void GroupRowsOfA(ReadOnlySpan<float> a, int lda, int i0, int rows, int t0, out Group group)
    {
        group = new Group(
            ref Row(a, lda, i0, t0),
            ref Row(a, lda, rows > 1 ? i0 + 1 : i0, t0),
            ref Row(a, lda, rows > 2 ? i0 + 2 : i0, t0),
            ref Row(a, lda, rows > 3 ? i0 + 3 : i0, t0));
    }

    /// <summary>A group's four rows of A at one column.</summary>
    private readonly ref struct Group(ref float a0, ref float a1, ref float a2, ref float a3)
    {
        public readonly ref float A0 = ref a0;
        public readonly ref float A1 = ref a1;
        public readonly ref float A2 = ref a2;
        public readonly ref float A3 = ref a3;
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

    /// <summary>
    /// One row x against four rows y over <paramref name="depth"/> (a multiple of 8), tile by tile: each tile's four
    /// sums added to <paramref name="sums"/> (term q in lane q).
    /// </summary>
    private static void OneByFour<TLanes>(ref float x0, ref float y0, ref float y1, ref float y2, ref float y3, int depth, ref Vector256<double> sums)
        where TLanes : struct, IEightLanes<TLanes>
    {
        for (int t0 = 0; t0 < depth; t0 += BlockedMatrixMultiply.TransposedDepthTile)
        {
            int end = Math.Min(depth, t0 + BlockedMatrixMultiply.TransposedDepthTile);
            TLanes s0 = TLanes.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (int l = t0; l < end; l += Lanes)
            {
                TLanes x = TLanes.Load(ref x0, (nuint)l);
                s0 = TLanes.MultiplyAdd(x, TLanes.Load(ref y0, (nuint)l), s0);
                s1 = TLanes.MultiplyAdd(x, TLanes.Load(ref y1, (nuint)l), s1);
                s2 = TLanes.MultiplyAdd(x, TLanes.Load(ref y2, (nuint)l), s2);
                s3 = TLanes.MultiplyAdd(x, TLanes.Load(ref y3, (nuint)l), s3);
            }

            sums += Widen(ReduceFour(TLanes.FoldHalves(s0), TLanes.FoldHalves(s1), TLanes.FoldHalves(s2), TLanes.FoldHalves(s3)));
        }
    }

    /// <summary>
    /// Two rows x against four rows y over <paramref name="depth"/> (a multiple of 8), tile by tile: x0's four sums of
    /// each tile added to <paramref name="firstSums"/>, x1's to <paramref name="secondSums"/>. Two rows of A by four of
    /// B, or (x·y = y·x in float) two rows of B by four of A.
    /// </summary>
    private static void TwoByFour<TLanes>(
        ref float x0, ref float x1, ref float y0, ref float y1, ref float y2, ref float y3, int depth, ref Vector256<double> firstSums, ref Vector256<double> secondSums)
        where TLanes : struct, IEightLanes<TLanes>
    {
        for (int t0 = 0; t0 < depth; t0 += BlockedMatrixMultiply.TransposedDepthTile)
        {
            int end = Math.Min(depth, t0 + BlockedMatrixMultiply.TransposedDepthTile);
            TLanes s0 = TLanes.Zero, s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
            for (int l = t0; l < end; l += Lanes)
            {
                TLanes x = TLanes.Load(ref x0, (nuint)l), w = TLanes.Load(ref x1, (nuint)l);
                TLanes y = TLanes.Load(ref y0, (nuint)l);
                s0 = TLanes.MultiplyAdd(x, y, s0);
                u0 = TLanes.MultiplyAdd(w, y, u0);
                y = TLanes.Load(ref y1, (nuint)l);
                s1 = TLanes.MultiplyAdd(x, y, s1);
                u1 = TLanes.MultiplyAdd(w, y, u1);
                y = TLanes.Load(ref y2, (nuint)l);
                s2 = TLanes.MultiplyAdd(x, y, s2);
                u2 = TLanes.MultiplyAdd(w, y, u2);
                y = TLanes.Load(ref y3, (nuint)l);
                s3 = TLanes.MultiplyAdd(x, y, s3);
                u3 = TLanes.MultiplyAdd(w, y, u3);
            }

            firstSums += Widen(ReduceFour(TLanes.FoldHalves(s0), TLanes.FoldHalves(s1), TLanes.FoldHalves(s2), TLanes.FoldHalves(s3)));
            secondSums += Widen(ReduceFour(TLanes.FoldHalves(u0), TLanes.FoldHalves(u1), TLanes.FoldHalves(u2), TLanes.FoldHalves(u3)));
        }
    }

    /// <summary>
    /// Four terms' lanes reduced in one vector, term q in lane q, each as <see cref="Reduce"/> does: given
    /// x_r = s_r + s_(r+4) (<see cref="IEightLanes{TSelf}.FoldHalves"/>), (x0 + x2) + (x1 + x3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ReduceFour(Vector128<float> h0, Vector128<float> h1, Vector128<float> h2, Vector128<float> h3)
    {
        if (Sse.IsSupported)
        {
            // (x0 + x2, x1 + x3) of terms 0 and 1, then of terms 2 and 3.
            Vector128<float> e01 = Sse.MoveLowToHigh(h0, h1) + Sse.MoveHighToLow(h1, h0);
            Vector128<float> e23 = Sse.MoveLowToHigh(h2, h3) + Sse.MoveHighToLow(h3, h2);
            return Sse.Shuffle(e01, e23, 0b10_00_10_00) + Sse.Shuffle(e01, e23, 0b11_01_11_01);
        }

        return ReduceFourByElement(h0, h1, h2, h3);
    }

    /// <summary><see cref="ReduceFour"/> without x86's shuffles (ARM64), one element at a time; internal for its test.</summary>
    internal static Vector128<float> ReduceFourByElement(Vector128<float> h0, Vector128<float> h1, Vector128<float> h2, Vector128<float> h3)
        => Vector128.Create(Pairs(h0), Pairs(h1), Pairs(h2), Pairs(h3));

    /// <summary>(x0 + x2) + (x1 + x3).</summary>
    private static float Pairs(Vector128<float> x) => (x.GetElement(0) + x.GetElement(2)) + (x.GetElement(1) + x.GetElement(3));

    private static Vector256<double> Widen(Vector128<float> sums) => Vector256.Create(Vector128.WidenLower(sums), Vector128.WidenUpper(sums));

    /// <summary>C's terms of one column for a group's rows (stride n), 0 for the rows the group lacks.</summary>
    private static Vector256<double> Column(ref double top, int n, int rows) => Vector256.Create(
        top, rows > 1 ? Unsafe.Add(ref top, n) : 0, rows > 2 ? Unsafe.Add(ref top, 2 * n) : 0, rows > 3 ? Unsafe.Add(ref top, 3 * n) : 0);

    private static void StoreColumn(Vector256<double> sums, ref double top, int n, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            Unsafe.Add(ref top, r * n) = sums.GetElement(r);
        }
    }

    /// <summary>((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), in float.</summary>
    private static float Reduce(ReadOnlySpan<float> s) => ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));

    private static ref float Row(ReadOnlySpan<float> matrix, int stride, int row, int column)
        => ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), ((nint)row * stride) + column);
}
