using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Segmentation.Kernels;
using static Microsoft.ML.Segmentation.Kernels.RegionVectorMath;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The Generalized Wasserstein Dice loss in two passes: one over the logits (softmax in cache-sized blocks of every
/// channel, the sums per class) and one over the gradient. With M the normalised distance matrix, W_l = Σ_k M[l,k]·p_k
/// the pixel's error against class l, per image and class l: n_l = Σ t_l (the class's target volume) and
/// Q_l = Σ t_l·W_l. Every term of the loss is a sum of these (TP = Σ_l α_l(n_l − Q_l), errors = Σ_l Q_l, the GDL
/// denominator Σ_l α_l(2n_l − Q_l)), so α may depend on the volumes (GDL) and still be known only after the pass.
/// </summary>
/// <remarks>
/// <para>The loss's derivative is ∂L/∂p_k = Σ_l t_l·γ_l·M[l,k] with one coefficient per image and class,
/// γ_l = c₁α_l + c₂ (<see cref="GeneralizedWassersteinDiceLoss"/> computes them from the sums). On a label map t is
/// one-hot, so ∂L/∂p_k = γ_l·M[l,k] and, through the softmax, ∂L/∂x_k = γ_l·p_k(M[l,k] − W_l): the forward pass
/// writes h_k = p_k(M[l,k] − W_l) (or M[l,k] for probabilities) where the gradient goes, and the backward pass only
/// multiplies each pixel by its class's γ. The forward's one table read per element, M[l,k] at the pixel's label,
/// replaces the C² products per pixel of the formula (the reference, <see cref="GeneralizedWassersteinDiceReference"/>).</para>
/// <para>A dense target needs every class's Q_l: C² dot products of a target row and a probability row per block, and
/// the backward pass C² vector multiply-adds per block (∂L/∂p_k = Σ_l γ_l t_l M[l,k]). A pixel
/// with a NaN in any channel is left out (as the reference's validity), an infinite target value stops the kernel.</para>
/// <para>Work items are runs of <see cref="RegionFusedKernel.ItemPixels"/> pixels of one image with their own partial
/// sums (float within a block, double across blocks), added in item order: the result does not depend on threads.</para>
/// </remarks>
internal static class WassersteinDiceKernel
{
    private const int BlockPixels = RegionFusedKernel.BlockPixels;

    /// <summary>
    /// Slots per image: (n_l, Q_l) for each class l, then (Σ n, Σ Q) over the classes. On a label map with
    /// <c>perClass</c> false only class 0's slot and the total are filled (the default weighting needs no more).
    /// </summary>
    public static int SlotsPerImage(int classes) => 2 * (classes + 1);

    /// <summary>
    /// Fills <paramref name="sums"/> (N · <see cref="SlotsPerImage"/>) from softmax(<paramref name="input"/>) (or the
    /// input itself when <paramref name="softmax"/> is false) against <paramref name="dense"/> when it is not empty,
    /// else against the label map (validated by the caller); when <paramref name="gradient"/> is not empty, leaves in
    /// it what <see cref="Backward{T}"/> needs. Returns <see langword="false"/> when an input value is not finite or a
    /// dense target value is infinite (nothing usable is written then). <paramref name="distances"/> holds M[l,k] at
    /// <c>l·C + k</c>, already divided by its largest entry.
    /// </summary>
    public static unsafe bool Forward<T>(ReadOnlySpan<T> input, SegmentationShape shape, ReadOnlySpan<int> labels, ReadOnlySpan<T> dense, int ignore,
        bool softmax, bool perClass, ReadOnlySpan<double> distances, Span<double> sums, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int slots = SlotsPerImage(c);
        int perImage = RegionFusedKernel.ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var partials = new double[items * slots];
        var ok = new bool[items];
        bool isDense = !dense.IsEmpty;
        T[] rowMajor = ToElementType<T>(distances);
        T[] columns = isDense ? Array.Empty<T>() : Columns<T>(distances, c);
        fixed (T* xp = input)
        fixed (int* lp = labels)
        fixed (T* tp = dense)
        fixed (T* gp = gradient)
        {
            var x = new NativeSpan<T>(xp, input.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var t = new NativeSpan<T>(tp, dense.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = RegionFusedKernel.ItemRange(shape, perImage, item);
                Span<double> part = partials.AsSpan(item * slots, slots);
                ok[item] = isDense
                    ? DenseItem(x.Span, shape, t.Span, softmax, rowMajor, n, start, end, part, g.Span)
                    : LabelItem(x.Span, shape, l.Span, ignore, softmax, perClass, columns, n, start, end, part, g.Span);
            });
        }

        if (Array.IndexOf(ok, false) >= 0)
        {
            return false;
        }

        sums.Clear();
        for (int item = 0; item < items; item++)
        {
            Span<double> into = sums.Slice(item / perImage * slots, slots);
            for (int j = 0; j < slots; j++)
            {
                into[j] += partials[(item * slots) + j];
            }
        }

        return true;
    }

    /// <summary>
    /// Turns what <see cref="Forward{T}"/> left in <paramref name="gradient"/> into ∂loss/∂input, from
    /// <paramref name="coefficients"/> γ (N·C, the reduction's scale included); <paramref name="distances"/> as for
    /// <see cref="Forward{T}"/>.
    /// </summary>
    public static unsafe void Backward<T>(SegmentationShape shape, ReadOnlySpan<int> labels, ReadOnlySpan<T> dense, int ignore, bool softmax,
        ReadOnlySpan<double> distances, ReadOnlySpan<double> coefficients, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int perImage = RegionFusedKernel.ItemsPerImage(shape);
        bool isDense = !dense.IsEmpty;
        T[] rowMajor = ToElementType<T>(distances);

        // γ per image and row of the label table: the classes', then 0 for pixels without a class (ignored, or label 0 of one channel).
        var gamma = new T[shape.Batch * (c + 1)];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int k = 0; k < c; k++)
            {
                gamma[(n * (c + 1)) + k] = T.CreateTruncating(coefficients[(n * c) + k]);
            }
        }

        fixed (int* lp = labels)
        fixed (T* tp = dense)
        fixed (T* gp = gradient)
        {
            var l = new NativeSpan<int>(lp, labels.Length);
            var t = new NativeSpan<T>(tp, dense.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            ParallelWork.For(shape.Batch * perImage, shape.ElementCount, item =>
            {
                (int n, int start, int end) = RegionFusedKernel.ItemRange(shape, perImage, item);
                ReadOnlySpan<T> imageGamma = gamma.AsSpan(n * (c + 1), c + 1);
                if (isDense)
                {
                    DenseItemGradient(shape, t.Span, softmax, rowMajor, imageGamma, n, start, end, g.Span);
                }
                else
                {
                    LabelItemGradient(shape, l.Span, ignore, imageGamma, n, start, end, g.Span);
                }
            });
        }
    }

    private static T[] ToElementType<T>(ReadOnlySpan<double> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = T.CreateTruncating(values[i]);
        }

        return result;
    }

    /// <summary>Entries per column of the label table: C + 1 rounded up to 8, so a column is whole eight-entry tables.</summary>
    private static int ColumnStride(int c) => (c + 8) & ~7;

    /// <summary>Column k of M at <c>k·<see cref="ColumnStride"/> + row</c>, with a row C of zeros for pixels that have no class.</summary>
    private static T[] Columns<T>(ReadOnlySpan<double> distances, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int stride = ColumnStride(c);
        var result = new T[c * stride];
        for (int k = 0; k < c; k++)
        {
            for (int row = 0; row < c; row++)
            {
                result[(k * stride) + row] = T.CreateTruncating(distances[(row * c) + k]);
            }
        }

        return result;
    }

    /// <summary>
    /// The row of the label table of each pixel: its class, or C where it has none (ignored; with one channel, the
    /// target is label 1, so label 0 has none). Also the row as a value of <typeparamref name="T"/>, for comparisons.
    /// </summary>
    private static void Rows<T>(ReadOnlySpan<int> labels, int classes, int ignore, Span<int> rows, Span<T> rowValues)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            Span<float> values = MemoryMarshal.Cast<T, float>(rowValues);
            var ignored = new Vector<int>(ignore);
            var none = new Vector<int>(classes);
            for (; i <= labels.Length - Vector<int>.Count; i += Vector<int>.Count)
            {
                Vector<int> label = Load(labels, i);
                Vector<int> row = classes == 1
                    ? Vector<int>.One & ~Vector.Equals(label, Vector<int>.One)
                    : Vector.ConditionalSelect(Vector.Equals(label, ignored), none, label);
                Store(row, rows, i);
                Store(Vector.ConvertToSingle(row), values, i);
            }
        }

        for (; i < labels.Length; i++)
        {
            int label = labels[i];
            int row = classes == 1 ? (label == 1 ? 0 : 1) : (label == ignore ? classes : label);
            rows[i] = row;
            rowValues[i] = T.CreateTruncating(row);
        }
    }

    /// <summary>
    /// Loads the block's probabilities of every channel into <paramref name="probs"/> (stride <see cref="BlockPixels"/>),
    /// or with softmax and not <paramref name="normalize"/>, exp(x − max) with 1/Σ in <paramref name="sum"/>; false if an input is not finite.
    /// </summary>
    private static bool BlockProbabilities<T>(ReadOnlySpan<T> x, SegmentationShape shape, bool softmax, int n, int b, int length, Span<T> probs, Span<T> max, Span<T> sum, bool normalize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        if (!softmax)
        {
            bool finite = true;
            for (int k = 0; k < c; k++)
            {
                finite &= CopyMaxAndCheckFinite(x.Slice((((n * c) + k) * shape.PixelsPerImage) + b, length), probs.Slice(k * BlockPixels, length), max, first: true);
            }

            return finite;
        }

        if (!RegionFusedKernel.BlockSoftmax(x, shape, n, b, length, probs, max, sum))
        {
            return false;
        }

        if (!normalize)
        {
            return true;
        }

        for (int k = 0; k < c; k++)
        {
            Span<T> p = probs.Slice(k * BlockPixels, length);
            TensorPrimitives.Multiply(p, sum, p);
        }

        return true;
    }

    private static bool LabelItem<T>(ReadOnlySpan<T> x, SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, bool softmax, bool perClass,
        T[] columns, int n, int start, int end, Span<double> part, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        bool keep = !gradient.IsEmpty;
        int tableRows = keep ? c : 1; // M at the labels kept for every channel only when h is written
        using (var scratch = new BlockScratch<T>(c + tableRows + 4))
        using (var rowScratch = new BlockScratch<int>(1))
        {
            Span<T> probs = scratch.Rows(0, c);
            Span<T> table = scratch.Rows(c, tableRows);
            Span<T> max = scratch.Rows(c + tableRows);
            Span<T> sum = scratch.Rows(c + tableRows + 1);
            Span<T> w = scratch.Rows(c + tableRows + 2);
            Span<T> rowValues = scratch.Rows(c + tableRows + 3);
            Span<int> rows = rowScratch.Rows(0);
            int groups = perClass ? c : 1;
            for (int b = start; b < end; b += BlockPixels)
            {
                int len = Math.Min(BlockPixels, end - b);
                if (!BlockProbabilities(x, shape, softmax, n, b, len, probs, max[..len], sum[..len], normalize: false))
                {
                    return false;
                }

                Rows(labels.Slice((n * s) + b, len), c, ignore, rows[..len], rowValues[..len]);
                Span<T> errors = w[..len];
                errors.Clear();
                if (!softmax)
                {
                    sum[..len].Fill(T.One);
                }

                for (int k = 0; k < c; k++)
                {
                    ColumnPass(probs.Slice(k * BlockPixels, len), sum[..len], columns.AsSpan(k * ColumnStride(c), ColumnStride(c)), rows[..len], table.Slice((keep ? k : 0) * BlockPixels, len), errors);
                }

                if (keep)
                {
                    for (int k = 0; k < c; k++)
                    {
                        Span<T> h = gradient.Slice((((n * c) + k) * s) + b, len);
                        ReadOnlySpan<T> m = table.Slice(k * BlockPixels, len);
                        if (softmax)
                        {
                            SoftmaxGradient<T>(probs.Slice(k * BlockPixels, len), m, errors, h); // p_k(M[l,k] − W)
                        }
                        else
                        {
                            m.CopyTo(h);
                        }
                    }
                }

                // The total is the sum of the groups' sums, so the default weighting's n − n₀ and Q − Q₀ cancel
                // exactly where they should (one channel: class 0 is every class, TP = 0).
                for (int cls = 0; cls < groups; cls++)
                {
                    (double count, double sumW) = AddRows(rowValues[..len], errors, T.CreateTruncating(cls), T.CreateTruncating(cls));
                    part[2 * cls] += count;
                    part[(2 * cls) + 1] += sumW;
                    part[2 * c] += count;
                    part[(2 * c) + 1] += sumW;
                }

                if (!perClass && c > 1)
                {
                    (double count, double sumW) = AddRows(rowValues[..len], errors, T.One, T.CreateTruncating(c - 1));
                    part[2 * c] += count;
                    part[(2 * c) + 1] += sumW;
                }
            }

            return true;
        }
    }

    private static void LabelItemGradient<T>(SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, ReadOnlySpan<T> gamma, int n, int start, int end, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        using (var scratch = new BlockScratch<T>(2))
        using (var rowScratch = new BlockScratch<int>(1))
        {
            Span<T> factor = scratch.Rows(0);
            Span<T> rowValues = scratch.Rows(1);
            Span<int> rows = rowScratch.Rows(0);
            for (int b = start; b < end; b += BlockPixels)
            {
                int len = Math.Min(BlockPixels, end - b);
                Rows(labels.Slice((n * s) + b, len), c, ignore, rows[..len], rowValues[..len]);
                Gather(gamma, rows[..len], factor[..len]);
                for (int k = 0; k < c; k++)
                {
                    Span<T> h = gradient.Slice((((n * c) + k) * s) + b, len);
                    TensorPrimitives.Multiply(h, factor[..len], h);
                }
            }
        }
    }

    private static bool DenseItem<T>(ReadOnlySpan<T> x, SegmentationShape shape, ReadOnlySpan<T> dense, bool softmax, T[] distances,
        int n, int start, int end, Span<double> part, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        using (var scratch = new BlockScratch<T>((2 * c) + 3))
        {
            Span<T> probs = scratch.Rows(0, c);
            Span<T> targets = scratch.Rows(c, c);
            Span<T> max = scratch.Rows(2 * c);
            Span<T> sum = scratch.Rows((2 * c) + 1);
            Span<T> total = scratch.Rows((2 * c) + 2);
            for (int b = start; b < end; b += BlockPixels)
            {
                int len = Math.Min(BlockPixels, end - b);
                if (!BlockProbabilities(x, shape, softmax, n, b, len, probs, max[..len], sum[..len], normalize: true)
                    || !MaskedTargets(dense, shape, n, b, len, targets, total[..len]))
                {
                    return false;
                }

                if (!gradient.IsEmpty)
                {
                    for (int k = 0; k < c; k++)
                    {
                        probs.Slice(k * BlockPixels, len).CopyTo(gradient.Slice((((n * c) + k) * s) + b, len));
                    }
                }

                // Q_l = Σ_i t_l Σ_k M[l,k] p_k = Σ_k M[l,k]·(t_l · p_k): C² dot products read two rows and write
                // nothing, where forming W_l row by row also wrote it C times.
                for (int cls = 0; cls < c; cls++)
                {
                    ReadOnlySpan<T> tl = targets.Slice(cls * BlockPixels, len);
                    double volume = double.CreateTruncating(TensorPrimitives.Sum(tl));
                    double q = 0;
                    for (int k = 0; k < c; k++)
                    {
                        T distance = distances[(cls * c) + k];
                        if (distance != T.Zero)
                        {
                            q += double.CreateTruncating(distance * TensorPrimitives.Dot(tl, probs.Slice(k * BlockPixels, len)));
                        }
                    }

                    part[2 * cls] += volume;
                    part[(2 * cls) + 1] += q;
                    part[2 * c] += volume;
                    part[(2 * c) + 1] += q;
                }
            }

            return true;
        }
    }

    private static void DenseItemGradient<T>(SegmentationShape shape, ReadOnlySpan<T> dense, bool softmax, T[] distances, ReadOnlySpan<T> gamma,
        int n, int start, int end, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        using (var scratch = new BlockScratch<T>((2 * c) + 2))
        {
            Span<T> targets = scratch.Rows(0, c);
            Span<T> derivatives = scratch.Rows(c, c);
            Span<T> total = scratch.Rows(2 * c);
            Span<T> dot = scratch.Rows((2 * c) + 1);
            for (int b = start; b < end; b += BlockPixels)
            {
                int len = Math.Min(BlockPixels, end - b);
                _ = MaskedTargets(dense, shape, n, b, len, targets, total[..len]); // infinite values stopped the forward pass
                for (int cls = 0; cls < c; cls++)
                {
                    Span<T> tl = targets.Slice(cls * BlockPixels, len);
                    TensorPrimitives.Multiply(tl, gamma[cls], tl); // γ_l·t_l
                }

                // ∂L/∂p_k = Σ_l γ_l t_l M[l,k].
                dot[..len].Clear();
                for (int k = 0; k < c; k++)
                {
                    Span<T> d = derivatives.Slice(k * BlockPixels, len);
                    d.Clear();
                    for (int cls = 0; cls < c; cls++)
                    {
                        TensorPrimitives.MultiplyAdd(targets.Slice(cls * BlockPixels, len), distances[(cls * c) + k], d, d);
                    }

                    if (softmax)
                    {
                        TensorPrimitives.MultiplyAdd(gradient.Slice((((n * c) + k) * s) + b, len), d, dot[..len], dot[..len]);
                    }
                }

                for (int k = 0; k < c; k++)
                {
                    Span<T> row = gradient.Slice((((n * c) + k) * s) + b, len);
                    ReadOnlySpan<T> d = derivatives.Slice(k * BlockPixels, len);
                    if (softmax)
                    {
                        SoftmaxGradient<T>(row, d, dot[..len], row); // p being what the forward pass left in the row
                    }
                    else
                    {
                        d.CopyTo(row);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The block's target rows into <paramref name="targets"/> (stride <see cref="BlockPixels"/>) with every channel
    /// of a pixel that has a NaN in any channel set to 0; false if a value is infinite.
    /// </summary>
    private static bool MaskedTargets<T>(ReadOnlySpan<T> dense, SegmentationShape shape, int n, int b, int length, Span<T> targets, Span<T> total)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        bool finite = true;
        for (int k = 0; k < c; k++)
        {
            ReadOnlySpan<T> row = dense.Slice((((n * c) + k) * s) + b, length);
            finite &= !TensorPrimitives.IsInfinityAny(row);
            if (k == 0)
            {
                row.CopyTo(total);
            }
            else
            {
                TensorPrimitives.Add(total, row, total); // NaN where any channel is NaN
            }
        }

        bool anyNaN = TensorPrimitives.IsNaNAny<T>(total);
        for (int k = 0; k < c; k++)
        {
            ReadOnlySpan<T> row = dense.Slice((((n * c) + k) * s) + b, length);
            Span<T> into = targets.Slice(k * BlockPixels, length);
            if (!anyNaN)
            {
                row.CopyTo(into);
                continue;
            }

            for (int i = 0; i < length; i++)
            {
                into[i] = T.IsNaN(total[i]) ? T.Zero : row[i];
            }
        }

        return finite;
    }

    /// <summary>
    /// One channel of a label-map block: p = e·(1/Σ) in place, m = M[row, k] at each pixel's row, W += m·p. With AVX2
    /// and float, a column of up to 32 rows is read by eight-entry permutes (<c>vpermps</c>) and blends; otherwise by a
    /// scalar pass into <paramref name="m"/> first. The scalar pass was 16 % of the kernel (AVX2 profile, C = 21), and
    /// <c>vgatherdps</c> took as long as it on this machine (Zen 5).
    /// </summary>
    private static void ColumnPass<T>(Span<T> e, ReadOnlySpan<T> inverseSum, ReadOnlySpan<T> column, ReadOnlySpan<int> rows, Span<T> m, Span<T> w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (typeof(T) == typeof(float) && Avx2.IsSupported && Vector<float>.Count == 8 && column.Length <= 32)
        {
            i = PermutedColumnPass(MemoryMarshal.Cast<T, float>(e), MemoryMarshal.Cast<T, float>(inverseSum), MemoryMarshal.Cast<T, float>(column), rows,
                MemoryMarshal.Cast<T, float>(m), MemoryMarshal.Cast<T, float>(w));
        }
        else if (Vector.IsHardwareAccelerated)
        {
            Gather(column, rows, m);
            for (; i <= e.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> p = Load<T>(e, i) * Load(inverseSum, i);
                Store(p, e, i);
                Store((Load<T>(m, i) * p) + Load<T>(w, i), w, i);
            }
        }

        for (; i < e.Length; i++)
        {
            T p = e[i] * inverseSum[i];
            T entry = column[rows[i]];
            e[i] = p;
            m[i] = entry;
            w[i] = (entry * p) + w[i];
        }
    }

    /// <summary>The vector part of <see cref="ColumnPass{T}"/> by permutes; returns where the scalar tail starts.</summary>
    private static int PermutedColumnPass(Span<float> e, ReadOnlySpan<float> inverseSum, ReadOnlySpan<float> column, ReadOnlySpan<int> rows, Span<float> m, Span<float> w)
    {
        int tables = column.Length / 8;
        ref float entries = ref MemoryMarshal.GetReference(column);
        Vector256<float> t0 = Vector256.LoadUnsafe(ref entries);
        Vector256<float> t1 = tables > 1 ? Vector256.LoadUnsafe(ref entries, 8) : default;
        Vector256<float> t2 = tables > 2 ? Vector256.LoadUnsafe(ref entries, 16) : default;
        Vector256<float> t3 = tables > 3 ? Vector256.LoadUnsafe(ref entries, 24) : default;
        ref int index = ref MemoryMarshal.GetReference(rows);
        ref float es = ref MemoryMarshal.GetReference(e);
        ref float ss = ref MemoryMarshal.GetReference(inverseSum);
        ref float ms = ref MemoryMarshal.GetReference(m);
        ref float ws = ref MemoryMarshal.GetReference(w);
        int i = 0;
        for (; i <= e.Length - 8; i += 8)
        {
            Vector256<int> row = Vector256.LoadUnsafe(ref index, (nuint)i);
            Vector256<float> entry = Avx2.PermuteVar8x32(t0, row); // the low three bits pick the entry
            if (tables > 1)
            {
                entry = Avx.BlendVariable(entry, Avx2.PermuteVar8x32(t1, row), Vector256.GreaterThan(row, Vector256.Create(7)).AsSingle());
            }

            if (tables > 2)
            {
                entry = Avx.BlendVariable(entry, Avx2.PermuteVar8x32(t2, row), Vector256.GreaterThan(row, Vector256.Create(15)).AsSingle());
            }

            if (tables > 3)
            {
                entry = Avx.BlendVariable(entry, Avx2.PermuteVar8x32(t3, row), Vector256.GreaterThan(row, Vector256.Create(23)).AsSingle());
            }

            Vector256<float> p = Vector256.LoadUnsafe(ref es, (nuint)i) * Vector256.LoadUnsafe(ref ss, (nuint)i);
            p.StoreUnsafe(ref es, (nuint)i);
            entry.StoreUnsafe(ref ms, (nuint)i);
            Vector256<float> sum = Vector256.LoadUnsafe(ref ws, (nuint)i);
            (Fma.IsSupported ? Fma.MultiplyAdd(entry, p, sum) : (entry * p) + sum).StoreUnsafe(ref ws, (nuint)i);
        }

        return i;
    }

    /// <summary><c>destination[i] = table[rows[i]]</c>: the table has a handful of entries and stays in L1.</summary>
    private static void Gather<T>(ReadOnlySpan<T> table, ReadOnlySpan<int> rows, Span<T> destination)
        where T : unmanaged
    {
        ref T entries = ref MemoryMarshal.GetReference(table);
        ref int index = ref MemoryMarshal.GetReference(rows);
        ref T into = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < destination.Length; i++)
        {
            Unsafe.Add(ref into, i) = Unsafe.Add(ref entries, Unsafe.Add(ref index, i));
        }
    }

    /// <summary>The count and Σ W of the pixels whose row lies in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    private static (double Count, double Sum) AddRows<T>(ReadOnlySpan<T> rowValues, ReadOnlySpan<T> w, T first, T last)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T count = T.Zero, errors = T.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var low = new Vector<T>(first);
            var high = new Vector<T>(last);
            Vector<T> counts = Vector<T>.Zero, sums = Vector<T>.Zero;
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> row = Load(rowValues, i);
                Vector<T> mask = first == last ? Vector.Equals(row, low) : Vector.GreaterThanOrEqual(row, low) & Vector.LessThanOrEqual(row, high);
                counts += Vector<T>.One & mask;
                sums += Load(w, i) & mask;
            }

            count = Vector.Sum(counts);
            errors = Vector.Sum(sums);
        }

        for (; i < w.Length; i++)
        {
            bool match = rowValues[i] >= first && rowValues[i] <= last;
            count += match ? T.One : T.Zero;
            errors += match ? w[i] : T.Zero;
        }

        return (double.CreateTruncating(count), double.CreateTruncating(errors));
    }
}
