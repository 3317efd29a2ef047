using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>How <see cref="ConfusionMetrics.Compute(ConfusionMetric, IReadOnlyList{ConfusionCounts}, MetricOptions?)"/> reduces scores and treats absent classes.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class MetricOptions
{
    /// <summary>How per-(image, class) scores are combined. Default: <see cref="MetricReduction.Macro"/>.</summary>
    public MetricReduction Reduction { get; set; } = MetricReduction.Macro;

    /// <summary>What the score of an absent class yields. Default: <see cref="AbsentClassPolicy.Skip"/>.</summary>
    public AbsentClassPolicy AbsentClass { get; set; } = AbsentClassPolicy.Skip;

    /// <summary>When a class counts as absent. Default: <see cref="AbsenceCriterion.ZeroDenominator"/>.</summary>
    public AbsenceCriterion Absence { get; set; } = AbsenceCriterion.ZeroDenominator;

    /// <summary>
    /// The score of a class that is not absent under <see cref="Absence"/> but whose denominator is 0 (possible only with
    /// <see cref="AbsenceCriterion.EmptyTruth"/> or <see cref="AbsenceCriterion.EmptyTruthAndPrediction"/>); counts in means.
    /// Default: NaN; any value.
    /// </summary>
    public double ZeroDivisionValue { get; set; } = double.NaN;

    /// <summary>
    /// The value reported for a skipped score in per-class or per-image outputs (torchmetrics reports −1).
    /// Default: NaN; any value. It never enters a mean.
    /// </summary>
    public double SkippedValue { get; set; } = double.NaN;

    /// <summary>
    /// The value of a mean over classes that has nothing to average (every class skipped, or all weights 0). NaN means the
    /// mean is itself skipped by any further mean over images. Default: NaN; any value (torchmetrics' weighted mean gives 0).
    /// </summary>
    public double EmptyAverageValue { get; set; } = double.NaN;

    /// <summary>
    /// The value of a weighted mean over classes whose scored (not skipped) classes all have weight 0, for example an
    /// image that predicts a class but has no ground-truth pixel under support weights: torchmetrics'
    /// <c>nansum(dice · support / Σ support)</c> gives 0 there, while an image with every class skipped stays skipped.
    /// <see langword="null"/> treats it as <see cref="EmptyAverageValue"/>. NaN means the mean is itself skipped.
    /// Default: null; any value.
    /// </summary>
    public double? ZeroWeightAverageValue { get; set; }

    /// <summary>
    /// Class weights for the weighted reductions, one per class, each finite and ≥ 0; <see langword="null"/> weights each
    /// class by its ground-truth support (TP + FN), which makes weighted IoU the frequency-weighted IoU. Default: null.
    /// </summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>
    /// A constant added to the numerator of every count ratio of a per-class formula, for example (TP + s) / (TP + FN + d) for
    /// recall; composite scores (balanced accuracy, informedness, likelihood ratios, normalised expected cost, …) use the
    /// smoothed rates. Matthews correlation and Cohen's kappa are not smoothed. Default: 0; finite and ≥ 0.
    /// </summary>
    public double SmoothNumerator { get; set; }

    /// <summary>
    /// A constant added to the denominator of every count ratio of a per-class formula (see <see cref="SmoothNumerator"/>);
    /// a positive value makes the ratio defined when its counts are 0. Default: 0; finite and ≥ 0.
    /// </summary>
    public double SmoothDenominator { get; set; }

    /// <summary>
    /// The exchange rate w of <see cref="ConfusionMetric.NetBenefit"/>: how many false positives one true positive is worth
    /// (for a risk threshold p, w = p / (1 − p)). Default: 1; finite and ≥ 0.
    /// </summary>
    public double ExchangeRate { get; set; } = 1.0;

    /// <summary>
    /// The cost c_FP of a false positive in <see cref="ConfusionMetric.NormalizedExpectedCost"/>; <see langword="null"/> for the
    /// prior-balanced cost 1 / (2π⁻). Default: null; positive and finite.
    /// </summary>
    public double? FalsePositiveCost { get; set; }

    /// <summary>
    /// The cost c_FN of a false negative in <see cref="ConfusionMetric.NormalizedExpectedCost"/>; <see langword="null"/> for the
    /// prior-balanced cost 1 / (2π⁺). Default: null; positive and finite.
    /// </summary>
    public double? FalseNegativeCost { get; set; }

    /// <summary>β of <see cref="ConfusionMetric.FBeta"/>: recall is β times as important as precision. Default: 1; range (0, ∞).</summary>
    public double Beta { get; set; } = 1.0;

    internal void Validate(int classCount)
    {
        ValidateScalars();
        if (ClassWeights is { } weights)
        {
            if (weights.Count != classCount)
            {
                throw new ArgumentException(
                    $"ClassWeights has {weights.Count} entries but the counts have {classCount} classes; give one weight per class.", nameof(ClassWeights));
            }

            for (int c = 0; c < weights.Count; c++)
            {
                if (!(weights[c] >= 0) || double.IsInfinity(weights[c]))
                {
                    throw new ArgumentException($"ClassWeights[{c}] ({weights[c]}) must be finite and at least 0.", nameof(ClassWeights));
                }
            }
        }
    }

    internal void ValidateScalars()
    {
        RequireFiniteNonNegative(SmoothNumerator, nameof(SmoothNumerator));
        RequireFiniteNonNegative(SmoothDenominator, nameof(SmoothDenominator));
        RequireFiniteNonNegative(ExchangeRate, nameof(ExchangeRate));
        RequirePositiveCost(FalsePositiveCost, nameof(FalsePositiveCost));
        RequirePositiveCost(FalseNegativeCost, nameof(FalseNegativeCost));
        if (!(Beta > 0) || double.IsInfinity(Beta))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, $"Beta ({Beta}) must be positive and finite; use 1 for F1.");
        }

        if (!Enum.IsDefined(Reduction))
        {
            throw new ArgumentOutOfRangeException(nameof(Reduction), Reduction, "Unknown reduction; use a MetricReduction member.");
        }

        if (!Enum.IsDefined(AbsentClass))
        {
            throw new ArgumentOutOfRangeException(nameof(AbsentClass), AbsentClass, "Unknown absent-class policy; use an AbsentClassPolicy member.");
        }

        if (!Enum.IsDefined(Absence))
        {
            throw new ArgumentOutOfRangeException(nameof(Absence), Absence, "Unknown absence criterion; use an AbsenceCriterion member.");
        }
    }

    private static void RequireFiniteNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} ({value}) must be finite and at least 0.");
        }
    }

    private static void RequirePositiveCost(double? value, string name)
    {
        if (value is double v && (!(v > 0) || double.IsInfinity(v)))
        {
            throw new ArgumentOutOfRangeException(name, v, $"{name} ({v}) must be positive and finite, or null for the prior-balanced cost.");
        }
    }
}
