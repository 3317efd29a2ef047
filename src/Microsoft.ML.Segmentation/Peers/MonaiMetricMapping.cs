using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>MONAI's <c>ConfusionMatrixMetric</c> metric names (<c>check_confusion_matrix_metric_name</c>) as <see cref="ConfusionMetric"/>s.</summary>
internal static class MonaiMetricMapping
{
    public static ConfusionMetric ConfusionMatrixMetricName(string metricName)
    {
        ArgumentNullException.ThrowIfNull(metricName);

        // MONAI lower-cases the name and turns spaces into underscores before looking it up.
        string key = metricName.Replace(' ', '_').ToLowerInvariant();
        return Names.TryGetValue(key, out ConfusionMetric metric)
            ? metric
            : throw new NotSupportedException($"metricName '{metricName}' is not a MONAI confusion-matrix metric name SegML maps (for example 'hit_rate', 'precision', 'f1', 'mcc').");
    }

    private static readonly Dictionary<string, ConfusionMetric> Names = new(StringComparer.Ordinal)
    {
        ["sensitivity"] = ConfusionMetric.Recall, ["recall"] = ConfusionMetric.Recall, ["hit_rate"] = ConfusionMetric.Recall,
        ["true_positive_rate"] = ConfusionMetric.Recall, ["tpr"] = ConfusionMetric.Recall,
        ["specificity"] = ConfusionMetric.Specificity, ["selectivity"] = ConfusionMetric.Specificity,
        ["true_negative_rate"] = ConfusionMetric.Specificity, ["tnr"] = ConfusionMetric.Specificity,
        ["precision"] = ConfusionMetric.Precision, ["positive_predictive_value"] = ConfusionMetric.Precision, ["ppv"] = ConfusionMetric.Precision,
        ["negative_predictive_value"] = ConfusionMetric.NegativePredictiveValue, ["npv"] = ConfusionMetric.NegativePredictiveValue,
        ["miss_rate"] = ConfusionMetric.FalseNegativeRate, ["false_negative_rate"] = ConfusionMetric.FalseNegativeRate, ["fnr"] = ConfusionMetric.FalseNegativeRate,
        ["fall_out"] = ConfusionMetric.FalsePositiveRate, ["false_positive_rate"] = ConfusionMetric.FalsePositiveRate, ["fpr"] = ConfusionMetric.FalsePositiveRate,
        ["false_discovery_rate"] = ConfusionMetric.FalseDiscoveryRate, ["fdr"] = ConfusionMetric.FalseDiscoveryRate,
        ["false_omission_rate"] = ConfusionMetric.FalseOmissionRate, ["for"] = ConfusionMetric.FalseOmissionRate,
        ["prevalence_threshold"] = ConfusionMetric.PrevalenceThreshold, ["pt"] = ConfusionMetric.PrevalenceThreshold,
        ["threat_score"] = ConfusionMetric.Iou, ["critical_success_index"] = ConfusionMetric.Iou, ["ts"] = ConfusionMetric.Iou, ["csi"] = ConfusionMetric.Iou,
        ["accuracy"] = ConfusionMetric.Accuracy, ["acc"] = ConfusionMetric.Accuracy,
        ["balanced_accuracy"] = ConfusionMetric.BalancedAccuracy, ["ba"] = ConfusionMetric.BalancedAccuracy,
        ["f1_score"] = ConfusionMetric.Dice, ["f1"] = ConfusionMetric.Dice,
        ["matthews_correlation_coefficient"] = ConfusionMetric.MatthewsCorrelation, ["mcc"] = ConfusionMetric.MatthewsCorrelation,
        ["fowlkes_mallows_index"] = ConfusionMetric.FowlkesMallows, ["fm"] = ConfusionMetric.FowlkesMallows,
        ["informedness"] = ConfusionMetric.Informedness, ["bookmaker_informedness"] = ConfusionMetric.Informedness,
        ["bm"] = ConfusionMetric.Informedness, ["youden_index"] = ConfusionMetric.Informedness, ["youden"] = ConfusionMetric.Informedness,
        ["markedness"] = ConfusionMetric.Markedness, ["deltap"] = ConfusionMetric.Markedness, ["mk"] = ConfusionMetric.Markedness,
    };
}
