using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>How <see cref="ConfusionMetrics.Compute(ConfusionMetric, IReadOnlyList{ConfusionCounts}, MetricOptions?)"/> reduces scores and treats absent classes.</summary>
public sealed class MetricOptions
{
    /// <summary>How per-(image, class) scores are combined. Default: <see cref="MetricReduction.Macro"/>.</summary>
    public MetricReduction Reduction { get; init; } = MetricReduction.Macro;

    /// <summary>What the score of an absent class yields. Default: <see cref="AbsentClassPolicy.Skip"/>.</summary>
    public AbsentClassPolicy AbsentClass { get; init; } = AbsentClassPolicy.Skip;

    /// <summary>When a class counts as absent. Default: <see cref="AbsenceCriterion.ZeroDenominator"/>.</summary>
    public AbsenceCriterion Absence { get; init; } = AbsenceCriterion.ZeroDenominator;

    /// <summary>
    /// The score of a class that is not absent under <see cref="Absence"/> but whose denominator is 0 (possible only with
    /// <see cref="AbsenceCriterion.EmptyTruth"/> or <see cref="AbsenceCriterion.EmptyTruthAndPrediction"/>); counts in means.
    /// Default: NaN; any value.
    /// </summary>
    public double ZeroDivisionValue { get; init; } = double.NaN;

    /// <summary>
    /// The value reported for a skipped score in per-class or per-image outputs (torchmetrics reports −1).
    /// Default: NaN; any value. It never enters a mean.
    /// </summary>
    public double SkippedValue { get; init; } = double.NaN;

    /// <summary>
    /// The value of a mean over classes that has nothing to average (every class skipped, or all weights 0). NaN means the
    /// mean is itself skipped by any further mean over images. Default: NaN; any value (torchmetrics' weighted mean gives 0).
    /// </summary>
    public double EmptyAverageValue { get; init; } = double.NaN;

    /// <summary>
    /// Class weights for the weighted reductions, one per class, each finite and ≥ 0; <see langword="null"/> weights each
    /// class by its ground-truth support (TP + FN), which makes weighted IoU the frequency-weighted IoU. Default: null.
    /// </summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }

    /// <summary>β of <see cref="ConfusionMetric.FBeta"/>: recall is β times as important as precision. Default: 1; range (0, ∞).</summary>
    public double Beta { get; init; } = 1.0;

    internal void Validate(int classCount)
    {
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
}
