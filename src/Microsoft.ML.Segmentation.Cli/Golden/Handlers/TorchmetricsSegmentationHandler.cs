using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// torchmetrics <c>segmentation.DiceScore</c> and <c>segmentation.MeanIoU</c> (class forms: <c>compute()</c>).
/// DiceScore: 0/0 is undefined and skipped; <c>aggregation_level='global'</c> pools the samples' counts first;
/// <c>average</c> micro/macro/weighted/none maps to <see cref="MetricReduction.MicroImagewise"/>,
/// <see cref="MetricReduction.MacroPerImage"/>, <see cref="MetricReduction.WeightedPerImage"/> (a sample with no
/// support reads 0, torchmetrics' nansum) and <see cref="MetricReduction.PerClassImagewise"/>. MeanIoU: the mean over
/// all valid (sample, class) pairs (<see cref="MetricReduction.PooledImagewise"/>); per class, classes never valid read −1.
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

        return isDice ? Dice(testCase, p, images) : MeanIou(testCase, p, images);
    }

    private static GoldenOutcome Dice(GoldenCase testCase, JsonObject p, ConfusionCounts[] images)
    {
        string aggregation = MetricCaseInputs.Text(p, "aggregation_level") ?? "samplewise";
        IReadOnlyList<ConfusionCounts> units = aggregation == "global" ? new[] { ConfusionCounts.Sum(images) } : images;
        string average = MetricCaseInputs.Text(p, "average") ?? "macro";
        MetricOptions? options = average switch
        {
            "micro" => new MetricOptions { Reduction = MetricReduction.MicroImagewise },
            "macro" => new MetricOptions { Reduction = MetricReduction.MacroPerImage },
            "weighted" => new MetricOptions { Reduction = MetricReduction.WeightedPerImage, EmptyAverageValue = 0 },
            "none" => new MetricOptions { Reduction = MetricReduction.PerClassImagewise },
            _ => null,
        };
        return options is null
            ? GoldenOutcome.Unsupported($"average '{average}' is not mapped")
            : GoldenOutcome.Compare(testCase, ConfusionMetrics.Compute(ConfusionMetric.Dice, units, options));
    }

    private static GoldenOutcome MeanIou(GoldenCase testCase, JsonObject p, ConfusionCounts[] images)
    {
        MetricOptions options = MetricCaseInputs.Bool(p, "per_class", false)
            ? new MetricOptions { Reduction = MetricReduction.PerClassImagewise, SkippedValue = -1 }
            : new MetricOptions { Reduction = MetricReduction.PooledImagewise };
        return GoldenOutcome.Compare(testCase, ConfusionMetrics.Compute(ConfusionMetric.Iou, images, options));
    }

    /// <summary>Per-sample counts from one-hot [N,C,…] or index [N,…] inputs.</summary>
    private static ConfusionCounts[]? Counts(GoldenCase testCase, JsonObject p, bool isDice, out string? problem)
    {
        problem = null;
        GoldenTensor preds = MetricCaseInputs.Tensor(testCase, "preds");
        GoldenTensor target = MetricCaseInputs.Tensor(testCase, "target");
        string format = MetricCaseInputs.Text(p, "input_format") ?? "one-hot";
        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", true);
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

        return includeBackground ? images : images.Select(c => c.FromClass(1)).ToArray();
    }
}
