using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>compute_generalized_dice</c>/<c>GeneralizedDiceScore</c> through <see cref="Monai.GeneralizedDiceScore"/>; the
/// function form returns the per-item score (<c>sum_over_classes</c>) or the per-class grid.
/// </summary>
internal sealed class MonaiGeneralizedDiceHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && file.Callable.Contains("compute_generalized_dice", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", true);
        string weightType = MetricCaseInputs.Text(p, "weight_type") ?? "square";
        bool isClass = testCase.Api.StartsWith("GeneralizedDiceScore", StringComparison.Ordinal);

        // The function is the class without a reduction: sum_over_classes picks the summed (mean_channel) or per-class (none) grid.
        string reduction = isClass ? MetricCaseInputs.Text(p, "reduction") ?? "mean"
            : MetricCaseInputs.Bool(p, "sum_over_classes", false) ? "mean_channel" : "none";
        MonaiConfusionMetric metric = Monai.GeneralizedDiceScore(includeBackground, reduction, weightType);
        ConfusionCounts[] images = MonaiInputs.Counts(testCase);
        return GoldenOutcome.Compare(testCase, metric.Compute(images));
    }
}
