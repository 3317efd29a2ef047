using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// torchmetrics classification functions on label maps: <c>multiclass_jaccard_index</c> and <c>multiclass_accuracy</c>
/// through <see cref="Torchmetrics.MulticlassJaccardIndex"/> and <see cref="Torchmetrics.MulticlassAccuracy"/>, plus
/// <c>binary_jaccard_index</c> and <c>multilabel_jaccard_index</c>. Float multiclass
/// predictions [N,C,…] are argmax-ed with <see cref="MaskPrediction.Argmax{T}"/>; binary and multilabel scores are
/// thresholded (<c>&gt;</c>) after a sigmoid when they lie outside [0, 1]. Macro averages leave out classes absent from
/// both target and prediction (and the ignore class); multilabel macro counts them with <c>zero_division</c>.
/// </summary>
internal sealed class TorchmetricsClassificationHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("torchmetrics") && file.Callable.Contains("functional.classification", StringComparison.Ordinal)
           && !file.Callable.Contains("calibration_error", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        string function = MetricCaseInputs.CallName(testCase.Api);
        JsonObject p = MetricCaseInputs.Parameters(testCase, function);
        GoldenTensor preds = MetricCaseInputs.Tensor(testCase, "preds");
        GoldenTensor target = MetricCaseInputs.Tensor(testCase, "target");
        return function switch
        {
            "multiclass_jaccard_index" => Multiclass(testCase, p, preds, target, ConfusionMetric.Iou),
            "multiclass_accuracy" => Multiclass(testCase, p, preds, target, ConfusionMetric.Recall),
            "binary_jaccard_index" => Binary(testCase, p, preds, target),
            "multilabel_jaccard_index" => Multilabel(testCase, p, preds, target),
            _ => GoldenOutcome.Unsupported($"torchmetrics function '{function}' is not mapped"),
        };
    }

    private static GoldenOutcome Multiclass(GoldenCase testCase, JsonObject p, GoldenTensor preds, GoldenTensor target, ConfusionMetric metric)
    {
        bool samplewise = MetricCaseInputs.Text(p, "multidim_average") == "samplewise";
        if (samplewise && target.Rank < 2)
        {
            return GoldenOutcome.Unsupported("multidim_average='samplewise' needs inputs [N, …] with extra dimensions; this case's inputs are 1-D");
        }

        if (MetricCaseInputs.Number(p, "num_classes") is not double k)
        {
            return GoldenOutcome.Unsupported("num_classes is missing");
        }

        int? ignore = MetricCaseInputs.Number(p, "ignore_index") is double i ? (int)i : null;
        string? average = p.ContainsKey("average") ? MetricCaseInputs.Text(p, "average") : "macro";
        TorchmetricsMetric preset = metric == ConfusionMetric.Iou
            ? Torchmetrics.MulticlassJaccardIndex((int)k, average, ignore, zeroDivision: MetricCaseInputs.Number(p, "zero_division") ?? 0)
            : Torchmetrics.MulticlassAccuracy((int)k, (int)(MetricCaseInputs.Number(p, "top_k") ?? 1), average, samplewise ? "samplewise" : "global", ignore);
        int[] predicted = preds.Rank == target.Rank + 1 ? ArgmaxClasses(preds) : MetricCaseInputs.Labels(preds);
        return GoldenOutcome.Compare(testCase, preset.ComputeFromLabels(predicted, MetricCaseInputs.Labels(target), samplewise ? target.Shape[0] : 1));
    }

    private static GoldenOutcome Binary(GoldenCase testCase, JsonObject p, GoldenTensor preds, GoldenTensor target)
    {
        int[] predicted = Binarize(preds.Data, MetricCaseInputs.Number(p, "threshold") ?? 0.5);
        var matrix = new ConfusionMatrix(2, MetricCaseInputs.Number(p, "ignore_index") is double i ? (int)i : null);
        matrix.Add(predicted, MetricCaseInputs.Labels(target));
        double zeroDivision = MetricCaseInputs.Number(p, "zero_division") ?? 0;
        var options = new MetricOptions { Reduction = MetricReduction.PerClass, SkippedValue = zeroDivision };
        return GoldenOutcome.Compare(testCase, ConfusionMetrics.Compute(ConfusionMetric.Iou, matrix.ToCounts().FromClass(1), options));
    }

    private static GoldenOutcome Multilabel(GoldenCase testCase, JsonObject p, GoldenTensor preds, GoldenTensor target)
    {
        if (MetricCaseInputs.Number(p, "ignore_index") is double ignored)
        {
            return GoldenOutcome.Unsupported($"multilabel ignore_index ({ignored}) is not mapped: mask counts have no per-element ignore");
        }

        double threshold = MetricCaseInputs.Number(p, "threshold") ?? 0.5;
        double[] predicted = Binarize(preds.Data, threshold).Select(v => (double)v).ToArray();
        SegmentationShape shape = MetricCaseInputs.Nchw(preds);
        ConfusionCounts counts = ConfusionCounts.Sum(ConfusionCounts.FromMasks<double>(predicted, target.Data, shape));
        double zeroDivision = MetricCaseInputs.Number(p, "zero_division") ?? 0;
        AbsentClassPolicy? absent = zeroDivision switch
        {
            0 => AbsentClassPolicy.Zero,
            1 => AbsentClassPolicy.One,
            _ when double.IsNaN(zeroDivision) => AbsentClassPolicy.NaN,
            _ => null,
        };
        MetricReduction? reduction = (MetricCaseInputs.Text(p, "average") ?? "macro") switch
        {
            "micro" => MetricReduction.Micro,
            "macro" => MetricReduction.Macro,
            "weighted" => MetricReduction.Weighted,
            "none" => MetricReduction.PerClass,
            _ => null,
        };
        if (absent is not AbsentClassPolicy a || reduction is not MetricReduction r)
        {
            return GoldenOutcome.Unsupported($"average '{MetricCaseInputs.Text(p, "average")}' / zero_division {zeroDivision} is not mapped");
        }

        var options = new MetricOptions { Reduction = r, AbsentClass = a };
        return GoldenOutcome.Compare(testCase, ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, options));
    }

    /// <summary>Argmax over dimension 1 of [N,C,…] scores.</summary>
    private static int[] ArgmaxClasses(GoldenTensor preds)
    {
        SegmentationShape shape = MetricCaseInputs.Nchw(preds);
        var labels = new int[shape.PixelCount];
        MaskPrediction.Argmax<double>(preds.Data, shape, labels);
        return labels;
    }

    /// <summary>torchmetrics: float scores outside [0, 1] are logits and go through a sigmoid; then score &gt; threshold.</summary>
    private static int[] Binarize(double[] scores, double threshold)
    {
        bool logits = scores.Any(v => v < 0 || v > 1);
        double[] probabilities = logits ? scores.Select(v => 1 / (1 + Math.Exp(-v))).ToArray() : scores;
        var result = new int[scores.Length];
        MaskPrediction.Threshold<double>(probabilities, threshold, result);
        return result;
    }
}
