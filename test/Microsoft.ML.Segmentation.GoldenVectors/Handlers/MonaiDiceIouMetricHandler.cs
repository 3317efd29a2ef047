using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>compute_dice</c>/<c>DiceMetric</c> and <c>compute_iou</c>/<c>MeanIoU</c> through <see cref="Monai.DiceMetric"/>
/// and <see cref="Monai.MeanIoU"/>. The functional form returns the [B,C] grid (reduction none); the classes reduce it.
/// </summary>
internal sealed class MonaiDiceIouMetricHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && (file.Callable.Contains("compute_dice", StringComparison.Ordinal) || file.Callable.Contains("compute_iou", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        bool dice = testCase.File.Callable.Contains("compute_dice", StringComparison.Ordinal);
        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", true);
        bool ignoreEmpty = MetricCaseInputs.Bool(p, "ignore_empty", true);
        int? numClasses = MetricCaseInputs.Number(p, "num_classes") is double k ? (int)k : null;
        bool isClass = testCase.Api.Contains("DiceMetric", StringComparison.Ordinal) || testCase.Api.Contains("MeanIoU", StringComparison.Ordinal)
            || testCase.Api.Contains("aggregate", StringComparison.Ordinal);
        string reduction = isClass ? MetricCaseInputs.Text(p, "reduction") ?? "mean" : "none";
        MonaiConfusionMetric metric = dice
            ? Monai.DiceMetric(includeBackground, reduction, ignoreEmpty: ignoreEmpty, numClasses: numClasses, returnWithLabel: MetricCaseInputs.Bool(p, "return_with_label", false))
            : Monai.MeanIoU(includeBackground, reduction, ignoreEmpty: ignoreEmpty);
        return GoldenOutcome.Compare(testCase, metric.Compute(MonaiInputs.Counts(testCase, numClasses)));
    }
}
