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
        => new Formula(counts, beta, 0, 0).Evaluate(metric, exchangeRate: 1.0, costFalsePositive: null, costFalseNegative: null);

    /// <summary>
    /// The raw score of one class with the formula parameters of <paramref name="options"/>: β, smoothing
    /// (<see cref="MetricOptions.SmoothNumerator"/>, <see cref="MetricOptions.SmoothDenominator"/>), exchange rate and costs.
    /// Reduction and absent-class settings do not apply to a single score.
    /// </summary>
    /// <param name="metric">The metric.</param>
    /// <param name="counts">The class's counts.</param>
    /// <param name="options">The formula parameters.</param>
    /// <returns>The score, or NaN when it is undefined.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The metric is unknown or an option is out of range.</exception>
    public static double Score(ConfusionMetric metric, ClassConfusion counts, MetricOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateScalars();
        return ScoreUnchecked(metric, counts, options);
    }

    private static double ScoreUnchecked(ConfusionMetric metric, ClassConfusion counts, MetricOptions options)
        => new Formula(counts, options.Beta, options.SmoothNumerator, options.SmoothDenominator)
            .Evaluate(metric, options.ExchangeRate, options.FalsePositiveCost, options.FalseNegativeCost);

    /// <summary>NaN when the denominator is 0 (or either operand is NaN), else the quotient.</summary>
    private static double Ratio(double numerator, double denominator)
        => denominator == 0 || double.IsNaN(denominator) ? double.NaN : numerator / denominator;

    private readonly struct Formula(ClassConfusion counts, double beta, double smoothNumerator, double smoothDenominator)
    {
        private readonly double _tp = counts.TruePositives;
        private readonly double _fp = counts.FalsePositives;
        private readonly double _fn = counts.FalseNegatives;
        private readonly double _tn = counts.TrueNegatives;

        private double Tpr => Rate(_tp, _tp + _fn);

        private double Tnr => Rate(_tn, _tn + _fp);

        private double Ppv => Rate(_tp, _tp + _fp);

        private double Npv => Rate(_tn, _tn + _fn);

        public double Evaluate(ConfusionMetric metric, double exchangeRate, double? costFalsePositive, double? costFalseNegative)
        {
            double tp = _tp, fp = _fp, fn = _fn, tn = _tn;
            switch (metric)
            {
                case ConfusionMetric.Iou:
                    return Rate(tp, tp + fp + fn);
                case ConfusionMetric.Dice:
                    return Rate(2 * tp, (2 * tp) + fp + fn);
                case ConfusionMetric.FBeta:
                    double b2 = beta * beta;
                    return Rate((1 + b2) * tp, ((1 + b2) * tp) + (b2 * fn) + fp);
                case ConfusionMetric.Precision:
                    return Ppv;
                case ConfusionMetric.Recall:
                    return Tpr;
                case ConfusionMetric.Specificity:
                    return Tnr;
                case ConfusionMetric.NegativePredictiveValue:
                    return Npv;
                case ConfusionMetric.FalseNegativeRate:
                    return Rate(fn, tp + fn);
                case ConfusionMetric.FalsePositiveRate:
                    return Rate(fp, fp + tn);
                case ConfusionMetric.FalseDiscoveryRate:
                    return Rate(fp, tp + fp);
                case ConfusionMetric.FalseOmissionRate:
                    return Rate(fn, fn + tn);
                case ConfusionMetric.Accuracy:
                    return Rate(tp + tn, tp + fp + fn + tn);
                case ConfusionMetric.BalancedAccuracy:
                    return (Tpr + Tnr) / 2;
                case ConfusionMetric.PrevalenceThreshold:
                {
                    double tpr = Tpr;
                    double tnr = Tnr;
                    return Ratio(Math.Sqrt(tpr * (1 - tnr)) + tnr - 1, tpr + tnr - 1);
                }

                case ConfusionMetric.MatthewsCorrelation:
                    return Ratio((tp * tn) - (fp * fn), Math.Sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)));
                case ConfusionMetric.FowlkesMallows:
                    return Math.Sqrt(Ppv * Tpr);
                case ConfusionMetric.Informedness:
                    return Tpr + Tnr - 1;
                case ConfusionMetric.Markedness:
                    return Ppv + Npv - 1;
                case ConfusionMetric.CohenKappa:
                    return CohenKappa(tp, fp, fn, tn);
                case ConfusionMetric.VolumeDifference:
                    return Rate(Math.Abs(fp - fn), tp + fn);
                case ConfusionMetric.PositiveLikelihoodRatio:
                    return Likelihood(Tpr, 1 - Tnr);
                case ConfusionMetric.NegativeLikelihoodRatio:
                    return Likelihood(1 - Tpr, Tnr);
                case ConfusionMetric.NetBenefit:
                    return Rate(tp - (exchangeRate * fp), tp + fp + fn + tn);
                case ConfusionMetric.NormalizedExpectedCost:
                    return NormalizedExpectedCost(costFalsePositive, costFalseNegative);
                case ConfusionMetric.FalsePositiveFraction:
                    return Rate(fp, tp + fp + fn + tn);
                case ConfusionMetric.HarmonicFBeta:
                    return HarmonicFBeta();
                default:
                    throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
            }
        }

        /// <summary>
        /// (1 + β²)·PPV·TPR / (β²·PPV + TPR + d) of smoothed rates. Unsmoothed (d = 0): NaN when the class is absent from
        /// truth and prediction, 0 when the harmonic denominator is 0 or undefined while something was wrong (MetricsReloaded's
        /// guards). Smoothed: the formula as it is, so an absent class gives 0 / d = 0 (MetricsReloaded skips its guards when
        /// smooth_dr > 0, as in MONAI's MetricsReloadedBinary with smooth_dr = 1e-5).
        /// </summary>
        private double HarmonicFBeta()
        {
            if (_tp + _fp + _fn == 0 && smoothDenominator == 0)
            {
                return double.NaN;
            }

            double b2 = beta * beta;
            double ppv = Ppv, tpr = Tpr;
            double denominator = (b2 * ppv) + tpr + smoothDenominator;
            return denominator == 0 || double.IsNaN(denominator) ? 0 : (1 + b2) * ppv * tpr / denominator;
        }

        /// <summary>A smoothed count ratio: (n + s) / (d + t); NaN when the smoothed denominator is 0.</summary>
        private double Rate(double numerator, double denominator)
            => Ratio(numerator + smoothNumerator, denominator + smoothDenominator);

        private static double CohenKappa(double tp, double fp, double fn, double tn)
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

        /// <summary>A ratio of rates: +∞ for a positive rate over 0, NaN for 0 / 0 or an undefined rate.</summary>
        private static double Likelihood(double numerator, double denominator)
        {
            if (double.IsNaN(numerator) || double.IsNaN(denominator) || (numerator == 0 && denominator == 0))
            {
                return double.NaN;
            }

            return denominator == 0 ? double.PositiveInfinity : numerator / denominator;
        }

        private double NormalizedExpectedCost(double? costFalsePositive, double? costFalseNegative)
        {
            double n = _tp + _fp + _fn + _tn;
            double positives = (_tp + _fn) / n;
            double negatives = (_fp + _tn) / n;

            // Each cost times its prior; the prior-balanced default cost 1 / (2π) makes the product 1/2.
            double fpWeight = costFalsePositive is double cfp ? cfp * negatives : 0.5;
            double fnWeight = costFalseNegative is double cfn ? cfn * positives : 0.5;
            double fpr = Rate(_fp, _fp + _tn);
            double fnr = Rate(_fn, _tp + _fn);
            if (n == 0 || positives == 0 || negatives == 0)
            {
                return double.NaN;
            }

            return ((fpWeight * fpr) + (fnWeight * fnr)) / Math.Min(fpWeight, fnWeight);
        }
    }
}
