using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;
using static Microsoft.ML.Segmentation.Kernels.RegionVectorMath;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The overlap losses' common case, softmax or sigmoid logits against a label map, fused into one pass over the logits
/// and one over the gradient (sigmoid: MONAI's <c>DiceLoss(sigmoid=True, to_onehot_y=True)</c>, smp's multilabel mode,
/// two or more classes; one channel keeps the general path, its target being label 1). The unfused path (softmax → p, statistics, ∂L/∂p row by row, scatter of the label terms, softmax
/// backward) moves the N·C·H·W tensor through memory about ten times; here the forward reads the logits once and, when
/// a gradient is wanted, leaves p where the gradient goes; the backward reads p back in a cache-sized block of every
/// channel and writes the gradient over it. Keeping p costs one more write of the tensor but saves the second exp per
/// logit that recomputing it took (the kernel is compute-bound: about 1.3× faster measured, see README's Speed).
/// </summary>
/// <remarks>
/// Work items are fixed runs of <see cref="ItemPixels"/> pixels of one image; each item keeps its own partial sums
/// (added in <see cref="double"/> per block of <see cref="BlockPixels"/>), and the partials are added in item order,
/// so the result does not depend on the thread count. The label of each pixel is compared with the class index as a
/// vector of the element type, so the intersection (Σp at the label) needs no gather and the label terms of
/// the gradient no scatter.
/// </remarks>
internal static class RegionLabelMapKernel
{
    /// <summary>Pixels of every channel processed together: C·256 values stay in L1/L2 between the softmax's passes.</summary>
    internal const int BlockPixels = 1024;

    /// <summary>Pixels per work item: 8 items per 256×256 image, enough to balance two or more threads.</summary>
    internal const int ItemPixels = 8192;

    private const int Sums = 5; // intersection, Σp, Σp², target count, Σ|p − t|

    /// <summary>
    /// Fills <paramref name="stats"/> (N·C) with the statistics of softmax(<paramref name="logits"/>), or σ of it when
    /// <paramref name="sigmoid"/>, against the label map; when <paramref name="probabilities"/> is not empty (the gradient
    /// buffer), also writes p into it for <see cref="Backward{T}"/>. Returns <see langword="false"/> (and nothing usable)
    /// when a logit is not finite.
    /// </summary>
    /// <remarks>
    /// Sigmoid was the general path until 2026-12-07 (a finite check, σ into a rented copy, the statistics, ∂L/∂p with a
    /// scatter, σ's backward): Dice took 16 ms on [8, 21, 256, 256] against 10 with softmax (AVX2, README
    /// <i>Overlap losses with sigmoid</i>). Its block takes σ class by class and accumulates with 1 as the inverse sum.
    /// </remarks>
    public static unsafe bool Forward<T>(ReadOnlySpan<T> logits, SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, bool needL1,
        Span<RegionStatistics> stats, Span<T> probabilities, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int perImage = ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var partials = new double[items * c * Sums];
        var validCounts = new long[items];
        var finite = new bool[items];
        bool keep = !probabilities.IsEmpty;
        fixed (T* xp = logits)
        fixed (int* lp = labels)
        fixed (T* pp = probabilities)
        {
            var x = new NativeSpan<T>(xp, logits.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var prob = new NativeSpan<T>(pp, probabilities.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = ItemRange(shape, perImage, item);
                T[] rented = ArrayPool<T>.Shared.Rent((c + 4) * BlockPixels);
                try
                {
                    Span<T> buffer = rented;
                    Span<T> exps = buffer[..(c * BlockPixels)];
                    Span<T> max = buffer.Slice(c * BlockPixels, BlockPixels);
                    Span<T> sum = buffer.Slice((c + 1) * BlockPixels, BlockPixels);
                    Span<T> label = buffer.Slice((c + 2) * BlockPixels, BlockPixels);
                    Span<T> valid = buffer.Slice((c + 3) * BlockPixels, BlockPixels);
                    Span<double> part = partials.AsSpan(item * c * Sums, c * Sums);
                    bool ok = true;
                    long validCount = 0;
                    if (sigmoid)
                    {
                        sum.Fill(T.One); // p = σ(x) · 1
                    }

                    for (int b = start; b < end; b += BlockPixels)
                    {
                        int len = Math.Min(BlockPixels, end - b);
                        validCount += LabelsAsValues(l.Span.Slice((n * s) + b, len), ignore, label, valid);
                        if (!sigmoid)
                        {
                            ok &= BlockSoftmax(x.Span, shape, n, b, len, exps, max[..len], sum[..len]);
                        }

                        for (int k = 0; k < c; k++)
                        {
                            int offset = (((n * c) + k) * s) + b;
                            Span<T> e = exps.Slice(k * BlockPixels, len);
                            if (sigmoid)
                            {
                                ok &= CopyMaxAndCheckFinite(x.Span.Slice(offset, len), e, max[..len], first: true);
                                TensorPrimitives.Sigmoid(e, e);
                            }

                            AccumulateClass(e, sum[..len], label[..len], valid[..len], k, needL1, part.Slice(k * Sums, Sums), keep ? prob.Slice(offset, len) : default);
                        }
                    }

                    validCounts[item] = validCount;
                    finite[item] = ok;
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(rented);
                }
            });
        }

        if (Array.IndexOf(finite, false) >= 0)
        {
            return false;
        }

        Assemble(partials, validCounts, shape, perImage, stats);
        return true;
    }

    /// <summary>Work items per image: runs of <see cref="ItemPixels"/> pixels.</summary>
    private static int ItemsPerImage(SegmentationShape shape) => (shape.PixelsPerImage + ItemPixels - 1) / ItemPixels;

    /// <summary>The image, first pixel and end pixel of work item <paramref name="item"/>.</summary>
    private static (int Image, int Start, int End) ItemRange(SegmentationShape shape, int perImage, int item)
    {
        int start = (item % perImage) * ItemPixels;
        return (item / perImage, start, Math.Min(shape.PixelsPerImage, start + ItemPixels));
    }

    /// <summary>Adds the items' partial sums (item order) into the statistics of each image's classes.</summary>
    private static void Assemble(double[] partials, long[] validCounts, SegmentationShape shape, int perImage, Span<RegionStatistics> stats)
    {
        int c = shape.Classes;
        Span<double> total = stackalloc double[Sums];
        for (int n = 0; n < shape.Batch; n++)
        {
            long valid = 0;
            for (int item = n * perImage; item < (n + 1) * perImage; item++)
            {
                valid += validCounts[item];
            }

            for (int k = 0; k < c; k++)
            {
                total.Clear();
                for (int item = n * perImage; item < (n + 1) * perImage; item++)
                {
                    for (int j = 0; j < Sums; j++)
                    {
                        total[j] += partials[(((item * c) + k) * Sums) + j];
                    }
                }

                stats[(n * c) + k] = new RegionStatistics(total[0], total[1], total[3], total[2], total[3], total[4], valid);
            }
        }
    }

    /// <summary>
    /// Turns the p that <see cref="Forward{T}"/> left in <paramref name="gradient"/> into ∂loss/∂logits, from
    /// per-region coefficients (N·C): ∂L/∂p_k = a_k + 2b_k·p_k + [k = label]·d_k (+ the Σ|p − t| term), then through the
    /// softmax, ∂L/∂x_k = p_k (∂L/∂p_k − Σ_j p_j ∂L/∂p_j), or the sigmoid, p_k(1 − p_k)·∂L/∂p_k (its Jacobian is
    /// diagonal: no dot product); ignored pixels get 0.
    /// </summary>
    public static unsafe void Backward<T>(SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, ReadOnlySpan<RegionGradient> coefficients, Span<T> gradient, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int perImage = ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var coef = new ClassCoefficients<T>[coefficients.Length];
        for (int i = 0; i < coef.Length; i++)
        {
            coef[i] = new ClassCoefficients<T>(coefficients[i]);
        }

        fixed (int* lp = labels)
        fixed (T* gp = gradient)
        {
            var l = new NativeSpan<int>(lp, labels.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = ItemRange(shape, perImage, item);
                int image = n * c * s;
                T[] rented = ArrayPool<T>.Shared.Rent((c + 3) * BlockPixels);
                try
                {
                    Span<T> buffer = rented;
                    Span<T> probs = buffer[..(c * BlockPixels)];
                    Span<T> dot = buffer.Slice(c * BlockPixels, BlockPixels);
                    Span<T> label = buffer.Slice((c + 1) * BlockPixels, BlockPixels);
                    Span<T> valid = buffer.Slice((c + 2) * BlockPixels, BlockPixels);
                    for (int b = start; b < end; b += BlockPixels)
                    {
                        int len = Math.Min(BlockPixels, end - b);
                        LabelsAsValues(l.Span.Slice((n * s) + b, len), ignore, label, valid);
                        dot[..len].Clear();

                        // Channel rows are a plane apart (often a multiple of 4 KiB), so they compete for the same
                        // cache sets: each is read once into contiguous scratch and written once at the end.
                        for (int k = 0; k < c; k++)
                        {
                            Span<T> p = probs.Slice(k * BlockPixels, len);
                            g.Slice(image + (k * s) + b, len).CopyTo(p);
                            if (!sigmoid)
                            {
                                ClassGradient(p, label[..len], valid[..len], k, coef[(n * c) + k], dot[..len], default);
                            }
                        }

                        for (int k = 0; k < c; k++)
                        {
                            Span<T> p = probs.Slice(k * BlockPixels, len);
                            Span<T> row = g.Slice(image + (k * s) + b, len);
                            ClassGradient(p, label[..len], valid[..len], k, coef[(n * c) + k], dot[..len], row); // sigmoid: dot is 0, row = p·∂L/∂p
                            if (sigmoid)
                            {
                                TensorPrimitives.Subtract(T.One, p, p);
                                TensorPrimitives.Multiply(row, p, row); // p(1 − p)·∂L/∂p
                            }
                        }
                    }
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(rented);
                }
            });
        }
    }

    /// <summary>Labels as values of <typeparamref name="T"/> (−1 where ignored) and a 1/0 validity mask; returns the valid count.</summary>
    private static int LabelsAsValues<T>(ReadOnlySpan<int> labels, int ignore, Span<T> label, Span<T> valid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int value = labels[i];
            bool ok = value != ignore;
            label[i] = ok ? T.CreateTruncating(value) : T.NegativeOne;
            valid[i] = ok ? T.One : T.Zero;
            count += ok ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// The smallest x_k − max whose exp the float softmax uses, for <paramref name="classes"/> channels: p = e/Σe is then
    /// at least e^floor/C, so p² (the forward's Σp²) and p times the backward's coefficients stay in float's normal range.
    /// </summary>
    /// <remarks>
    /// Why: x86 runs an operation with a subnormal result as a microcode assist, and on a trained model's logits
    /// (each on its label's side by 10 to 40) the Dice family ran 1.2–1.4× slower than on uniform ones. What it
    /// changes: a probability below e^floor/C ≈ 1e−19 (C = 21: floor −38.6) becomes about that, so a class's Σp grows by
    /// at most 1e−19 per pixel; only a class absent from the labels and predicted absent everywhere notices, its
    /// smoothed Dice term moving from about 0 to at most pixels·1e−19/smooth. Double is exact (no floor).
    /// </remarks>
    internal static float ExpFloor(int classes) => (float)Math.Max(VectorMath.ExpLowerBound, (VectorMath.ExpLowerBound / 2) + 2 + Math.Log(classes));

    /// <summary>exp(x_k − max) of every channel into <paramref name="exps"/> (floored at <see cref="ExpFloor"/> in float) and 1/Σ_k exp into <paramref name="sum"/>: the steps of <see cref="ActivationKernels.Softmax{T}"/>, with <see cref="RegionVectorMath.ExpDifference{T}"/>.</summary>
    private static bool BlockSoftmax<T>(ReadOnlySpan<T> x, SegmentationShape shape, int n, int start, int length, Span<T> exps, Span<T> max, Span<T> sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        bool finite = true;
        for (int k = 0; k < c; k++)
        {
            finite &= CopyMaxAndCheckFinite(x.Slice(image + (k * s) + start, length), exps.Slice(k * BlockPixels, length), max, first: k == 0);
        }

        sum.Clear();
        float floor = ExpFloor(c);
        for (int k = 0; k < c; k++)
        {
            Span<T> e = exps.Slice(k * BlockPixels, length);
            ExpDifference<T>(e, max, e, sum, floor);
        }

        TensorPrimitives.Reciprocal(sum, sum);
        return finite;
    }

    /// <summary>
    /// Adds one block's Σp·t, Σp, Σp², Σt and (when asked) Σ|p − t| of class <paramref name="k"/> to <paramref name="into"/>;
    /// writes p to <paramref name="probability"/> when it is not empty.
    /// </summary>
    private static void AccumulateClass<T>(ReadOnlySpan<T> exps, ReadOnlySpan<T> inverseSum, ReadOnlySpan<T> label, ReadOnlySpan<T> valid, int k, bool needL1, Span<double> into, Span<T> probability)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T cls = T.CreateTruncating(k);
        T tp = T.Zero, sp = T.Zero, sp2 = T.Zero, count = T.Zero, l1 = T.Zero;
        bool keep = !probability.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated && exps.Length >= Vector<T>.Count)
        {
            var vcls = new Vector<T>(cls);
            Vector<T> vtp = Vector<T>.Zero, vsp = Vector<T>.Zero, vsp2 = Vector<T>.Zero, vcount = Vector<T>.Zero, vl1 = Vector<T>.Zero;
            for (; i <= exps.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> p = Load(exps, i) * Load(inverseSum, i);
                if (keep)
                {
                    Store(p, probability, i);
                }

                Vector<T> pv = p * Load(valid, i);
                Vector<T> target = Vector.Equals(Load(label, i), vcls);
                vsp += pv;
                vsp2 += pv * p;
                vtp += Vector.ConditionalSelect(target, p, Vector<T>.Zero);
                vcount += Vector.ConditionalSelect(target, Vector<T>.One, Vector<T>.Zero);
                if (needL1)
                {
                    // |p − t| with t ∈ {0, 1}: 1 − p on target pixels (always valid), p elsewhere.
                    vl1 += Vector.ConditionalSelect(target, Vector<T>.One - p, pv);
                }
            }

            tp = Vector.Sum(vtp);
            sp = Vector.Sum(vsp);
            sp2 = Vector.Sum(vsp2);
            count = Vector.Sum(vcount);
            l1 = Vector.Sum(vl1);
        }

        for (; i < exps.Length; i++)
        {
            T p = exps[i] * inverseSum[i];
            if (keep)
            {
                probability[i] = p;
            }

            T pv = p * valid[i];
            bool target = label[i] == cls;
            sp += pv;
            sp2 += pv * p;
            tp += target ? p : T.Zero;
            count += target ? T.One : T.Zero;
            l1 += target ? T.One - p : pv;
        }

        into[0] += double.CreateTruncating(tp);
        into[1] += double.CreateTruncating(sp);
        into[2] += double.CreateTruncating(sp2);
        into[3] += double.CreateTruncating(count);
        into[4] += needL1 ? double.CreateTruncating(l1) : 0;
    }

    /// <summary>
    /// ∂L/∂p of class <paramref name="k"/> at its probabilities <paramref name="probability"/> (0 where ignored): added as p·∂L/∂p to
    /// <paramref name="dot"/> when <paramref name="gradient"/> is empty, else written through the softmax,
    /// p·(∂L/∂p − dot), into <paramref name="gradient"/>. Both passes compute the same ∂L/∂p.
    /// </summary>
    private static void ClassGradient<T>(ReadOnlySpan<T> probability, ReadOnlySpan<T> label, ReadOnlySpan<T> valid, int k,
        ClassCoefficients<T> coef, Span<T> dot, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T cls = T.CreateTruncating(k);
        bool finish = !gradient.IsEmpty;
        bool squared = coef.TwiceSumSquared != T.Zero;
        bool withL1 = coef.AbsoluteDifference != T.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated && probability.Length >= Vector<T>.Count)
        {
            var vcls = new Vector<T>(cls);
            var a = new Vector<T>(coef.SumPrediction);
            var twoB = new Vector<T>(coef.TwiceSumSquared);
            var d = new Vector<T>(coef.Intersection);
            var l1 = new Vector<T>(coef.AbsoluteDifference);
            for (; i <= probability.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> p = Load(probability, i);
                Vector<T> target = Vector.Equals(Load(label, i), vcls);
                Vector<T> value = a + Vector.ConditionalSelect(target, d, Vector<T>.Zero);
                if (squared)
                {
                    value += twoB * p;
                }

                if (withL1)
                {
                    // sign(p − t): −1 on target pixels unless p = 1, +1 elsewhere unless p = 0.
                    Vector<T> onTarget = Vector.ConditionalSelect(Vector.LessThan(p, Vector<T>.One), -l1, Vector<T>.Zero);
                    Vector<T> offTarget = Vector.ConditionalSelect(Vector.GreaterThan(p, Vector<T>.Zero), l1, Vector<T>.Zero);
                    value += Vector.ConditionalSelect(target, onTarget, offTarget);
                }

                value *= Load(valid, i);
                if (finish)
                {
                    Store(p * (value - Load<T>(dot, i)), gradient, i);
                }
                else
                {
                    Store(Load<T>(dot, i) + (p * value), dot, i);
                }
            }
        }

        for (; i < probability.Length; i++)
        {
            T p = probability[i];
            bool target = label[i] == cls;
            T value = coef.SumPrediction + (target ? coef.Intersection : T.Zero);
            if (squared)
            {
                value += coef.TwiceSumSquared * p;
            }

            if (withL1)
            {
                value += target ? (p < T.One ? -coef.AbsoluteDifference : T.Zero) : (p > T.Zero ? coef.AbsoluteDifference : T.Zero);
            }

            value *= valid[i];
            if (finish)
            {
                gradient[i] = p * (value - dot[i]);
            }
            else
            {
                dot[i] += p * value;
            }
        }
    }

    /// <summary>A <see cref="RegionGradient"/> in the element type, with the Σp² coefficient doubled (∂Σp²/∂p = 2p).</summary>
    private readonly struct ClassCoefficients<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public ClassCoefficients(RegionGradient g)
        {
            SumPrediction = T.CreateTruncating(g.SumPrediction);
            TwiceSumSquared = T.CreateTruncating(2 * g.SumSquaredPrediction);
            Intersection = T.CreateTruncating(g.Intersection);
            AbsoluteDifference = T.CreateTruncating(g.AbsoluteDifference);
        }

        public T SumPrediction { get; }

        public T TwiceSumSquared { get; }

        public T Intersection { get; }

        public T AbsoluteDifference { get; }
    }
}
