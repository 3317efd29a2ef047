using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce torchmetrics' segmentation and classification metrics (torchmetrics 1.9.0 dev, master @ dab0333,
/// 2026-08): each factory takes torchmetrics' own parameter names (camelCase) with its defaults and returns a
/// <see cref="TorchmetricsMetric"/>. A parameter value SegML cannot reproduce throws <see cref="NotSupportedException"/>.
/// </summary>
public static partial class Torchmetrics
{
    /// <summary>
    /// torchmetrics <c>segmentation.DiceScore</c>: per sample and class 2·TP / (2·TP + FP + FN), 0/0 undefined (NaN);
    /// <c>aggregation_level="global"</c> sums the samples' counts first. <c>micro</c> sums the classes first; <c>macro</c> is
    /// the nanmean over classes; <c>weighted</c> is Σ dice·support / Σ support (support = target pixels), where a sample
    /// whose scored classes all have no support reads 0 and a sample with every class undefined is left out; <c>none</c> keeps
    /// the classes. <c>compute()</c> then takes the nanmean over samples.
    /// </summary>
    /// <param name="numClasses">torchmetrics <c>num_classes</c> (background included).</param>
    /// <param name="includeBackground">torchmetrics <c>include_background</c>. Default: true.</param>
    /// <param name="average">torchmetrics <c>average</c>: "micro", "macro", "weighted", "none" (or null). Default: "macro".</param>
    /// <param name="aggregationLevel">torchmetrics <c>aggregation_level</c>: "samplewise" or "global". Default: "samplewise".</param>
    /// <param name="inputFormat">torchmetrics <c>input_format</c>: "one-hot", "index" or "mixed" (how the counts were made). Default: "one-hot".</param>
    /// <returns>The metric: one value, or one per class for <c>none</c>.</returns>
    /// <exception cref="ArgumentException">An unknown average, aggregation level or input format, or numClasses &lt; 1.</exception>
    public static TorchmetricsMetric DiceScore(int numClasses, bool includeBackground = true, string? average = "macro", string aggregationLevel = "samplewise",
        string inputFormat = "one-hot")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        InputFormat(inputFormat);
        MetricOptions options = PeerArguments.Choose(average ?? "none", nameof(average), new Dictionary<string, MetricOptions>(StringComparer.Ordinal)
        {
            ["micro"] = new() { Reduction = MetricReduction.MicroImagewise },
            ["macro"] = new() { Reduction = MetricReduction.MacroPerImage },
            // nansum(dice · support / Σ support): zero-support samples with a scored class read 0; all-NaN samples stay NaN.
            ["weighted"] = new() { Reduction = MetricReduction.WeightedPerImage, ZeroWeightAverageValue = 0 },
            ["none"] = new() { Reduction = MetricReduction.PerClassImagewise },
        });
        bool global = PeerArguments.Choose(aggregationLevel, nameof(aggregationLevel), new Dictionary<string, bool>(StringComparer.Ordinal)
        {
            ["samplewise"] = false,
            ["global"] = true,
        });
        return new TorchmetricsMetric("DiceScore", numClasses, null, includeBackground, samples =>
            ConfusionMetrics.Compute(ConfusionMetric.Dice, global ? new[] { ConfusionCounts.Sum(samples) } : samples, options));
    }

    /// <summary>
    /// torchmetrics <c>segmentation.MeanIoU</c>: the mean IoU over every (sample, class) pair whose union is not empty;
    /// with <paramref name="perClass"/> the per-class mean over samples, −1 for a class never present.
    /// </summary>
    /// <param name="numClasses">torchmetrics <c>num_classes</c>; null reads it from the counts. Default: null.</param>
    /// <param name="includeBackground">torchmetrics <c>include_background</c>. Default: true.</param>
    /// <param name="perClass">torchmetrics <c>per_class</c>. Default: false.</param>
    /// <param name="inputFormat">torchmetrics <c>input_format</c>. Default: "one-hot".</param>
    /// <returns>The metric: one value, or one per class.</returns>
    /// <exception cref="ArgumentException">An unknown input format.</exception>
    public static TorchmetricsMetric MeanIoU(int? numClasses = null, bool includeBackground = true, bool perClass = false, string inputFormat = "one-hot")
    {
        InputFormat(inputFormat);
        MetricOptions options = perClass
            ? new MetricOptions { Reduction = MetricReduction.PerClassImagewise, SkippedValue = -1 }
            : new MetricOptions { Reduction = MetricReduction.PooledImagewise };
        return new TorchmetricsMetric("MeanIoU", numClasses, null, includeBackground, samples => ConfusionMetrics.Compute(ConfusionMetric.Iou, samples, options));
    }

    /// <summary>
    /// torchmetrics <c>segmentation.GeneralizedDiceScore</c>: per sample Σ_c 2·w_c·TP_c / Σ_c w_c·(2TP_c + FP_c + FN_c)
    /// (per class without the sums when <paramref name="perClass"/>), 0/0 read as 0, then the mean over samples. Weights
    /// are 1/support² (<c>square</c>), 1/support (<c>simple</c>) or 1 (<c>linear</c>); an infinite weight is replaced as
    /// torchmetrics does: by the batch maximum of a class picked with torchmetrics' flattened index (the class's own maximum
    /// when N = 1 or C = 1). All samples are one <c>update</c> call.
    /// </summary>
    /// <param name="numClasses">torchmetrics <c>num_classes</c>.</param>
    /// <param name="includeBackground">torchmetrics <c>include_background</c>. Default: true.</param>
    /// <param name="perClass">torchmetrics <c>per_class</c>. Default: false.</param>
    /// <param name="weightType">torchmetrics <c>weight_type</c>: "square", "simple" or "linear". Default: "square".</param>
    /// <param name="inputFormat">torchmetrics <c>input_format</c>. Default: "one-hot".</param>
    /// <returns>The metric: one value, or one per class.</returns>
    /// <exception cref="ArgumentException">An unknown weight type or input format.</exception>
    public static TorchmetricsMetric GeneralizedDiceScore(int numClasses, bool includeBackground = true, bool perClass = false, string weightType = "square",
        string inputFormat = "one-hot")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        InputFormat(inputFormat);
        int power = PeerArguments.Choose(weightType, nameof(weightType), new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["square"] = 2,
            ["simple"] = 1,
            ["linear"] = 0,
        });
        return new TorchmetricsMetric("GeneralizedDiceScore", numClasses, null, includeBackground,
            samples => TorchmetricsGeneralizedDice.Compute(samples, power, perClass));
    }

    /// <summary>
    /// torchmetrics <c>MulticlassJaccardIndex</c> over the dataset's counts: <c>micro</c> pools the classes; <c>macro</c>
    /// averages the classes present in target or prediction (and not <paramref name="ignoreIndex"/>); <c>weighted</c>
    /// weights by target support (frequency-weighted IoU); <c>none</c> keeps the classes, an absent class reading
    /// <paramref name="zeroDivision"/>.
    /// </summary>
    /// <param name="numClasses">torchmetrics <c>num_classes</c>.</param>
    /// <param name="average">torchmetrics <c>average</c>: "micro", "macro", "weighted", "none" (or null). Default: "macro".</param>
    /// <param name="ignoreIndex">torchmetrics <c>ignore_index</c>: target label skipped. Default: null.</param>
    /// <param name="validateArgs">torchmetrics <c>validate_args</c>: SegML always validates. Default: true.</param>
    /// <param name="zeroDivision">torchmetrics <c>zero_division</c>. Default: 0.</param>
    /// <returns>The metric: one value, or one per class.</returns>
    /// <exception cref="ArgumentException">An unknown average.</exception>
    public static TorchmetricsMetric MulticlassJaccardIndex(int numClasses, string? average = "macro", int? ignoreIndex = null, bool validateArgs = true,
        double zeroDivision = 0)
    {
        _ = validateArgs;
        return Classification("MulticlassJaccardIndex", ConfusionMetric.Iou, numClasses, average, ignoreIndex, zeroDivision, samplewise: false);
    }

    /// <summary>
    /// torchmetrics <c>MulticlassAccuracy</c>: per-class accuracy is recall, TP / (TP + FN); averages as
    /// <see cref="MulticlassJaccardIndex"/> with zero division 0. <c>multidim_average="samplewise"</c> gives one result per sample.
    /// </summary>
    /// <param name="numClasses">torchmetrics <c>num_classes</c>.</param>
    /// <param name="topK">torchmetrics <c>top_k</c>: only 1 is supported here (see <see cref="TopKAccuracy"/>). Default: 1.</param>
    /// <param name="average">torchmetrics <c>average</c>. Default: "macro".</param>
    /// <param name="multidimAverage">torchmetrics <c>multidim_average</c>: "global" or "samplewise". Default: "global".</param>
    /// <param name="ignoreIndex">torchmetrics <c>ignore_index</c>. Default: null.</param>
    /// <param name="validateArgs">torchmetrics <c>validate_args</c>: SegML always validates. Default: true.</param>
    /// <returns>The metric: N·(1 or C) values when samplewise, else 1 or C.</returns>
    /// <exception cref="ArgumentException">An unknown average or multidim average.</exception>
    /// <exception cref="NotSupportedException"><paramref name="topK"/> is not 1.</exception>
    public static TorchmetricsMetric MulticlassAccuracy(int numClasses, int topK = 1, string? average = "macro", string multidimAverage = "global",
        int? ignoreIndex = null, bool validateArgs = true)
    {
        _ = validateArgs;
        PeerArguments.Unsupported(topK != 1, nameof(topK), $"top_k={topK} needs class scores, not labels; use TopKAccuracy.Count");
        bool samplewise = PeerArguments.Choose(multidimAverage, nameof(multidimAverage), new Dictionary<string, bool>(StringComparer.Ordinal)
        {
            ["global"] = false,
            ["samplewise"] = true,
        });
        return Classification("MulticlassAccuracy", ConfusionMetric.Recall, numClasses, average, ignoreIndex, 0, samplewise);
    }

    private static TorchmetricsMetric Classification(string name, ConfusionMetric metric, int numClasses, string? average, int? ignoreIndex, double zeroDivision, bool samplewise)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);

        // macro gives weight 0 to the ignore class (and, through EmptyTruthAndPrediction, to classes absent from both).
        var macroWeights = new double[numClasses];
        Array.Fill(macroWeights, 1.0);
        if (ignoreIndex is int ig && ig >= 0 && ig < numClasses)
        {
            macroWeights[ig] = 0;
        }

        (MetricReduction Reduction, double[]? Weights) mapped = PeerArguments.Choose(average ?? "none", nameof(average),
            new Dictionary<string, (MetricReduction, double[]?)>(StringComparer.Ordinal)
            {
                ["micro"] = (MetricReduction.Micro, null),
                ["macro"] = (MetricReduction.Weighted, macroWeights),
                ["weighted"] = (MetricReduction.Weighted, null),
                ["none"] = (MetricReduction.PerClass, null),
            });
        var options = new MetricOptions
        {
            Reduction = mapped.Reduction,
            ClassWeights = mapped.Weights,
            Absence = AbsenceCriterion.EmptyTruthAndPrediction,
            AbsentClass = AbsentClassPolicy.Skip,
            SkippedValue = zeroDivision,
            ZeroDivisionValue = zeroDivision,
        };
        return new TorchmetricsMetric(name, numClasses, ignoreIndex, includeBackground: true, samples =>
        {
            if (!samplewise)
            {
                return ConfusionMetrics.Compute(metric, ConfusionCounts.Sum(samples), options);
            }

            var result = new List<double>();
            foreach (ConfusionCounts sample in samples)
            {
                result.AddRange(ConfusionMetrics.Compute(metric, sample, options));
            }

            return [.. result];
        });
    }

    private static void InputFormat(string inputFormat) => PeerArguments.Choose(inputFormat, nameof(inputFormat), new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["one-hot"] = true,
        ["index"] = true,
        ["mixed"] = true,
    });
}
