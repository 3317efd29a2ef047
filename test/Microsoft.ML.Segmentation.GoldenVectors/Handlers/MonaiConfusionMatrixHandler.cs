using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>get_confusion_matrix</c> (per item and channel: tp, fp, tn, fn) and <c>ConfusionMatrixMetric</c> through
/// <see cref="Monai.ConfusionMatrixMetric"/>, one metric per name of <c>metric_name</c>, results in order.
/// </summary>
internal sealed class MonaiConfusionMatrixHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && (file.Callable.Contains("get_confusion_matrix", StringComparison.Ordinal) || file.Callable.Contains("ConfusionMatrixMetric", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", true);
        ConfusionCounts[] images = MonaiInputs.Counts(testCase);
        if (MetricCaseInputs.CallName(testCase.Api) == "get_confusion_matrix")
        {
            // [B,C,4] in MONAI's order (tp, fp, tn, fn).
            ConfusionCounts[] kept = includeBackground || images[0].ClassCount == 1 ? images : images.Select(c => c.FromClass(1)).ToArray();
            return GoldenOutcome.Compare(testCase, kept
                .SelectMany(image => image.Classes)
                .SelectMany(k => new double[] { k.TruePositives, k.FalsePositives, k.TrueNegatives, k.FalseNegatives })
                .ToArray());
        }

        string[] names = p["metric_name"] is JsonArray list
            ? list.Select(n => GoldenValues.String(n) ?? string.Empty).ToArray()
            : new[] { MetricCaseInputs.Text(p, "metric_name") ?? "hit_rate" };
        string reduction = MetricCaseInputs.Text(p, "reduction") ?? "mean";
        bool computeSample = MetricCaseInputs.Bool(p, "compute_sample", false);
        double[] all = names
            .SelectMany(name => Monai.ConfusionMatrixMetric(includeBackground, name, computeSample, reduction).Compute(images))
            .ToArray();
        return GoldenOutcome.Compare(testCase, all);
    }
}
