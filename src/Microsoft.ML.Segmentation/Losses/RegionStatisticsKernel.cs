using System;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The two passes every overlap loss shares: probabilities → per (image, class) <see cref="RegionStatistics"/>,
/// and per-region ∂loss/∂statistics → ∂loss/∂p. A label map is read once per image (the intersection is a gather
/// of p at each pixel's label), dense targets row by row; everything else runs on contiguous class rows with
/// <see cref="TensorPrimitives"/>. Softmax and sigmoid logits take <see cref="RegionFusedKernel"/> instead; this is the
/// path of probabilities given as they are (<see cref="Activation.None"/>, other activations applied before) and of one
/// sigmoid channel against a label map, and the fused kernel's reference in the tests.
/// </summary>
internal static class RegionStatisticsKernel
{
    /// <summary>Fills <paramref name="stats"/> (length N·C, index n·C + c).</summary>
    public static unsafe void Forward<T>(ReadOnlySpan<T> probabilities, SegmentationShape shape, SegmentationTarget<T> target, bool needAbsoluteDifference, Span<RegionStatistics> stats)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        bool labelMap = target.IsLabelMap;
        bool hasIgnored = target.HasIgnored();
        fixed (T* pp = probabilities)
        fixed (int* lp = target.Labels)
        fixed (T* dp = target.Dense)
        fixed (RegionStatistics* sp = stats)
        {
            var p = new NativeSpan<T>(pp, probabilities.Length);
            var labels = new NativeSpan<int>(lp, target.Labels.Length);
            var dense = new NativeSpan<T>(dp, target.Dense.Length);
            var output = new NativeSpan<RegionStatistics>(sp, stats.Length);
            int ignore = target.IgnoreIndex ?? int.MinValue;
            int items = labelMap ? shape.Batch : shape.Batch * c;
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                if (labelMap)
                {
                    LabelImage(p.Span, labels.Span, shape, item, ignore, hasIgnored, needAbsoluteDifference, output.Span);
                }
                else
                {
                    DenseRow(p.Span, dense.Span, shape, item / c, item % c, hasIgnored, needAbsoluteDifference, output.Span);
                }
            });
        }
    }

    /// <summary>Writes ∂loss/∂p into <paramref name="gradient"/> from per-region coefficients (length N·C).</summary>
    public static unsafe void Backward<T>(ReadOnlySpan<T> probabilities, SegmentationShape shape, SegmentationTarget<T> target, ReadOnlySpan<RegionGradient> coefficients, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasIgnored = target.HasIgnored();
        bool labelMap = target.IsLabelMap;
        int c = shape.Classes;
        fixed (T* pp = probabilities)
        fixed (int* lp = target.Labels)
        fixed (T* dp = target.Dense)
        fixed (RegionGradient* cp = coefficients)
        fixed (T* gp = gradient)
        {
            var p = new NativeSpan<T>(pp, probabilities.Length);
            var labels = new NativeSpan<int>(lp, target.Labels.Length);
            var dense = new NativeSpan<T>(dp, target.Dense.Length);
            var coef = new NativeSpan<RegionGradient>(cp, coefficients.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            int ignore = target.IgnoreIndex ?? int.MinValue;
            ParallelWork.For(shape.Batch, shape.ElementCount, n =>
            {
                for (int k = 0; k < c; k++)
                {
                    BackwardRow(p.Span, labelMap ? default : dense.Span, shape, n, k, coef.Span[(n * c) + k], g.Span);
                }

                if (labelMap)
                {
                    ScatterLabelTerms(labels.Span, shape, n, ignore, hasIgnored, coef.Span.Slice(n * c, c), p.Span, g.Span);
                }
            });
        }
    }

    private static void LabelImage<T>(ReadOnlySpan<T> p, ReadOnlySpan<int> labels, SegmentationShape shape, int n, int ignore, bool hasIgnored, bool needL1, Span<RegionStatistics> stats)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        bool binary = c == 1;
        ReadOnlySpan<int> row = labels.Slice(n * s, s);
        Span<double> intersection = stackalloc double[c];
        Span<double> targetCount = stackalloc double[c];
        Span<double> ignoredP = stackalloc double[c];
        Span<double> ignoredP2 = stackalloc double[c];
        Span<double> l1 = stackalloc double[c];
        intersection.Clear();
        targetCount.Clear();
        ignoredP.Clear();
        ignoredP2.Clear();
        l1.Clear();
        int image = n * c * s;
        int ignoredPixels = 0;
        for (int i = 0; i < s; i++)
        {
            int label = row[i];
            if (hasIgnored && label == ignore)
            {
                ignoredPixels++;
                for (int k = 0; k < c; k++)
                {
                    double v = double.CreateTruncating(p[image + (k * s) + i]);
                    ignoredP[k] += v;
                    ignoredP2[k] += v * v;
                }

                continue;
            }

            int cls = binary ? (label == 1 ? 0 : -1) : label;
            if (cls >= 0)
            {
                intersection[cls] += double.CreateTruncating(p[image + (cls * s) + i]);
                targetCount[cls] += 1;
            }
        }

        if (needL1)
        {
            // Σ|p − t| with t ∈ {0, 1}: p for non-target pixels, 1 − p for target pixels.
            for (int k = 0; k < c; k++)
            {
                int cls = binary ? 1 : k;
                ReadOnlySpan<T> pr = p.Slice(image + (k * s), s);
                double sum = 0;
                for (int i = 0; i < s; i++)
                {
                    int label = row[i];
                    if (hasIgnored && label == ignore)
                    {
                        continue;
                    }

                    double v = double.CreateTruncating(pr[i]);
                    sum += label == cls ? 1 - v : v;
                }

                l1[k] = sum;
            }
        }

        for (int k = 0; k < c; k++)
        {
            ReadOnlySpan<T> pr = p.Slice(image + (k * s), s);
            double sumP = ChunkedSum.Sum(pr) - ignoredP[k];
            double sumP2 = ChunkedSum.SumOfSquares(pr) - ignoredP2[k];
            stats[(n * c) + k] = new RegionStatistics(
                intersection[k], sumP, targetCount[k], sumP2, targetCount[k], l1[k], s - ignoredPixels);
        }
    }

    private static void DenseRow<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> dense, SegmentationShape shape, int n, int k, bool hasIgnored, bool needAbsoluteDifference, Span<RegionStatistics> stats)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int offset = ((n * shape.Classes) + k) * s;
        ReadOnlySpan<T> pr = p.Slice(offset, s);
        ReadOnlySpan<T> tr = dense.Slice(offset, s);
        if (!hasIgnored)
        {
            // Σ|p − t| only for the losses that read it (soft labels; 0 otherwise, as the label-map kernels leave it): a
            // scalar loop in double over every element, it was about a quarter of Dice's time against dense targets.
            double l1 = 0;
            for (int i = 0; needAbsoluteDifference && i < s; i++)
            {
                l1 += Math.Abs(double.CreateTruncating(pr[i] - tr[i]));
            }

            stats[(n * shape.Classes) + k] = new RegionStatistics(
                ChunkedSum.Dot(pr, tr), ChunkedSum.Sum(pr), ChunkedSum.Sum(tr),
                ChunkedSum.SumOfSquares(pr), ChunkedSum.SumOfSquares(tr), l1, s);
            return;
        }

        double tp = 0, sp = 0, st = 0, sp2 = 0, st2 = 0, abs = 0, count = 0;
        for (int i = 0; i < s; i++)
        {
            T t = tr[i];
            if (T.IsNaN(t))
            {
                continue;
            }

            double pv = double.CreateTruncating(pr[i]);
            double tv = double.CreateTruncating(t);
            tp += pv * tv;
            sp += pv;
            st += tv;
            sp2 += pv * pv;
            st2 += tv * tv;
            abs += Math.Abs(pv - tv);
            count++;
        }

        stats[(n * shape.Classes) + k] = new RegionStatistics(tp, sp, st, sp2, st2, abs, count);
    }

    private static void BackwardRow<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> dense, SegmentationShape shape, int n, int k, RegionGradient coef, Span<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int offset = ((n * shape.Classes) + k) * s;
        ReadOnlySpan<T> pr = p.Slice(offset, s);
        Span<T> gr = g.Slice(offset, s);

        // ∂L/∂p = ∂L/∂Σp + 2p·∂L/∂Σp² [+ t·∂L/∂Σpt + sign(p − t)·∂L/∂Σ|p − t| for dense targets; label maps scatter those].
        T constant = T.CreateTruncating(coef.SumPrediction);
        if (coef.SumSquaredPrediction != 0)
        {
            TensorPrimitives.Multiply(pr, T.CreateTruncating(2 * coef.SumSquaredPrediction), gr);
            TensorPrimitives.Add(gr, constant, gr);
        }
        else
        {
            gr.Fill(constant);
        }

        if (dense.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<T> tr = dense.Slice(offset, s);
        T dTp = T.CreateTruncating(coef.Intersection);
        T dL1 = T.CreateTruncating(coef.AbsoluteDifference);
        if (dL1 == T.Zero && !TensorPrimitives.IsNaNAny(tr))
        {
            // No NaN target and no Σ|p − t| term: t·∂L/∂Σpt + ∂L/∂p in one vector pass (the same two roundings as the loop below).
            TensorPrimitives.MultiplyAdd(tr, dTp, gr, gr);
            return;
        }

        for (int i = 0; i < s; i++)
        {
            T t = tr[i];
            if (T.IsNaN(t))
            {
                gr[i] = T.Zero;
                continue;
            }

            T value = gr[i] + (dTp * t);
            if (dL1 != T.Zero)
            {
                value += dL1 * T.CreateTruncating(T.Sign(pr[i] - t));
            }

            gr[i] = value;
        }
    }

    private static void ScatterLabelTerms<T>(ReadOnlySpan<int> labels, SegmentationShape shape, int n, int ignore, bool hasIgnored, ReadOnlySpan<RegionGradient> coef, ReadOnlySpan<T> p, Span<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        bool binary = c == 1;
        int image = n * c * s;
        ReadOnlySpan<int> row = labels.Slice(n * s, s);
        bool anyL1 = false;
        for (int k = 0; k < c; k++)
        {
            anyL1 |= coef[k].AbsoluteDifference != 0;
        }

        for (int i = 0; i < s; i++)
        {
            int label = row[i];
            if (hasIgnored && label == ignore)
            {
                for (int k = 0; k < c; k++)
                {
                    g[image + (k * s) + i] = T.Zero;
                }

                continue;
            }

            int cls = binary ? (label == 1 ? 0 : -1) : label;
            if (cls >= 0)
            {
                g[image + (cls * s) + i] += T.CreateTruncating(coef[cls].Intersection);
            }

            if (anyL1)
            {
                for (int k = 0; k < c; k++)
                {
                    T pv = p[image + (k * s) + i];
                    T sign = k == cls ? (pv < T.One ? -T.One : T.Zero) : (pv > T.Zero ? T.One : T.Zero);
                    g[image + (k * s) + i] += T.CreateTruncating(coef[k].AbsoluteDifference) * sign;
                }
            }
        }
    }
}
