using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Microsoft.ML.Segmentation.Kernels;
using static Microsoft.ML.Segmentation.Kernels.RegionVectorMath;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The overlap losses with softmax or sigmoid, fused into one pass over the logits and one over the gradient, against a
/// label map (sigmoid: MONAI's <c>DiceLoss(sigmoid=True, to_onehot_y=True)</c>, smp's multilabel mode, two or more
/// classes; one channel keeps the general path, its target being label 1) or a dense target (MONAI's one-hot form, soft
/// labels, NaN elements ignored). The unfused path (activation → p, statistics row by row, ∂L/∂p row by row, the label
/// terms' scatter, the activation's backward) moves the N·C·H·W tensor through memory about ten times; here the forward
/// reads the logits (and a dense target) once and, when a gradient is wanted, leaves p where the gradient goes; the
/// backward reads p (and the target) back in a cache-sized block of every channel and writes the gradient over it.
/// Keeping p costs one more write of the tensor but saves the second exp per logit that recomputing it took (the
/// kernel is compute-bound on label maps: about 1.3× faster measured, see README's Speed).
/// </summary>
/// <remarks>
/// Work items are fixed runs of <see cref="ItemPixels"/> pixels of one image; each item keeps its own partial sums
/// (added in <see cref="double"/> per block of <see cref="BlockPixels"/>), and the partials are added in item order,
/// so the result does not depend on the thread count. The label of each pixel is compared with the class index as a
/// vector of the element type, so the intersection (Σp at the label) needs no gather and the label terms of
/// the gradient no scatter. A dense target's NaN elements are masked by <c>t = t</c> in the same vectors.
/// </remarks>
internal static class RegionFusedKernel
{
    /// <summary>Pixels of every channel processed together: C·256 values stay in L1/L2 between the softmax's passes.</summary>
    internal const int BlockPixels = 1024;

    /// <summary>Pixels per work item: 8 items per 256×256 image, enough to balance two or more threads.</summary>
    internal const int ItemPixels = 8192;

    private const int Sums = 7; // Σp·t, Σp, Σp², Σt, Σt², Σ|p − t|, valid count

    /// <summary>
    /// Fills <paramref name="stats"/> (N·C) with the statistics of softmax(<paramref name="logits"/>), or σ of it when
    /// <paramref name="sigmoid"/>, against <paramref name="dense"/> when it is not empty (NaN elements left out), else
    /// against the label map; when <paramref name="probabilities"/> is not empty (the gradient buffer), also writes p
    /// into it for <see cref="Backward{T}"/>. Returns <see langword="false"/> (and nothing usable) when a logit is not finite
    /// or a dense target is infinite.
    /// </summary>
    /// <remarks>
    /// Sigmoid was the general path until 2026-12-07 (a finite check, σ into a rented copy, the statistics, ∂L/∂p with a
    /// scatter, σ's backward): Dice took 16 ms on [8, 21, 256, 256] against 10 with softmax (AVX2, README
    /// <i>Overlap losses with sigmoid</i>). Its block takes σ class by class and accumulates with 1 as the inverse sum.
    /// Dense targets were the general path until 2026-12-07 (44, then 22 ms, against 10 on the label map: README <i>Overlap losses against dense targets</i>).
    /// </remarks>
    public static unsafe bool Forward<T>(ReadOnlySpan<T> logits, SegmentationShape shape, ReadOnlySpan<int> labels, ReadOnlySpan<T> dense, int ignore, bool needL1,
        Span<RegionStatistics> stats, Span<T> probabilities, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int perImage = ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var partials = new double[items * c * Sums];
        var finite = new bool[items];
        bool keep = !probabilities.IsEmpty;
        bool isDense = !dense.IsEmpty;
        fixed (T* xp = logits)
        fixed (int* lp = labels)
        fixed (T* tp = dense)
        fixed (T* pp = probabilities)
        {
            var x = new NativeSpan<T>(xp, logits.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var t = new NativeSpan<T>(tp, dense.Length);
            var prob = new NativeSpan<T>(pp, probabilities.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = ItemRange(shape, perImage, item);
                using (var scratch = new BlockScratch<T>(c + 4))
                {
                    Span<T> exps = scratch.Rows(0, c);
                    Span<T> max = scratch.Rows(c);
                    Span<T> sum = scratch.Rows(c + 1);
                    Span<T> label = scratch.Rows(c + 2);
                    Span<T> valid = scratch.Rows(c + 3);
                    Span<double> part = partials.AsSpan(item * c * Sums, c * Sums);
                    bool ok = true;
                    if (sigmoid)
                    {
                        sum.Fill(T.One); // p = σ(x) · 1
                    }

                    for (int b = start; b < end; b += BlockPixels)
                    {
                        int len = Math.Min(BlockPixels, end - b);
                        int validCount = isDense ? 0 : LabelsAsValues(l.Span.Slice((n * s) + b, len), ignore, label, valid);
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

                            Span<double> into = part.Slice(k * Sums, Sums);
                            Span<T> kept = keep ? prob.Slice(offset, len) : default;
                            if (isDense)
                            {
                                ok &= AccumulateDense(e, sum[..len], t.Slice(offset, len), needL1, into, kept);
                            }
                            else
                            {
                                AccumulateClass(e, sum[..len], label[..len], valid[..len], k, needL1, into, kept);
                                into[6] += validCount;
                            }
                        }
                    }

                    finite[item] = ok;
                }
            });
        }

        if (Array.IndexOf(finite, false) >= 0)
        {
            return false;
        }

        Assemble(partials, shape, perImage, stats);
        return true;
    }

    /// <summary>Work items per image: runs of <see cref="ItemPixels"/> pixels.</summary>
    internal static int ItemsPerImage(SegmentationShape shape) => (shape.PixelsPerImage + ItemPixels - 1) / ItemPixels;

    /// <summary>The image, first pixel and end pixel of work item <paramref name="item"/>.</summary>
    internal static (int Image, int Start, int End) ItemRange(SegmentationShape shape, int perImage, int item)
    {
        int start = (item % perImage) * ItemPixels;
        return (item / perImage, start, Math.Min(shape.PixelsPerImage, start + ItemPixels));
    }

    /// <summary>Adds the items' partial sums (item order) into the statistics of each image's classes.</summary>
    private static void Assemble(double[] partials, SegmentationShape shape, int perImage, Span<RegionStatistics> stats)
    {
        int c = shape.Classes;
        Span<double> total = stackalloc double[Sums];
        for (int n = 0; n < shape.Batch; n++)
        {
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

                stats[(n * c) + k] = new RegionStatistics(total[0], total[1], total[3], total[2], total[4], total[5], total[6]);
            }
        }
    }

    /// <summary>
    /// Turns the p that <see cref="Forward{T}"/> left in <paramref name="gradient"/> into ∂loss/∂logits, from
    /// per-region coefficients (N·C): ∂L/∂p_k = a_k + 2b_k·p_k + t_k·d_k (+ the Σ|p − t| term), t_k being
    /// [k = label] on a label map, then through the softmax, ∂L/∂x_k = p_k (∂L/∂p_k − Σ_j p_j ∂L/∂p_j), or the sigmoid,
    /// p_k(1 − p_k)·∂L/∂p_k (its Jacobian is diagonal: no dot product); ignored pixels and NaN elements of
    /// <paramref name="dense"/> have ∂L/∂p = 0.
    /// </summary>
    public static unsafe void Backward<T>(SegmentationShape shape, ReadOnlySpan<int> labels, ReadOnlySpan<T> dense, int ignore, ReadOnlySpan<RegionGradient> coefficients, Span<T> gradient, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int perImage = ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        bool isDense = !dense.IsEmpty;
        var coef = new ClassCoefficients<T>[coefficients.Length];
        for (int i = 0; i < coef.Length; i++)
        {
            coef[i] = new ClassCoefficients<T>(coefficients[i]);
        }

        fixed (int* lp = labels)
        fixed (T* tp = dense)
        fixed (T* gp = gradient)
        {
            var l = new NativeSpan<int>(lp, labels.Length);
            var t = new NativeSpan<T>(tp, dense.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = ItemRange(shape, perImage, item);
                int image = n * c * s;
                using (var scratch = new BlockScratch<T>((2 * c) + 3))
                {
                    Span<T> probs = scratch.Rows(0, c);
                    Span<T> derivatives = scratch.Rows(c, c);
                    Span<T> dot = scratch.Rows(2 * c);
                    Span<T> label = scratch.Rows((2 * c) + 1);
                    Span<T> valid = scratch.Rows((2 * c) + 2);
                    ReadOnlySpan<ClassCoefficients<T>> imageCoef = coef.AsSpan(n * c, c);
                    for (int b = start; b < end; b += BlockPixels)
                    {
                        int len = Math.Min(BlockPixels, end - b);
                        if (isDense)
                        {
                            DenseBlockGradient(g.Span, t.Span, image + b, s, len, imageCoef, probs, derivatives, dot[..len], sigmoid);
                        }
                        else
                        {
                            LabelsAsValues(l.Span.Slice((n * s) + b, len), ignore, label, valid);
                            LabelBlockGradient(g.Span, image + b, s, len, imageCoef, probs, label[..len], valid[..len], dot[..len], sigmoid);
                        }
                    }
                }
            });
        }
    }

    /// <summary>
    /// One block of <paramref name="length"/> pixels from <paramref name="first"/> (the element of channel 0) against the
    /// label map: ∂L/∂p recomputed from the labels in both passes of the softmax (the labels cost nothing to read again).
    /// </summary>
    private static void LabelBlockGradient<T>(Span<T> g, int first, int plane, int length, ReadOnlySpan<ClassCoefficients<T>> coef,
        Span<T> probs, ReadOnlySpan<T> label, ReadOnlySpan<T> valid, Span<T> dot, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = coef.Length;
        dot.Clear();

        // Channel rows are a plane apart (often a multiple of 4 KiB), so they compete for the same cache sets: each is
        // read once into contiguous scratch and written once at the end.
        for (int k = 0; k < c; k++)
        {
            Span<T> p = probs.Slice(k * BlockPixels, length);
            g.Slice(first + (k * plane), length).CopyTo(p);
            if (!sigmoid)
            {
                ClassGradient(p, label, valid, k, coef[k], dot, default);
            }
        }

        for (int k = 0; k < c; k++)
        {
            Span<T> p = probs.Slice(k * BlockPixels, length);
            Span<T> row = g.Slice(first + (k * plane), length);
            ClassGradient(p, label, valid, k, coef[k], dot, row); // sigmoid: dot is 0, row = p·∂L/∂p
            if (sigmoid)
            {
                TensorPrimitives.Subtract(T.One, p, p);
                TensorPrimitives.Multiply(row, p, row); // p(1 − p)·∂L/∂p
            }
        }
    }

    /// <summary>
    /// One block against a dense target: σ's gradient row by row in place; softmax's first pass reads p and t once,
    /// keeping p and ∂L/∂p in contiguous scratch (the target is not read again), and the second writes p(∂L/∂p − dot).
    /// </summary>
    private static void DenseBlockGradient<T>(Span<T> g, ReadOnlySpan<T> dense, int first, int plane, int length, ReadOnlySpan<ClassCoefficients<T>> coef,
        Span<T> probs, Span<T> derivatives, Span<T> dot, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = coef.Length;
        if (sigmoid)
        {
            for (int k = 0; k < c; k++)
            {
                DenseSigmoidGradient(g.Slice(first + (k * plane), length), dense.Slice(first + (k * plane), length), coef[k]);
            }

            return;
        }

        dot.Clear();
        for (int k = 0; k < c; k++)
        {
            DenseDerivative(g.Slice(first + (k * plane), length), dense.Slice(first + (k * plane), length), coef[k],
                probs.Slice(k * BlockPixels, length), derivatives.Slice(k * BlockPixels, length), dot);
        }

        for (int k = 0; k < c; k++)
        {
            SoftmaxGradient(probs.Slice(k * BlockPixels, length), derivatives.Slice(k * BlockPixels, length), dot, g.Slice(first + (k * plane), length));
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
    internal static bool BlockSoftmax<T>(ReadOnlySpan<T> x, SegmentationShape shape, int n, int start, int length, Span<T> exps, Span<T> max, Span<T> sum)
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
                vtp += p & target; // a select with 0 as an AND: the JIT emits ConditionalSelect(m, x, 0) as four instructions
                vcount += Vector<T>.One & target;
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
        into[3] += double.CreateTruncating(count); // Σt = Σt² = the target count
        into[4] += double.CreateTruncating(count);
        into[5] += needL1 ? double.CreateTruncating(l1) : 0;
    }

    /// <summary>
    /// Adds one block's Σp·t, Σp, Σp², Σt, Σt², Σ|p − t| (when asked) and valid count of one class against its dense
    /// target row to <paramref name="into"/>, leaving out the elements whose target is NaN; writes p to
    /// <paramref name="probability"/> when it is not empty. Returns <see langword="false"/> when a target is infinite
    /// (the check <see cref="SegmentationTarget{T}.Validate"/> makes, here without a separate read of the target).
    /// </summary>
    private static bool AccumulateDense<T>(ReadOnlySpan<T> exps, ReadOnlySpan<T> inverseSum, ReadOnlySpan<T> target, bool needL1, Span<double> into, Span<T> probability)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T tp = T.Zero, sp = T.Zero, sp2 = T.Zero, st = T.Zero, st2 = T.Zero, l1 = T.Zero, count = T.Zero;
        bool keep = !probability.IsEmpty;
        bool finite = true;
        int i = 0;
        if (Vector.IsHardwareAccelerated && exps.Length >= Vector<T>.Count)
        {
            Vector<T> vtp = Vector<T>.Zero, vsp = Vector<T>.Zero, vsp2 = Vector<T>.Zero, vst = Vector<T>.Zero, vst2 = Vector<T>.Zero, vl1 = Vector<T>.Zero, vcount = Vector<T>.Zero;
            Vector<T> infinite = Vector<T>.Zero;
            var infinity = new Vector<T>(T.PositiveInfinity);
            for (; i <= exps.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> p = Load(exps, i) * Load(inverseSum, i);
                if (keep)
                {
                    Store(p, probability, i);
                }

                Vector<T> raw = Load(target, i);
                Vector<T> valid = Vector.Equals(raw, raw); // false where t is NaN
                infinite |= Vector.Equals(Vector.Abs(raw), infinity);
                Vector<T> t = raw & valid;
                Vector<T> pv = p & valid;
                vtp += pv * t;
                vsp += pv;
                vsp2 += pv * pv;
                vst += t;
                vst2 += t * t;
                vcount += Vector<T>.One & valid;
                if (needL1)
                {
                    vl1 += Vector.Abs(pv - t);
                }
            }

            tp = Vector.Sum(vtp);
            sp = Vector.Sum(vsp);
            sp2 = Vector.Sum(vsp2);
            st = Vector.Sum(vst);
            st2 = Vector.Sum(vst2);
            l1 = Vector.Sum(vl1);
            count = Vector.Sum(vcount);
            finite = Vector.EqualsAll(infinite, Vector<T>.Zero);
        }

        for (; i < exps.Length; i++)
        {
            T p = exps[i] * inverseSum[i];
            if (keep)
            {
                probability[i] = p;
            }

            T t = target[i];
            finite &= !T.IsInfinity(t);
            if (T.IsNaN(t))
            {
                continue;
            }

            tp += p * t;
            sp += p;
            sp2 += p * p;
            st += t;
            st2 += t * t;
            l1 += T.Abs(p - t);
            count += T.One;
        }

        into[0] += double.CreateTruncating(tp);
        into[1] += double.CreateTruncating(sp);
        into[2] += double.CreateTruncating(sp2);
        into[3] += double.CreateTruncating(st);
        into[4] += double.CreateTruncating(st2);
        into[5] += needL1 ? double.CreateTruncating(l1) : 0;
        into[6] += double.CreateTruncating(count);
        return finite;
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
                Vector<T> value = a + (d & target);
                if (squared)
                {
                    value += twoB * p;
                }

                if (withL1)
                {
                    // sign(p − t): −1 on target pixels unless p = 1, +1 elsewhere unless p = 0.
                    Vector<T> onTarget = -l1 & Vector.LessThan(p, Vector<T>.One);
                    Vector<T> offTarget = l1 & Vector.GreaterThan(p, Vector<T>.Zero);
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

    /// <summary>
    /// ∂L/∂p against a dense target row: a + 2b·p + d·t + sign(p − t)·∂L/∂Σ|p − t|, 0 where t is NaN, for
    /// <paramref name="probability"/> (p left by the forward), copied to <paramref name="probabilityCopy"/> and written to
    /// <paramref name="derivative"/>, with p·∂L/∂p added to <paramref name="dot"/>.
    /// </summary>
    private static void DenseDerivative<T>(ReadOnlySpan<T> probability, ReadOnlySpan<T> target, ClassCoefficients<T> coef, Span<T> probabilityCopy, Span<T> derivative, Span<T> dot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && probability.Length >= Vector<T>.Count)
        {
            var vc = new DenseCoefficients<T>(coef);
            for (; i <= probability.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> p = Load(probability, i);
                Vector<T> value = vc.Derivative(p, Load(target, i));
                Store(p, probabilityCopy, i);
                Store(value, derivative, i);
                Store(Load<T>(dot, i) + (p * value), dot, i);
            }
        }

        for (; i < probability.Length; i++)
        {
            T p = probability[i];
            T value = DenseDerivative(p, target[i], coef);
            probabilityCopy[i] = p;
            derivative[i] = value;
            dot[i] += p * value;
        }
    }

    /// <summary>σ's gradient in place: <paramref name="row"/> holds p and gets p(1 − p)·∂L/∂p against the dense target row.</summary>
    private static void DenseSigmoidGradient<T>(Span<T> row, ReadOnlySpan<T> target, ClassCoefficients<T> coef)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<T>.Count)
        {
            var vc = new DenseCoefficients<T>(coef);
            for (; i <= row.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> p = Load<T>(row, i);
                Store(p * vc.Derivative(p, Load(target, i)) * (Vector<T>.One - p), row, i);
            }
        }

        for (; i < row.Length; i++)
        {
            T p = row[i];
            row[i] = p * DenseDerivative(p, target[i], coef) * (T.One - p);
        }
    }

    /// <summary>The scalar form of <see cref="DenseCoefficients{T}.Derivative"/>.</summary>
    private static T DenseDerivative<T>(T p, T t, ClassCoefficients<T> coef)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(t))
        {
            return T.Zero;
        }

        T value = coef.SumPrediction + (coef.Intersection * t) + (coef.TwiceSumSquared * p);
        return coef.AbsoluteDifference == T.Zero ? value : value + (p > t ? coef.AbsoluteDifference : (p < t ? -coef.AbsoluteDifference : T.Zero));
    }

    /// <summary>A class's coefficients in every lane, for ∂L/∂p against a dense target.</summary>
    private readonly struct DenseCoefficients<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> sumPrediction;
        private readonly Vector<T> twiceSumSquared;
        private readonly Vector<T> intersection;
        private readonly Vector<T> absoluteDifference;
        private readonly bool withL1;

        public DenseCoefficients(ClassCoefficients<T> coef)
        {
            sumPrediction = new Vector<T>(coef.SumPrediction);
            twiceSumSquared = new Vector<T>(coef.TwiceSumSquared);
            intersection = new Vector<T>(coef.Intersection);
            absoluteDifference = new Vector<T>(coef.AbsoluteDifference);
            withL1 = coef.AbsoluteDifference != T.Zero;
        }

        /// <summary>a + d·t + 2b·p (+ sign(p − t)·∂L/∂Σ|p − t|), 0 where the raw target is NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<T> Derivative(Vector<T> p, Vector<T> raw)
        {
            Vector<T> valid = Vector.Equals(raw, raw); // false where t is NaN
            Vector<T> t = raw & valid;
            Vector<T> value = sumPrediction + (intersection * t) + (twiceSumSquared * p);
            if (withL1)
            {
                value += (absoluteDifference & Vector.GreaterThan(p, t)) - (absoluteDifference & Vector.LessThan(p, t));
            }

            return value & valid;
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
