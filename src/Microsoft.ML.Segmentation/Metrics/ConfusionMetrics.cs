using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Segmentation metrics as formulas over <see cref="ConfusionCounts"/>: IoU, Dice/F-beta, precision, recall,
/// specificity, accuracy, MCC, kappa and more (<see cref="ConfusionMetric"/>), reduced over images and classes as
/// <see cref="MetricOptions"/> says, plus dataset summaries (pixel accuracy, mean class accuracy, frequency-weighted IoU).
/// </summary>
/// <remarks>
/// A score is computed per (image, class) or on summed counts (see <see cref="MetricReduction"/>). A class that is
/// absent (<see cref="MetricOptions.Absence"/>; by default: its denominator is 0) takes the value of
/// <see cref="MetricOptions.AbsentClass"/>; skipped scores never enter a mean.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static partial class ConfusionMetrics
{
    /// <summary>Computes <paramref name="metric"/> over per-image counts and reduces it.</summary>
    /// <param name="metric">The per-class metric.</param>
    /// <param name="images">The counts of each image, all with the same classes; at least one.</param>
    /// <param name="options">Reduction and absent-class handling; <see langword="null"/> for the defaults (macro, skip absent classes).</param>
    /// <returns>
    /// The reduced values: N·C for <see cref="MetricReduction.None"/>, C for the per-class reductions, N for
    /// <see cref="MetricReduction.PerImage"/>, otherwise one.
    /// </returns>
    /// <exception cref="ArgumentException">No image is given, the class counts differ, or the options do not fit.</exception>
    public static double[] Compute(ConfusionMetric metric, IReadOnlyList<ConfusionCounts> images, MetricOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("There are no counts to score; pass the counts of at least one image.", nameof(images));
        }

        options ??= new MetricOptions();
        int classes = images[0].ClassCount;
        for (int n = 1; n < images.Count; n++)
        {
            if (images[n].ClassCount != classes)
            {
                throw new ArgumentException(
                    $"Image {n} has {images[n].ClassCount} classes but image 0 has {classes}; every image must have the same classes.", nameof(images));
            }
        }

        options.Validate(classes);
        if (!Enum.IsDefined(metric))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
        }

        var scorer = new Scorer(metric, options, images);
        return scorer.Reduce();
    }

    /// <summary>Computes <paramref name="metric"/> over the counts of one image or of a whole dataset.</summary>
    /// <param name="metric">The per-class metric.</param>
    /// <param name="counts">The counts.</param>
    /// <param name="options">Reduction and absent-class handling; <see langword="null"/> for the defaults.</param>
    /// <returns>The reduced values, as for the per-image overload with one image.</returns>
    /// <exception cref="ArgumentException">The options do not fit the counts.</exception>
    public static double[] Compute(ConfusionMetric metric, ConfusionCounts counts, MetricOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Compute(metric, new[] { counts }, options);
    }

    /// <summary>Pixel accuracy of exclusive classes: Σ TP / Σ (TP + FN), the share of counted pixels labelled correctly (mmseg <c>aAcc</c>).</summary>
    /// <param name="counts">Counts from a <see cref="ConfusionMatrix"/>.</param>
    /// <returns>The accuracy, or NaN when no pixel was counted.</returns>
    public static double PixelAccuracy(ConfusionCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        long support = counts.Support;
        return support == 0 ? double.NaN : (double)counts.TruePositives / support;
    }

    /// <summary>Mean class accuracy: the mean of per-class recall over classes present in the ground truth (mmseg <c>mAcc</c>).</summary>
    /// <param name="counts">Dataset counts.</param>
    /// <returns>The mean, or NaN when no class is present.</returns>
    public static double MeanClassAccuracy(ConfusionCounts counts)
        => Compute(ConfusionMetric.Recall, counts, new MetricOptions { Reduction = MetricReduction.Macro })[0];

    /// <summary>Frequency-weighted IoU: per-class IoU weighted by ground-truth support.</summary>
    /// <param name="counts">Dataset counts.</param>
    /// <returns>The weighted IoU, or NaN when nothing was counted.</returns>
    public static double FrequencyWeightedIou(ConfusionCounts counts)
        => Compute(ConfusionMetric.Iou, counts, new MetricOptions { Reduction = MetricReduction.Weighted })[0];

    /// <summary>Multiclass Cohen's kappa of a confusion matrix: (p_o − p_e) / (1 − p_e).</summary>
    /// <param name="matrix">The matrix.</param>
    /// <returns>Kappa, or NaN when it is undefined (no pixels, or p_e = 1).</returns>
    public static double CohenKappa(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        (double total, double correct, double[] rows, double[] columns) = Marginals(matrix);
        if (total == 0)
        {
            return double.NaN;
        }

        double expected = 0;
        for (int c = 0; c < rows.Length; c++)
        {
            expected += rows[c] * columns[c];
        }

        double po = correct / total;
        double pe = expected / (total * total);
        return pe == 1 ? double.NaN : (po - pe) / (1 - pe);
    }

    /// <summary>Multiclass Matthews correlation coefficient (Gorodkin's R_K) of a confusion matrix.</summary>
    /// <param name="matrix">The matrix.</param>
    /// <returns>MCC in [−1, 1], or NaN when a marginal is concentrated in one class.</returns>
    public static double MatthewsCorrelation(ConfusionMatrix matrix)
    {
        // Gorodkin, 2004, "Comparing two K-category assignments by a K-category correlation coefficient".
        ArgumentNullException.ThrowIfNull(matrix);
        (double s, double c, double[] truth, double[] predicted) = Marginals(matrix);
        double tp = 0, pp = 0, tt = 0;
        for (int k = 0; k < truth.Length; k++)
        {
            tp += truth[k] * predicted[k];
            pp += predicted[k] * predicted[k];
            tt += truth[k] * truth[k];
        }

        double denominator = Math.Sqrt(((s * s) - pp) * ((s * s) - tt));
        return denominator == 0 ? double.NaN : ((c * s) - tp) / denominator;
    }

    private static (double Total, double Correct, double[] Rows, double[] Columns) Marginals(ConfusionMatrix matrix)
    {
        int k = matrix.NumClasses;
        long[] m = matrix.ToArray();
        var rows = new double[k];
        var columns = new double[k];
        double total = 0, correct = 0;
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                double v = m[(t * k) + p];
                rows[t] += v;
                columns[p] += v;
                total += v;
                if (t == p)
                {
                    correct += v;
                }
            }
        }

        return (total, correct, rows, columns);
    }
}
