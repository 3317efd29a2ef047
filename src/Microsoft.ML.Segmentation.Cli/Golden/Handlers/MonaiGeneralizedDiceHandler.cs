using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// MONAI <c>compute_generalized_dice</c>/<c>GeneralizedDiceScore</c> through <see cref="GeneralizedDice"/>. The class
/// sums over classes for reductions mean, sum, mean_channel and sum_channel (MONAI 1.5), and keeps per-class scores
/// otherwise; the function sums over classes when <c>sum_over_classes</c> is set.
/// </summary>
internal sealed class MonaiGeneralizedDiceHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && file.Callable.Contains("compute_generalized_dice", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        GeneralizedDiceWeighting? weighting = (MetricCaseInputs.Text(p, "weight_type") ?? "square") switch
        {
            "square" => GeneralizedDiceWeighting.Square,
            "simple" => GeneralizedDiceWeighting.Simple,
            "uniform" => GeneralizedDiceWeighting.Uniform,
            _ => null,
        };
        if (weighting is not GeneralizedDiceWeighting w)
        {
            return GoldenOutcome.Unsupported($"weight_type '{MetricCaseInputs.Text(p, "weight_type")}' is not mapped");
        }

        ConfusionCounts[] images = MonaiReduction.Counts(testCase, MetricCaseInputs.Bool(p, "include_background", true));
        bool isClass = testCase.Api.StartsWith("GeneralizedDiceScore", StringComparison.Ordinal);
        string reduction = isClass ? MetricCaseInputs.Text(p, "reduction") ?? "mean" : "none";
        bool sumOverClasses = isClass
            ? reduction is "mean" or "sum" or "mean_channel" or "sum_channel"
            : MetricCaseInputs.Bool(p, "sum_over_classes", false);

        int classes = sumOverClasses ? 1 : images[0].ClassCount;
        double[] grid = images.SelectMany(image => sumOverClasses ? new[] { GeneralizedDice.Score(image, w) } : GeneralizedDice.PerClass(image, w)).ToArray();
        double[]? result = MonaiReduction.ReduceDense(grid, images.Length, classes, reduction);
        return result is null
            ? GoldenOutcome.Unsupported($"MONAI reduction '{reduction}' is not mapped")
            : GoldenOutcome.Compare(testCase, result);
    }
}
