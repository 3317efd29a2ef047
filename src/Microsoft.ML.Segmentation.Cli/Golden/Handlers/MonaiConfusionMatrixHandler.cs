using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// MONAI <c>get_confusion_matrix</c> (per item and channel: tp, fp, tn, fn) and <c>ConfusionMatrixMetric</c>: the
/// metric name maps to a <see cref="ConfusionMetric"/>; with <c>compute_sample=True</c> each (item, channel) is scored
/// and reduced (undefined scores skipped), otherwise the counts are pooled as the reduction says and scored once.
/// </summary>
internal sealed class MonaiConfusionMatrixHandler : IGoldenHandler
{
    private static readonly Dictionary<string, ConfusionMetric> Names = new(StringComparer.OrdinalIgnoreCase)
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

    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && (file.Callable.Contains("get_confusion_matrix", StringComparison.Ordinal) || file.Callable.Contains("ConfusionMatrixMetric", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        ConfusionCounts[] images = MonaiReduction.Counts(testCase, MetricCaseInputs.Bool(p, "include_background", true));
        if (MetricCaseInputs.CallName(testCase.Api) == "get_confusion_matrix")
        {
            // [B,C,4] in MONAI's order (tp, fp, tn, fn).
            return GoldenOutcome.Compare(testCase, images
                .SelectMany(image => image.Classes)
                .SelectMany(k => new double[] { k.TruePositives, k.FalsePositives, k.TrueNegatives, k.FalseNegatives })
                .ToArray());
        }

        // metric_name may be a list: MONAI then returns one result per name, in order.
        string[] names = p["metric_name"] is JsonArray list
            ? list.Select(n => GoldenValues.String(n) ?? string.Empty).ToArray()
            : new[] { MetricCaseInputs.Text(p, "metric_name") ?? "hit_rate" };
        string reduction = MetricCaseInputs.Text(p, "reduction") ?? "mean";
        var all = new List<double>();
        foreach (string name in names)
        {
            if (!Names.TryGetValue(name.Replace(' ', '_'), out ConfusionMetric metric))
            {
                return GoldenOutcome.Unsupported($"metric_name '{name}' is not mapped");
            }

            double[]? result = MetricCaseInputs.Bool(p, "compute_sample", false)
                ? MonaiReduction.Reduce(metric, images, reduction, AbsenceCriterion.ZeroDenominator, AbsentClassPolicy.Skip)
                : PooledCounts(metric, images, reduction);
            if (result is null)
            {
                return GoldenOutcome.Unsupported($"MONAI reduction '{reduction}' is not mapped");
            }

            all.AddRange(result);
        }

        return GoldenOutcome.Compare(testCase, all.ToArray());
    }

    /// <summary>
    /// compute_sample=False: MONAI reduces the count tensor [B,C,4] first (means and sums of counts give the same
    /// ratios), then applies the formula once per remaining entry.
    /// </summary>
    private static double[]? PooledCounts(ConfusionMetric metric, ConfusionCounts[] images, string reduction)
    {
        var options = new MetricOptions { AbsentClass = AbsentClassPolicy.NaN };
        return reduction switch
        {
            "none" => ConfusionMetrics.Compute(metric, images, With(options, MetricReduction.None)),
            "mean" or "sum" => ConfusionMetrics.Compute(metric, images, With(options, MetricReduction.Micro)),
            "mean_batch" or "sum_batch" => ConfusionMetrics.Compute(metric, images, With(options, MetricReduction.PerClass)),
            "mean_channel" or "sum_channel" => images
                .Select(image => ConfusionMetrics.Compute(metric, image, With(options, MetricReduction.Micro))[0])
                .ToArray(),
            _ => null,
        };
    }

    private static MetricOptions With(MetricOptions options, MetricReduction reduction)
        => new() { Reduction = reduction, AbsentClass = options.AbsentClass, Absence = options.Absence };
}
