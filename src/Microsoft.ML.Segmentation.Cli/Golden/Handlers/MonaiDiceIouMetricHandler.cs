using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// MONAI <c>compute_dice</c>/<c>DiceMetric</c> and <c>compute_iou</c>/<c>MeanIoU</c>: per-(item, channel) Dice or IoU
/// of binarized masks. <c>ignore_empty=True</c> maps to <see cref="AbsenceCriterion.EmptyTruth"/> with skipped
/// scores; <c>ignore_empty=False</c> to a zero denominator scoring 1. The functional form returns the [B,C] grid;
/// the metric classes apply <c>reduction</c>.
/// </summary>
internal sealed class MonaiDiceIouMetricHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && (file.Callable.Contains("compute_dice", StringComparison.Ordinal) || file.Callable.Contains("compute_iou", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        ConfusionMetric metric = testCase.File.Callable.Contains("compute_dice", StringComparison.Ordinal) ? ConfusionMetric.Dice : ConfusionMetric.Iou;
        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", true);
        bool ignoreEmpty = MetricCaseInputs.Bool(p, "ignore_empty", true);
        int? numClasses = MetricCaseInputs.Number(p, "num_classes") is double k ? (int)k : null;
        if (MetricCaseInputs.Bool(p, "return_with_label", false))
        {
            return GoldenOutcome.Unsupported("return_with_label returns a dictionary keyed by label names; not mapped");
        }

        ConfusionCounts[] images = MonaiReduction.Counts(testCase, includeBackground, numClasses);
        AbsenceCriterion absence = ignoreEmpty ? AbsenceCriterion.EmptyTruth : AbsenceCriterion.ZeroDenominator;
        AbsentClassPolicy absent = ignoreEmpty ? AbsentClassPolicy.Skip : AbsentClassPolicy.One;

        // The functional form (compute_dice / compute_iou) returns the [B,C] grid; the classes reduce it.
        bool isClass = testCase.Api.Contains("DiceMetric", StringComparison.Ordinal) || testCase.Api.Contains("MeanIoU", StringComparison.Ordinal)
            || testCase.Api.Contains("aggregate", StringComparison.Ordinal);
        string reduction = isClass ? MetricCaseInputs.Text(p, "reduction") ?? "mean" : "none";
        double[]? result = MonaiReduction.Reduce(metric, images, reduction, absence, absent);
        return result is null
            ? GoldenOutcome.Unsupported($"MONAI reduction '{reduction}' is not mapped")
            : GoldenOutcome.Compare(testCase, result);
    }
}
