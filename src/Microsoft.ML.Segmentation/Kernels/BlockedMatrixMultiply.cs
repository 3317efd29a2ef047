using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Dense matrix products on row-major spans, blocked for the caches and the registers: a 4-row by 2-vector tile of C
/// stays in registers while the depth runs, a depth block of B (256 rows) by a column block (256 columns) is copied into
/// contiguous 2-vector-wide panels that stay in L2, and the 4 rows of A a tile needs are packed side by side.
/// </summary>
/// <remarks>
/// <para>Every element of C is summed over the depth in ascending order, as <c>c = b·a + c</c> with a rounding after
/// the product and after the sum (no fused multiply-add), starting from C itself or from zero. That is the order and
/// the arithmetic of the plain loop <c>for l: c[i,j] += a[i,l]·b[l,j]</c>, so the result equals that loop's bit for
/// bit on every SIMD width (Vector512, Vector256, Vector128 or scalar) and every thread count: column blocks may run
/// on several threads, but each element is summed by exactly one of them.</para>
/// </remarks>
internal static class BlockedMatrixMultiply
{
    /// <summary>Rows of C per register tile.</summary>
    private const int TileRows = 4;

    /// <summary>Rows of A below which C's columns are computed by streaming B's rows (no panels, see <see cref="FewRowsColumns{T}"/>).</summary>
    private const int FewRowsLimit = 8;

    /// <summary>Rows of B (the depth) per cache block: with 256 columns, 256 KiB of float in L2.</summary>
    private const int DepthBlock = 256;

    /// <summary>Columns of C per cache block, and the unit of work of a thread.</summary>
    private const int ColumnBlock = 256;

    /// <summary>Pixels of each partial sum of <see cref="AccumulateProductTransposed{T}"/>, before it is added in double.</summary>
    public const int TransposedDepthTile = 256;

    /// <summary>
    /// <c>c[i·ldc + j] = (accumulate ? c[i·ldc + j] : 0) + Σ_l a[i·aRowStride + l·aColumnStride] · b[l·ldb + j]</c>
    /// for i &lt; m, j &lt; n, l &lt; k: C = A·B, where A's strides let it be a matrix or a transposed one.
    /// </summary>
    /// <param name="a">A, m×k, element (i, l) at <c>i·aRowStride + l·aColumnStride</c>.</param>
    /// <param name="aRowStride">Distance between rows of A (k for a row-major A, 1 for a transposed one).</param>
    /// <param name="aColumnStride">Distance between columns of A (1 for a row-major A, m's row length for a transposed one).</param>
    /// <param name="b">B, k×n, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B, at least n.</param>
    /// <param name="c">C, m×n, row-major with row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C, at least n.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void Multiply<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColumnStride, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int n, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        CheckShape(a.Length, aRowStride, aColumnStride, b.Length, ldb, c.Length, ldc, m, k, n);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            return;
        }

        int blocks = (n + ColumnBlock - 1) / ColumnBlock;
        long work = (long)m * n * k;
        if (blocks == 1 || work < ParallelWork.MinimumParallelElements * 16L || Environment.ProcessorCount == 1)
        {
            for (int block = 0; block < blocks; block++)
            {
                Columns(a, aRowStride, aColumnStride, b, ldb, c, ldc, m, k, block * ColumnBlock, Math.Min(ColumnBlock, n - (block * ColumnBlock)), accumulate);
            }

            return;
        }

        MultiplyParallel(a, aRowStride, aColumnStride, b, ldb, c, ldc, m, k, n, accumulate, blocks);
    }

    /// <summary>
    /// <c>c[i·n + j] += Σ_l a[i·lda + l] · b[j·ldb + l]</c>: C += A·Bᵀ with A m×k and B n×k, both row-major, C in
    /// double. The depth (k, the pixels of a head) is cut into tiles of <see cref="TransposedDepthTile"/>; each tile's
    /// sums run in T through <see cref="Multiply{T}"/> on a transposed copy of B's tile and are then added to C, in
    /// ascending tile order, so the result depends on neither the SIMD width nor the thread count. A float A of at most
    /// <see cref="SplitSumProducts.MaxRows"/> rows takes <see cref="SplitSumProducts"/> instead (no transpose; each
    /// tile's sum split over eight fixed lanes, so again the same bits on every SIMD width).
    /// </summary>
    /// <param name="a">A, m×k, row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A, at least k.</param>
    /// <param name="b">B, n×k, row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B, at least k.</param>
    /// <param name="c">C, m×n row-major (row stride n), the double totals added to.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">The shared depth.</param>
    public static void AccumulateProductTransposed<T>(ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<double> c, int m, int n, int k)
        where T : unmanaged, INumber<T>
    {
        if (m < 0 || n < 0 || k < 0 || lda < k || ldb < k)
        {
            throw new ArgumentException($"Shape m={m}, n={n}, k={k} with lda={lda}, ldb={ldb}: sizes must be 0 or more and each stride at least k.");
        }

        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }

        CheckLength(a.Length, ((long)(m - 1) * lda) + k, nameof(a));
        CheckLength(b.Length, ((long)(n - 1) * ldb) + k, nameof(b));
        CheckLength(c.Length, (long)m * n, nameof(c));
        if (typeof(T) == typeof(float) && m <= SplitSumProducts.MaxRows)
        {
            // Few rows of A: the transpose of B's tiles would cost more than the products (see SplitSumProducts).
            SplitSumProducts.Accumulate(MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb, c, m, n, k);
            return;
        }

        int tile = Math.Min(TransposedDepthTile, k);
        T[] transposed = Scratch<T>.Rent(ref Scratch<T>.Transposed, tile * n);
        T[] partial = Scratch<T>.Rent(ref Scratch<T>.Partial, m * n);
        for (int t0 = 0; t0 < k; t0 += TransposedDepthTile)
        {
            int depth = Math.Min(TransposedDepthTile, k - t0);
            TransposeTile(b, ldb, t0, depth, n, transposed);

            Span<T> sums = partial.AsSpan(0, m * n);
            Multiply<T>(a.Slice(t0), lda, 1, transposed.AsSpan(0, depth * n), n, sums, n, m, depth, n, accumulate: false);
            AddWidened(sums, c);
        }
    }

    /// <summary>
    /// <c>c[i] += (double)sums[i]</c>: float sums widened two vectors at a time (exact, as the scalar conversion; a
    /// scalar loop was a fifth of a 256 × 448 weight gradient).
    /// </summary>
    private static void AddWidened<T>(ReadOnlySpan<T> sums, Span<double> c)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<float> values = MemoryMarshal.Cast<T, float>(sums);
            ref float source = ref MemoryMarshal.GetReference(values);
            ref double target = ref MemoryMarshal.GetReference(c);
            int width = Vector<float>.Count, half = Vector<double>.Count;
            for (; i <= values.Length - width; i += width)
            {
                Vector.Widen(Vector.LoadUnsafe(ref source, (nuint)i), out Vector<double> low, out Vector<double> high);
                (Vector.LoadUnsafe(ref target, (nuint)i) + low).StoreUnsafe(ref target, (nuint)i);
                (Vector.LoadUnsafe(ref target, (nuint)(i + half)) + high).StoreUnsafe(ref target, (nuint)(i + half));
            }
        }

        for (; i < sums.Length; i++)
        {
            c[i] += double.CreateTruncating(sums[i]);
        }
    }

    /// <summary>
    /// Bᵀ's tile, depth × n (<c>transposed[l·n + j] = b[j·ldb + t0 + l]</c>): the rows of the product's B operand, so
    /// that its inner loop reads contiguous columns. Copied in 16 × 16 blocks: row by row, every value went to another
    /// cache line n floats on (3.2 ns a value on the Zen 5 VM, 90 % of a 21 × 256 weight gradient and half of a
    /// 256 × 448 one); within a block the 16 lines written stay in L1.
    /// </summary>
    private static void TransposeTile<T>(ReadOnlySpan<T> b, int ldb, int t0, int depth, int n, T[] transposed)
        where T : unmanaged, INumber<T>
    {
        const int Block = 16;
        for (int j0 = 0; j0 < n; j0 += Block)
        {
            int jEnd = Math.Min(j0 + Block, n);
            for (int l0 = 0; l0 < depth; l0 += Block)
            {
                int count = Math.Min(Block, depth - l0);
                for (int j = j0; j < jEnd; j++)
                {
                    ReadOnlySpan<T> row = b.Slice((j * ldb) + t0 + l0, count);
                    for (int l = 0; l < count; l++)
                    {
                        transposed[((l0 + l) * n) + j] = row[l];
                    }
                }
            }
        }
    }

    private static unsafe void MultiplyParallel<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColumnStride, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int n, bool accumulate, int blocks)
        where T : unmanaged, INumber<T>
    {
        // Spans cannot enter the lambda; the pinned addresses can, and each block rebuilds its spans from them.
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            nint addressA = (nint)pa;
            nint addressB = (nint)pb;
            nint addressC = (nint)pc;
            int lengthA = a.Length;
            int lengthB = b.Length;
            int lengthC = c.Length;
            ParallelWork.For(blocks, (long)m * n * k, block =>
            {
                var sa = new ReadOnlySpan<T>((void*)addressA, lengthA);
                var sb = new ReadOnlySpan<T>((void*)addressB, lengthB);
                var sc = new Span<T>((void*)addressC, lengthC);
                Columns(sa, aRowStride, aColumnStride, sb, ldb, sc, ldc, m, k, block * ColumnBlock, Math.Min(ColumnBlock, n - (block * ColumnBlock)), accumulate);
            });
        }
    }

    /// <summary>Columns <c>[j0, j0 + width)</c> of C by the path for A's row count.</summary>
    private static void Columns<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColumnStride, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int j0, int width, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        if (m < FewRowsLimit)
        {
            FewRowsColumns(a, aRowStride, aColumnStride, b, ldb, c, ldc, m, k, j0, width, accumulate);
        }
        else
        {
            MultiplyColumns(a, aRowStride, aColumnStride, b, ldb, c, ldc, m, k, j0, width, accumulate);
        }
    }

    /// <summary>
    /// Columns <c>[j0, j0 + width)</c> of C = A·B for an A of fewer than <see cref="FewRowsLimit"/> rows (a head of up
    /// to 7 classes): B's rows streamed in ascending depth, each added into every row of C (TensorPrimitives'
    /// multiply-add, a rounding after the product and after the sum), whose block of columns stays in L1. The same sums
    /// as the tiles' (per element ascending depth, <c>c = b·a + c</c>), without copying B into panels for one or two
    /// register tiles: that copy made one row of A by 448 × 1024 take 3× the plain loop's time, and 4 rows by
    /// 448 × 16384 (a 512² image's features) 2–2.5×, where B no longer fits the caches and the copy doubles its traffic.
    /// </summary>
    private static void FewRowsColumns<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColumnStride, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int j0, int width, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        if (!accumulate)
        {
            for (int i = 0; i < m; i++)
            {
                c.Slice((i * ldc) + j0, width).Clear();
            }
        }

        for (int l = 0; l < k; l++)
        {
            ReadOnlySpan<T> row = b.Slice((l * ldb) + j0, width);
            for (int i = 0; i < m; i++)
            {
                Span<T> target = c.Slice((i * ldc) + j0, width);
                TensorPrimitives.MultiplyAdd(row, a[(i * aRowStride) + (l * aColumnStride)], target, target);
            }
        }
    }

    /// <summary>Columns <c>[j0, j0 + width)</c> of C, every row, the whole depth in blocks.</summary>
    private static void MultiplyColumns<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColumnStride, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int j0, int width, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        Span<T> packed = stackalloc T[DepthBlock * TileRows];
        ref T bRef = ref MemoryMarshal.GetReference(b);
        ref T cRef = ref MemoryMarshal.GetReference(c);
        int v = Vector<T>.Count;
        // Panels of two 512-bit vectors where the CPU runs them at full width (Vector<T> stays 256 bits there); each
        // element's sum is the same in any width.
        bool wide = Vector512Policy.Use512 && Vector512<T>.IsSupported && Vector512<T>.Count == 2 * v;
        int panelWidth = wide ? 2 * Vector512<T>.Count : 2 * v;
        int panels = width / panelWidth;
        T[] panelBuffer = Scratch<T>.Rent(ref Scratch<T>.Panels, DepthBlock * panels * panelWidth);
        ref T panelRef = ref MemoryMarshal.GetArrayDataReference(panelBuffer);
        for (int l0 = 0; l0 < k; l0 += DepthBlock)
        {
            int depth = Math.Min(DepthBlock, k - l0);
            bool load = accumulate || l0 > 0;
            ref T bBlock = ref Unsafe.Add(ref bRef, ((nint)l0 * ldb) + j0);
            // B's block as contiguous panels of 2 vectors' width, [panel][l][panelWidth]: read with B's own row stride,
            // the tile's depth loop would hop by ldb (4 KiB for 1024 pixels), and such strides share one L1 set.
            for (int panel = 0; panel < panels; panel++)
            {
                for (int l = 0; l < depth; l++)
                {
                    ref T source = ref Unsafe.Add(ref bBlock, ((nint)l * ldb) + (panel * panelWidth));
                    ref T target = ref Unsafe.Add(ref panelRef, (nint)((panel * depth) + l) * panelWidth);
                    for (int q = 0; q < panelWidth; q += v)
                    {
                        Vector.LoadUnsafe(ref source, (nuint)q).StoreUnsafe(ref target, (nuint)q);
                    }
                }
            }

            int i0 = 0;
            for (; i0 + TileRows <= m; i0 += TileRows)
            {
                // A's 4 rows for this depth block, interleaved: packed[l·4 + r] = A(i0 + r, l0 + l).
                for (int l = 0; l < depth; l++)
                {
                    int column = (l0 + l) * aColumnStride;
                    for (int r = 0; r < TileRows; r++)
                    {
                        packed[(l * TileRows) + r] = a[((i0 + r) * aRowStride) + column];
                    }
                }

                ref T aPacked = ref MemoryMarshal.GetReference(packed);
                ref T cRow = ref Unsafe.Add(ref cRef, ((nint)i0 * ldc) + j0);
                for (int panel = 0; panel < panels; panel++)
                {
                    ref T panelB = ref Unsafe.Add(ref panelRef, (nint)panel * depth * panelWidth);
                    if (wide)
                    {
                        Tile4x2<T, TileVector512<T>>(ref aPacked, depth, ref panelB, panelWidth, ref Unsafe.Add(ref cRow, panel * panelWidth), ldc, load);
                    }
                    else
                    {
                        Tile4x2<T, TileVectorT<T>>(ref aPacked, depth, ref panelB, panelWidth, ref Unsafe.Add(ref cRow, panel * panelWidth), ldc, load);
                    }
                }

                int j = panels * panelWidth;

                for (; j + v <= width; j += v)
                {
                    Tile4x1(ref aPacked, depth, ref Unsafe.Add(ref bBlock, j), ldb, ref Unsafe.Add(ref cRow, j), ldc, load);
                }

                for (; j < width; j++)
                {
                    for (int r = 0; r < TileRows; r++)
                    {
                        ref T target = ref Unsafe.Add(ref cRow, ((nint)r * ldc) + j);
                        T sum = load ? target : T.Zero;
                        for (int l = 0; l < depth; l++)
                        {
                            sum = (Unsafe.Add(ref bBlock, ((nint)l * ldb) + j) * packed[(l * TileRows) + r]) + sum;
                        }

                        target = sum;
                    }
                }
            }

            for (; i0 < m; i0++)
            {
                for (int l = 0; l < depth; l++)
                {
                    packed[l] = a[(i0 * aRowStride) + ((l0 + l) * aColumnStride)];
                }

                ref T aPacked = ref MemoryMarshal.GetReference(packed);
                ref T cRow = ref Unsafe.Add(ref cRef, ((nint)i0 * ldc) + j0);
                for (int panel = 0; panel < panels; panel++)
                {
                    // A wide panel is two of Tile1x2's width.
                    for (int q = 0; q < panelWidth; q += 2 * v)
                    {
                        Tile1x2(ref aPacked, depth, ref Unsafe.Add(ref panelRef, ((nint)panel * depth * panelWidth) + q), panelWidth, ref Unsafe.Add(ref cRow, (panel * panelWidth) + q), load);
                    }
                }

                int j = panels * panelWidth;

                for (; j < width; j++)
                {
                    ref T target = ref Unsafe.Add(ref cRow, j);
                    T sum = load ? target : T.Zero;
                    for (int l = 0; l < depth; l++)
                    {
                        sum = (Unsafe.Add(ref bBlock, ((nint)l * ldb) + j) * packed[l]) + sum;
                    }

                    target = sum;
                }
            }
        }
    }

    /// <summary>C's 4 rows × 2 vectors += A's packed 4 rows · B's depth×(2 vectors), vectors of <typeparamref name="TVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x2<T, TVector>(ref T a, int depth, ref T b, int ldb, ref T c, int ldc, bool load)
        where T : unmanaged, INumber<T>
        where TVector : struct, ITileVector<TVector, T>
    {
        nuint v = (nuint)TVector.Count;
        ref T c1 = ref Unsafe.Add(ref c, ldc);
        ref T c2 = ref Unsafe.Add(ref c, 2 * (nint)ldc);
        ref T c3 = ref Unsafe.Add(ref c, 3 * (nint)ldc);
        TVector s00 = TVector.Zero, s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        if (load)
        {
            s00 = TVector.Load(ref c, 0);
            s01 = TVector.Load(ref c, v);
            s10 = TVector.Load(ref c1, 0);
            s11 = TVector.Load(ref c1, v);
            s20 = TVector.Load(ref c2, 0);
            s21 = TVector.Load(ref c2, v);
            s30 = TVector.Load(ref c3, 0);
            s31 = TVector.Load(ref c3, v);
        }

        for (int l = 0; l < depth; l++)
        {
            ref T row = ref Unsafe.Add(ref b, (nint)l * ldb);
            TVector b0 = TVector.Load(ref row, 0);
            TVector b1 = TVector.Load(ref row, v);
            ref T al = ref Unsafe.Add(ref a, l * TileRows);
            TVector a0 = TVector.Create(al), a1 = TVector.Create(Unsafe.Add(ref al, 1));
            TVector a2 = TVector.Create(Unsafe.Add(ref al, 2)), a3 = TVector.Create(Unsafe.Add(ref al, 3));
            s00 = TVector.MultiplyAdd(b0, a0, s00);
            s01 = TVector.MultiplyAdd(b1, a0, s01);
            s10 = TVector.MultiplyAdd(b0, a1, s10);
            s11 = TVector.MultiplyAdd(b1, a1, s11);
            s20 = TVector.MultiplyAdd(b0, a2, s20);
            s21 = TVector.MultiplyAdd(b1, a2, s21);
            s30 = TVector.MultiplyAdd(b0, a3, s30);
            s31 = TVector.MultiplyAdd(b1, a3, s31);
        }

        TVector.Store(s00, ref c, 0);
        TVector.Store(s01, ref c, v);
        TVector.Store(s10, ref c1, 0);
        TVector.Store(s11, ref c1, v);
        TVector.Store(s20, ref c2, 0);
        TVector.Store(s21, ref c2, v);
        TVector.Store(s30, ref c3, 0);
        TVector.Store(s31, ref c3, v);
    }

    /// <summary>C's 4 rows × 1 vector += A's packed 4 rows · B's depth×(1 vector).</summary>
    private static void Tile4x1<T>(ref T a, int depth, ref T b, int ldb, ref T c, int ldc, bool load)
        where T : unmanaged, INumber<T>
    {
        ref T c1 = ref Unsafe.Add(ref c, ldc);
        ref T c2 = ref Unsafe.Add(ref c, 2 * (nint)ldc);
        ref T c3 = ref Unsafe.Add(ref c, 3 * (nint)ldc);
        Vector<T> s0 = load ? Vector.LoadUnsafe(ref c) : Vector<T>.Zero;
        Vector<T> s1 = load ? Vector.LoadUnsafe(ref c1) : Vector<T>.Zero;
        Vector<T> s2 = load ? Vector.LoadUnsafe(ref c2) : Vector<T>.Zero;
        Vector<T> s3 = load ? Vector.LoadUnsafe(ref c3) : Vector<T>.Zero;
        for (int l = 0; l < depth; l++)
        {
            Vector<T> b0 = Vector.LoadUnsafe(ref Unsafe.Add(ref b, (nint)l * ldb));
            ref T al = ref Unsafe.Add(ref a, l * TileRows);
            s0 = (b0 * new Vector<T>(al)) + s0;
            s1 = (b0 * new Vector<T>(Unsafe.Add(ref al, 1))) + s1;
            s2 = (b0 * new Vector<T>(Unsafe.Add(ref al, 2))) + s2;
            s3 = (b0 * new Vector<T>(Unsafe.Add(ref al, 3))) + s3;
        }

        s0.StoreUnsafe(ref c);
        s1.StoreUnsafe(ref c1);
        s2.StoreUnsafe(ref c2);
        s3.StoreUnsafe(ref c3);
    }

    /// <summary>One row of C × 2 vectors += one packed row of A · B's depth×(2 vectors).</summary>
    private static void Tile1x2<T>(ref T a, int depth, ref T b, int ldb, ref T c, bool load)
        where T : unmanaged, INumber<T>
    {
        nuint v = (nuint)Vector<T>.Count;
        Vector<T> s0 = load ? Vector.LoadUnsafe(ref c) : Vector<T>.Zero;
        Vector<T> s1 = load ? Vector.LoadUnsafe(ref c, v) : Vector<T>.Zero;
        for (int l = 0; l < depth; l++)
        {
            ref T row = ref Unsafe.Add(ref b, (nint)l * ldb);
            var al = new Vector<T>(Unsafe.Add(ref a, l));
            s0 = (Vector.LoadUnsafe(ref row) * al) + s0;
            s1 = (Vector.LoadUnsafe(ref row, v) * al) + s1;
        }

        s0.StoreUnsafe(ref c);
        s1.StoreUnsafe(ref c, v);
    }

    private static void CheckShape(int aLength, int aRowStride, int aColumnStride, int bLength, int ldb, int cLength, int ldc, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0 || aRowStride < 0 || aColumnStride < 0 || ldb < n || ldc < n)
        {
            throw new ArgumentException(
                $"Shape m={m}, k={k}, n={n} with A strides ({aRowStride}, {aColumnStride}), ldb={ldb}, ldc={ldc}: sizes and strides must be 0 or more, ldb and ldc at least n.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        if (k > 0)
        {
            CheckLength(aLength, ((long)(m - 1) * aRowStride) + ((long)(k - 1) * aColumnStride) + 1, "a");
            CheckLength(bLength, ((long)(k - 1) * ldb) + n, "b");
        }

        CheckLength(cLength, ((long)(m - 1) * ldc) + n, "c");
    }

    private static void CheckLength(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} holds {length} values; the shape and strides need {needed}.", name);
        }
    }

    /// <summary>Per-thread buffers, kept at their largest size.</summary>
    private static class Scratch<T>
    {
        [ThreadStatic]
        internal static T[]? Transposed;

        [ThreadStatic]
        internal static T[]? Partial;

        /// <summary>B's block as panels (<see cref="MultiplyColumns{T}"/>), one per thread, as column blocks may run in parallel.</summary>
        [ThreadStatic]
        internal static T[]? Panels;

        internal static T[] Rent(ref T[]? buffer, int length)
        {
            if (buffer is null || buffer.Length < length)
            {
                buffer = new T[length];
            }

            return buffer;
        }
    }
}
