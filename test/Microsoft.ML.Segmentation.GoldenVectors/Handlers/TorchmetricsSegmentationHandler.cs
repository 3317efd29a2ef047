using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// torchmetrics <c>segmentation.DiceScore</c> and <c>segmentation.MeanIoU</c> (class forms: <c>compute()</c>) through
/// <see cref="Torchmetrics.DiceScore"/> and <see cref="Torchmetrics.MeanIoU"/>; this handler only reads the inputs into
/// per-sample counts with every class.
/// </summary>
internal sealed class TorchmetricsSegmentationHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("torchmetrics")
           && (file.Callable.Contains("segmentation.DiceScore", StringComparison.Ordinal) || file.Callable.Contains("segmentation.MeanIoU", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        bool isDice = testCase.File.Callable.Contains("DiceScore", StringComparison.Ordinal);
        ConfusionCounts[]? images = Counts(testCase, p, isDice, out string? problem);
        if (images is null)
        {
            return GoldenOutcome.Unsupported(problem!);
        }

        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", true);
        string format = MetricCaseInputs.Text(p, "input_format") ?? "one-hot";
        int? numClasses = MetricCaseInputs.Number(p, "num_classes") is double k ? (int)k : null;
        TorchmetricsMetric metric = isDice
            ? Torchmetrics.DiceScore(numClasses ?? images[0].ClassCount, includeBackground, p.ContainsKey("average") ? MetricCaseInputs.Text(p, "average") : "macro",
                MetricCaseInputs.Text(p, "aggregation_level") ?? "samplewise", format)
            : Torchmetrics.MeanIoU(numClasses, includeBackground, MetricCaseInputs.Bool(p, "per_class", false), format);
        return GoldenOutcome.Compare(testCase, metric.Compute(images));
    }

    /// <summary>Per-sample counts from one-hot [N,C,…] or index [N,…] inputs.</summary>
    private static ConfusionCounts[]? Counts(GoldenCase testCase, JsonObject p, bool isDice, out string? problem)
    {
        problem = null;
        GoldenTensor preds = MetricCaseInputs.Tensor(testCase, "preds");
        GoldenTensor target = MetricCaseInputs.Tensor(testCase, "target");
        string format = MetricCaseInputs.Text(p, "input_format") ?? "one-hot";
        ConfusionCounts[] images;
        if (format == "one-hot")
        {
            images = ConfusionCounts.FromMasks<double>(preds.Data, target.Data, MetricCaseInputs.Nchw(preds));
        }
        else if (format == "index")
        {
            if (MetricCaseInputs.Number(p, "num_classes") is not double k)
            {
                problem = "input_format 'index' needs num_classes";
                return null;
            }

            // MeanIoU reads a 1-D or 2-D index map as one sample; DiceScore always reads dimension 0 as the batch.
            int batch = isDice ? (preds.Rank >= 2 ? preds.Shape[0] : 1) : (preds.Rank <= 2 ? 1 : preds.Shape[0]);
            var matrix = new ConfusionMatrix((int)k, keepImageCounts: true);
            matrix.Add(MetricCaseInputs.Labels(preds), MetricCaseInputs.Labels(target), batch);
            images = matrix.ToImageCounts();
        }
        else
        {
            problem = $"input_format '{format}' is not mapped";
            return null;
        }

        return images;
    }
}
