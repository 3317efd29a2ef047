using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <content>The per-class formulas.</content>
public static partial class ConfusionMetrics
{
    /// <summary>The raw score of one class: the formula of <paramref name="metric"/>, NaN where its denominator is 0.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="counts">The class's counts.</param>
    /// <param name="beta">β of <see cref="ConfusionMetric.FBeta"/>. Default: 1.</param>
    /// <returns>The score, or NaN when it is undefined.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The metric is unknown.</exception>
    public static double Score(ConfusionMetric metric, ClassConfusion counts, double beta = 1.0)
    {
        double tp = counts.TruePositives;
        double fp = counts.FalsePositives;
        double fn = counts.FalseNegatives;
        double tn = counts.TrueNegatives;
        switch (metric)
        {
            case ConfusionMetric.Iou:
                return Ratio(tp, tp + fp + fn);
            case ConfusionMetric.Dice:
                return Ratio(2 * tp, (2 * tp) + fp + fn);
            case ConfusionMetric.FBeta:
                double b2 = beta * beta;
                return Ratio((1 + b2) * tp, ((1 + b2) * tp) + (b2 * fn) + fp);
            case ConfusionMetric.Precision:
                return Ratio(tp, tp + fp);
            case ConfusionMetric.Recall:
                return Ratio(tp, tp + fn);
            case ConfusionMetric.Specificity:
                return Ratio(tn, tn + fp);
            case ConfusionMetric.NegativePredictiveValue:
                return Ratio(tn, tn + fn);
            case ConfusionMetric.FalseNegativeRate:
                return Ratio(fn, tp + fn);
            case ConfusionMetric.FalsePositiveRate:
                return Ratio(fp, fp + tn);
            case ConfusionMetric.FalseDiscoveryRate:
                return Ratio(fp, tp + fp);
            case ConfusionMetric.FalseOmissionRate:
                return Ratio(fn, fn + tn);
            case ConfusionMetric.Accuracy:
                return Ratio(tp + tn, tp + fp + fn + tn);
            case ConfusionMetric.BalancedAccuracy:
                return (Ratio(tp, tp + fn) + Ratio(tn, tn + fp)) / 2;
            case ConfusionMetric.PrevalenceThreshold:
            {
                double tpr = Ratio(tp, tp + fn);
                double tnr = Ratio(tn, tn + fp);
                return Ratio(Math.Sqrt(tpr * (1 - tnr)) + tnr - 1, tpr + tnr - 1);
            }

            case ConfusionMetric.MatthewsCorrelation:
                return Ratio((tp * tn) - (fp * fn), Math.Sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)));
            case ConfusionMetric.FowlkesMallows:
                return Math.Sqrt(Ratio(tp, tp + fp) * Ratio(tp, tp + fn));
            case ConfusionMetric.Informedness:
                return Ratio(tp, tp + fn) + Ratio(tn, tn + fp) - 1;
            case ConfusionMetric.Markedness:
                return Ratio(tp, tp + fp) + Ratio(tn, tn + fn) - 1;
            case ConfusionMetric.CohenKappa:
            {
                double n = tp + fp + fn + tn;
                if (n == 0)
                {
                    return double.NaN;
                }

                double po = (tp + tn) / n;
                double pe = (((tp + fp) * (tp + fn)) + ((fn + tn) * (fp + tn))) / (n * n);
                return Ratio(po - pe, 1 - pe);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
        }
    }

    /// <summary>NaN when the denominator is 0 (or either operand is NaN), else the quotient.</summary>
    private static double Ratio(double numerator, double denominator)
        => denominator == 0 || double.IsNaN(denominator) ? double.NaN : numerator / denominator;
}
