using System;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Cross-entropy against a label map in one fused pass per chunk of pixels: the log-sum-exp, the loss and the
/// gradient of a chunk are computed while all its channels sit in cache, and log-probabilities are never stored.
/// </summary>
internal static class CrossEntropyLabelKernel
{
    public delegate double DenominatorRule(SegmentationShape shape, double weightSum, double validCount);

    /// <summary>Returns the scaled loss; writes the gradient and each pixel's log p_label (<paramref name="logProbability"/>, <c>[N, H, W]</c>; 0 where ignored) when asked.</summary>
    public static unsafe double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, double[] weights, double smoothing, Span<T> gradient, DenominatorRule denominatorRule, Span<T> logProbability = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The averaging denominator depends on the labels only, so the gradient's scale is known before the pass.
        (double weightSum, double validCount) = LabelTotals(labels, ignore, weights);
        double denominator = denominatorRule(shape, weightSum, validCount);
        double scale = denominator > 0 ? 1 / denominator : 0;
        int chunks = ActivationKernels.ChunkCount(shape);
        var partial = new double[shape.Batch * chunks];
        fixed (T* xp = input)
        fixed (int* lp = labels)
        fixed (T* gp = gradient)
        fixed (T* pp = logProbability)
        {
            var x = new NativeSpan<T>(xp, input.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            var logp = new NativeSpan<T>(pp, logProbability.Length);
            bool wantGradient = !gradient.IsEmpty;
            ParallelWork.For(partial.Length, shape.ElementCount, item =>
            {
                (int n, int start, int length) = ActivationKernels.ChunkOf(shape, chunks, item);
                partial[item] = Chunk(x.Span, l.Span, wantGradient ? g.Span : default, shape, n, start, length, ignore, weights, smoothing, scale, logp.Span);
            });
        }

        double total = 0;
        foreach (double value in partial)
        {
            total += value;
        }

        return total * scale;
    }

    /// <summary>(Σ w_label, number of valid pixels) over the labels that are not <paramref name="ignore"/>.</summary>
    internal static (double WeightSum, double ValidCount) LabelTotals(ReadOnlySpan<int> labels, int ignore, double[] weights)
    {
        if (Array.TrueForAll(weights, w => w == 1))
        {
            // Unweighted (the usual case): one vectorized count instead of a pass with a lookup per pixel.
            double valid = labels.Length - labels.Count(ignore);
            return (valid, valid);
        }

        double weightSum = 0, validCount = 0;
        foreach (int label in labels)
        {
            if (label != ignore)
            {
                weightSum += weights[label];
                validCount++;
            }
        }

        return (weightSum, validCount);
    }

    /// <summary>Returns the chunk's summed pixel losses; writes its gradient (already scaled) and its pixels' log p_label (into <paramref name="logProbability"/>, indexed by pixel of the batch) when asked.</summary>
    internal static double Chunk<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> labels, Span<T> gradient, SegmentationShape shape, int n, int start, int length, int ignore, double[] weights, double smoothing, double scale, Span<T> logProbability = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        bool wantGradient = !gradient.IsEmpty;
        ReadOnlySpan<int> row = labels.Slice((n * s) + start, length);
        Span<T> lse = stackalloc T[length];
        Span<T> sum = stackalloc T[length];
        Span<T> tmp = stackalloc T[length];

        x.Slice(image + start, length).CopyTo(lse);
        for (int k = 1; k < c; k++)
        {
            TensorPrimitives.Max(lse, x.Slice(image + (k * s) + start, length), lse);
        }

        sum.Clear();
        for (int k = 0; k < c; k++)
        {
            // exp(x − max) is kept in the gradient rows, where it becomes the softmax term of the gradient.
            Span<T> e = wantGradient ? gradient.Slice(image + (k * s) + start, length) : tmp;
            TensorPrimitives.Subtract(x.Slice(image + (k * s) + start, length), lse, e);
            TensorPrimitives.Exp(e, e);
            TensorPrimitives.Add(sum, e, sum);
        }

        TensorPrimitives.Log(sum, tmp);
        TensorPrimitives.Add(lse, tmp, lse); // lse = max + log Σ exp(x − max)

        double weightTotal = 0;
        foreach (double w in weights)
        {
            weightTotal += w;
        }

        // Target term: Σ w_y (x_y − lse); the gather stays inside this chunk's rows.
        double targetTerm = 0, validLse = 0;
        int ignored = 0;
        for (int i = 0; i < length; i++)
        {
            int label = row[i];
            if (label == ignore)
            {
                ignored++;
                if (!logProbability.IsEmpty)
                {
                    logProbability[(n * s) + start + i] = T.Zero;
                }

                continue;
            }

            if (!logProbability.IsEmpty)
            {
                logProbability[(n * s) + start + i] = x[image + (label * s) + start + i] - lse[i];
            }

            double l = double.CreateTruncating(lse[i]);
            targetTerm += weights[label] * (double.CreateTruncating(x[image + (label * s) + start + i]) - l);
            validLse += l;
        }

        double smoothingTerm = 0;
        if (smoothing != 0)
        {
            // Σ_valid Σ_k w_k (x_k − lse) = Σ_k w_k Σ_valid x_k − Σw·Σ_valid lse.
            for (int k = 0; k < c; k++)
            {
                ReadOnlySpan<T> xr = x.Slice(image + (k * s) + start, length);
                double rowSum = double.CreateTruncating(TensorPrimitives.Sum(xr));
                if (ignored > 0)
                {
                    for (int i = 0; i < length; i++)
                    {
                        if (row[i] == ignore)
                        {
                            rowSum -= double.CreateTruncating(xr[i]);
                        }
                    }
                }

                smoothingTerm += weights[k] * rowSum;
            }

            smoothingTerm -= weightTotal * validLse;
        }

        if (wantGradient)
        {
            // ∂/∂x_k = scale·(A·e_k/Σe − ε/C·w_k) − scale·(1 − ε)·w_y·[k = y], with A = (1 − ε)w_y + ε/C·Σw; 0 when ignored.
            Span<T> factor = tmp;
            for (int i = 0; i < length; i++)
            {
                int label = row[i];
                factor[i] = label == ignore
                    ? T.Zero
                    : T.CreateTruncating(scale * (((1 - smoothing) * weights[label]) + (smoothing / c * weightTotal)) / double.CreateTruncating(sum[i]));
            }

            for (int k = 0; k < c; k++)
            {
                Span<T> gr = gradient.Slice(image + (k * s) + start, length);
                TensorPrimitives.Multiply(gr, factor, gr);
                if (smoothing != 0)
                {
                    TensorPrimitives.Subtract(gr, T.CreateTruncating(scale * smoothing / c * weights[k]), gr);
                }
            }

            for (int i = 0; i < length; i++)
            {
                int label = row[i];
                if (label != ignore)
                {
                    gradient[image + (label * s) + start + i] -= T.CreateTruncating(scale * (1 - smoothing) * weights[label]);
                }
                else if (smoothing != 0)
                {
                    for (int k = 0; k < c; k++)
                    {
                        gradient[image + (k * s) + start + i] = T.Zero;
                    }
                }
            }
        }

        return -(((1 - smoothing) * targetTerm) + (smoothing / c * smoothingTerm));
    }
}
