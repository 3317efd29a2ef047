using System;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <content>smp's <c>get_stats</c>.</content>
public static partial class Smp
{
    /// <summary>
    /// smp <c>get_stats</c>: per image and class the true/false positive/negative counts. <c>multiclass</c> reads index maps
    /// [N, …] (a prediction outside 0..C−1 counts for no class, as <c>torch.histc</c>; pixels whose target is
    /// <paramref name="ignoreIndex"/> are removed from all four counts); <c>binary</c> and <c>multilabel</c> read masks
    /// [N, C, …], binarised with ≥ <paramref name="threshold"/> (target too) when a threshold is given.
    /// </summary>
    /// <param name="output">smp <c>output</c>: labels (multiclass) or mask values; without a threshold they must be whole numbers.</param>
    /// <param name="target">smp <c>target</c>: whole numbers.</param>
    /// <param name="shape">The tensor shape: [N, …] for multiclass, [N, C, …] otherwise.</param>
    /// <param name="mode">smp <c>mode</c>: "binary", "multilabel" or "multiclass".</param>
    /// <param name="ignoreIndex">smp <c>ignore_index</c>: multiclass only, outside 0..C−1. Default: null.</param>
    /// <param name="threshold">smp <c>threshold</c>: binary and multilabel only. Default: null.</param>
    /// <param name="numClasses">smp <c>num_classes</c>: required for multiclass. Default: null.</param>
    /// <returns>One <see cref="ConfusionCounts"/> per image (smp's four [N, C] tensors).</returns>
    /// <exception cref="ArgumentException">A combination smp rejects with ValueError, or lengths that do not match the shape.</exception>
    public static ConfusionCounts[] GetStats(ReadOnlySpan<double> output, ReadOnlySpan<double> target, ReadOnlySpan<int> shape, string mode,
        int? ignoreIndex = null, double? threshold = null, int? numClasses = null)
    {
        if (mode is not ("binary" or "multilabel" or "multiclass"))
        {
            throw new ArgumentException($"mode should be in ['binary', 'multiclass', 'multilabel'], got mode={mode}.", nameof(mode));
        }

        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        if (shape.Length < 1 || output.Length != count || target.Length != count)
        {
            throw new ArgumentException($"output ({output.Length}) and target ({target.Length}) must both hold the {count} values of the shape.", nameof(shape));
        }

        RequireWhole(target, nameof(target));
        if (threshold is null)
        {
            RequireWhole(output, nameof(output));
        }

        if (mode == "multiclass")
        {
            if (threshold is not null)
            {
                throw new ArgumentException("threshold is not supported for the 'multiclass' mode; pass labels.", nameof(threshold));
            }

            if (numClasses is not int k || k < 1)
            {
                throw new ArgumentException("numClasses must be given (and positive) for the 'multiclass' mode.", nameof(numClasses));
            }

            if (ignoreIndex is int ig && ig >= 0 && ig <= k - 1)
            {
                throw new ArgumentException(
                    $"ignoreIndex ({ig}) should be outside the class values range 0..{k - 1}; use -1 or 255.", nameof(ignoreIndex));
            }

            return Multiclass(output, target, shape[0], k, ignoreIndex);
        }

        if (ignoreIndex is not null)
        {
            throw new ArgumentException($"ignoreIndex is not supported for the '{mode}' mode.", nameof(ignoreIndex));
        }

        if (shape.Length < 2)
        {
            throw new ArgumentException($"The '{mode}' mode needs [N, C, …] inputs.", nameof(shape));
        }

        return Multilabel(output, target, shape[0], shape[1], threshold);
    }

    private static ConfusionCounts[] Multiclass(ReadOnlySpan<double> output, ReadOnlySpan<double> target, int batch, int classes, int? ignoreIndex)
    {
        int size = output.Length / batch;
        var result = new ConfusionCounts[batch];
        for (int b = 0; b < batch; b++)
        {
            var tp = new long[classes];
            var predicted = new long[classes];
            var actual = new long[classes];
            long ignored = 0;
            for (int i = b * size; i < (b + 1) * size; i++)
            {
                long y = (long)target[i], p = (long)output[i];
                if (ignoreIndex is int ig && y == ig)
                {
                    ignored++;
                    continue;
                }

                bool pIn = p >= 0 && p < classes, yIn = y >= 0 && y < classes;
                predicted[pIn ? p : 0] += pIn ? 1 : 0;
                actual[yIn ? y : 0] += yIn ? 1 : 0;
                tp[pIn ? p : 0] += pIn && p == y ? 1 : 0;
            }

            var counts = new ClassConfusion[classes];
            for (int c = 0; c < classes; c++)
            {
                long fp = predicted[c] - tp[c], fn = actual[c] - tp[c];
                counts[c] = new ClassConfusion(tp[c], fp, fn, size - tp[c] - fp - fn - ignored);
            }

            result[b] = new ConfusionCounts(counts);
        }

        return result;
    }

    private static ConfusionCounts[] Multilabel(ReadOnlySpan<double> output, ReadOnlySpan<double> target, int batch, int classes, double? threshold)
    {
        int size = output.Length / (batch * classes);
        var result = new ConfusionCounts[batch];
        for (int b = 0; b < batch; b++)
        {
            var counts = new ClassConfusion[classes];
            for (int c = 0; c < classes; c++)
            {
                // Sums of products, as smp: without a threshold the values are used as they are.
                double tp = 0, p = 0, y = 0;
                for (int i = ((b * classes) + c) * size, end = i + size; i < end; i++)
                {
                    double o = threshold is double t ? (output[i] >= t ? 1 : 0) : output[i];
                    double g = threshold is double u ? (target[i] >= u ? 1 : 0) : target[i];
                    tp += o * g;
                    p += o;
                    y += g;
                }

                long ltp = (long)tp, lfp = (long)(p - tp), lfn = (long)(y - tp);
                counts[c] = new ClassConfusion(ltp, lfp, lfn, size - (ltp + lfp + lfn));
            }

            result[b] = new ConfusionCounts(counts);
        }

        return result;
    }

    private static void RequireWhole(ReadOnlySpan<double> values, string name)
    {
        foreach (double v in values)
        {
            if (v != Math.Floor(v))
            {
                throw new ArgumentException($"{name} holds {v}; it should be of an integer type (give a threshold to binarise scores).", name);
            }
        }
    }
}
