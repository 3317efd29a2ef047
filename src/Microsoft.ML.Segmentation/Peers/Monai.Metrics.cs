using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce MONAI's metrics and losses (MONAI 1.5.0, <c>monai.metrics</c> and <c>monai.losses</c>): each
/// factory takes MONAI's own parameter names (camelCase) with MONAI's defaults. A parameter value SegML cannot reproduce
/// throws <see cref="NotSupportedException"/> naming it.
/// </summary>
public static partial class Monai
{
    /// <summary>
    /// MONAI's <c>DiceMetric</c> (MONAI 1.5.0): per (item, channel) 2|ŷ∩y| / (|ŷ| + |y|) of binarized masks; with
    /// <paramref name="ignoreEmpty"/> a channel with an empty ground truth is NaN (left out of the reduction), otherwise it
    /// scores 1 when the prediction is empty too and 0 when not.
    /// </summary>
    /// <param name="includeBackground">MONAI <c>include_background</c>: score channel 0. Default: true.</param>
    /// <param name="reduction">MONAI <c>reduction</c>: none, mean, sum, mean_batch, sum_batch, mean_channel, sum_channel. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>: see <see cref="MonaiConfusionMetric.CountNotNans"/>. Default: false.</param>
    /// <param name="ignoreEmpty">MONAI <c>ignore_empty</c>. Default: true.</param>
    /// <param name="numClasses">MONAI <c>num_classes</c>: the class count of one-hot encoded index maps; checked against the counts. Default: null.</param>
    /// <param name="returnWithLabel">MONAI <c>return_with_label</c>: not supported (a dictionary keyed by label names). Default: false.</param>
    /// <returns>The metric; call <see cref="MonaiConfusionMetric.Compute(IReadOnlyList{ConfusionCounts})"/>.</returns>
    /// <exception cref="ArgumentException">An unknown reduction.</exception>
    /// <exception cref="NotSupportedException"><paramref name="returnWithLabel"/> is true.</exception>
    public static MonaiConfusionMetric DiceMetric(bool includeBackground = true, string reduction = "mean", bool getNotNans = false,
        bool ignoreEmpty = true, int? numClasses = null, bool returnWithLabel = false)
        => Overlap("DiceMetric", ConfusionMetric.Dice, includeBackground, reduction, getNotNans, ignoreEmpty, numClasses, returnWithLabel);

    /// <summary>
    /// MONAI's <c>MeanIoU</c> (MONAI 1.5.0): per (item, channel) |ŷ∩y| / |ŷ∪y|, with <c>ignore_empty</c> as
    /// <see cref="DiceMetric"/>.
    /// </summary>
    /// <param name="includeBackground">MONAI <c>include_background</c>. Default: true.</param>
    /// <param name="reduction">MONAI <c>reduction</c>. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>. Default: false.</param>
    /// <param name="ignoreEmpty">MONAI <c>ignore_empty</c>. Default: true.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown reduction.</exception>
    public static MonaiConfusionMetric MeanIoU(bool includeBackground = true, string reduction = "mean", bool getNotNans = false, bool ignoreEmpty = true)
        => Overlap("MeanIoU", ConfusionMetric.Iou, includeBackground, reduction, getNotNans, ignoreEmpty, null, false);

    /// <summary>
    /// MONAI's <c>ConfusionMatrixMetric</c> (MONAI 1.5.0) for one metric name. With <paramref name="computeSample"/> each
    /// (item, channel) is scored (NaN where the denominator is 0) and the scores are reduced; otherwise the count tensor
    /// [B,C,4] is reduced first (means and sums give the same ratios) and the formula is applied once per remaining entry.
    /// </summary>
    /// <param name="includeBackground">MONAI <c>include_background</c>. Default: true.</param>
    /// <param name="metricName">MONAI <c>metric_name</c>, e.g. "hit_rate", "precision", "f1 score", "mcc"; for a list, build one metric per name. Default: "hit_rate".</param>
    /// <param name="computeSample">MONAI <c>compute_sample</c>. Default: false.</param>
    /// <param name="reduction">MONAI <c>reduction</c>. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>. Default: false.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown reduction.</exception>
    /// <exception cref="NotSupportedException">An unknown metric name.</exception>
    public static MonaiConfusionMetric ConfusionMatrixMetric(bool includeBackground = true, string metricName = "hit_rate", bool computeSample = false,
        string reduction = "mean", bool getNotNans = false)
    {
        ConfusionMetric metric = MonaiMetricMapping.ConfusionMatrixMetricName(metricName);
        GridReduction r = PeerArguments.ParseMonaiReduction(reduction);
        double[] Grid(IReadOnlyList<ConfusionCounts> images)
            => ConfusionMetrics.Compute(metric, images, new MetricOptions { Reduction = MetricReduction.None, AbsentClass = AbsentClassPolicy.NaN });
        if (computeSample)
        {
            return new MonaiConfusionMetric("ConfusionMatrixMetric", includeBackground, r, getNotNans, null, Grid);
        }

        double[] Pooled(IReadOnlyList<ConfusionCounts> images)
        {
            var nan = new MetricOptions { Reduction = MetricReduction.Micro, AbsentClass = AbsentClassPolicy.NaN };
            return r switch
            {
                GridReduction.None => Grid(images),
                GridReduction.Mean or GridReduction.Sum => ConfusionMetrics.Compute(metric, images, nan),
                GridReduction.MeanBatch or GridReduction.SumBatch => ConfusionMetrics.Compute(
                    metric, images, new MetricOptions { Reduction = MetricReduction.PerClass, AbsentClass = AbsentClassPolicy.NaN }),
                _ => images.Select(image => ConfusionMetrics.Compute(metric, image, nan)[0]).ToArray(),
            };
        }

        return new MonaiConfusionMetric("ConfusionMatrixMetric", includeBackground, r, getNotNans, null, Grid, Pooled);
    }

    /// <summary>
    /// MONAI's <c>GeneralizedDiceScore</c> (MONAI 1.5.0) through <see cref="GeneralizedDice"/>: the score sums over classes
    /// for the reductions mean, sum, mean_channel and sum_channel and stays per class otherwise (none, mean_batch,
    /// sum_batch); a zero weighted denominator scores 1 when nothing was predicted, else 0.
    /// </summary>
    /// <param name="includeBackground">MONAI <c>include_background</c>. Default: true.</param>
    /// <param name="reduction">MONAI <c>reduction</c>. Default: "mean".</param>
    /// <param name="weightType">MONAI <c>weight_type</c>: "square", "simple" or "uniform". Default: "square".</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown reduction or weight type.</exception>
    public static MonaiConfusionMetric GeneralizedDiceScore(bool includeBackground = true, string reduction = "mean", string weightType = "square")
    {
        GridReduction r = PeerArguments.ParseMonaiReduction(reduction);
        GeneralizedDiceWeighting w = PeerArguments.Choose(weightType, nameof(weightType), new Dictionary<string, GeneralizedDiceWeighting>(StringComparer.Ordinal)
        {
            ["square"] = GeneralizedDiceWeighting.Square,
            ["simple"] = GeneralizedDiceWeighting.Simple,
            ["uniform"] = GeneralizedDiceWeighting.Uniform,
        });
        bool sumOverClasses = r is GridReduction.Mean or GridReduction.Sum or GridReduction.MeanChannel or GridReduction.SumChannel;
        double[] Reduce(IReadOnlyList<ConfusionCounts> images)
        {
            double[] grid = images.SelectMany(image => sumOverClasses ? new[] { GeneralizedDice.Score(image, w) } : GeneralizedDice.PerClass(image, w)).ToArray();
            return GridReductions.Reduce(grid, images.Count, sumOverClasses ? 1 : images[0].ClassCount, r);
        }

        double[] Grid(IReadOnlyList<ConfusionCounts> images) => images.SelectMany(image => GeneralizedDice.PerClass(image, w)).ToArray();
        return new MonaiConfusionMetric("GeneralizedDiceScore", includeBackground, r, getNotNans: false, null, Grid, Reduce);
    }

    /// <summary>
    /// MONAI's <c>HausdorffDistanceMetric</c> (MONAI 1.5.0): per (item, channel) the larger of the two directed distances'
    /// maxima (or percentiles). A percentile of 0 is read as "no percentile" (the maximum), as MONAI 1.5.0's truthiness test does.
    /// </summary>
    /// <param name="includeBackground">MONAI <c>include_background</c>. Default: false.</param>
    /// <param name="distanceMetric">MONAI <c>distance_metric</c>: "euclidean", "chessboard" or "taxicab". Default: "euclidean".</param>
    /// <param name="percentile">MONAI <c>percentile</c> in 0..100 (95 for HD95). Default: null (the maximum).</param>
    /// <param name="directed">MONAI <c>directed</c>: prediction → truth only. Default: false.</param>
    /// <param name="reduction">MONAI <c>reduction</c>. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>. Default: false.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown reduction or distance metric, or a percentile outside 0..100.</exception>
    public static MonaiBoundaryMetric HausdorffDistanceMetric(bool includeBackground = false, string distanceMetric = "euclidean", double? percentile = null,
        bool directed = false, string reduction = "mean", bool getNotNans = false)
    {
        if (percentile is double p && !(p >= 0 && p <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), p, $"percentile ({p}) must lie in 0..100; use 95 for HD95 or null for the maximum.");
        }

        return new MonaiBoundaryMetric(MonaiBoundaryMetric.Kind.Hausdorff, includeBackground, PeerArguments.ParseDistanceMetric(distanceMetric),
            percentile == 0 ? null : percentile, directed, symmetric: false, null, PeerArguments.ParseMonaiReduction(reduction), getNotNans);
    }

    /// <summary>MONAI's <c>SurfaceDistanceMetric</c> (MONAI 1.5.0): the average surface distance, directed or symmetric.</summary>
    /// <param name="includeBackground">MONAI <c>include_background</c>. Default: false.</param>
    /// <param name="symmetric">MONAI <c>symmetric</c>: the mean over both directions' distances together. Default: false.</param>
    /// <param name="distanceMetric">MONAI <c>distance_metric</c>. Default: "euclidean".</param>
    /// <param name="reduction">MONAI <c>reduction</c>. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>. Default: false.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown reduction or distance metric.</exception>
    public static MonaiBoundaryMetric SurfaceDistanceMetric(bool includeBackground = false, bool symmetric = false, string distanceMetric = "euclidean",
        string reduction = "mean", bool getNotNans = false)
        => new(MonaiBoundaryMetric.Kind.SurfaceDistance, includeBackground, PeerArguments.ParseDistanceMetric(distanceMetric), null, false, symmetric, null,
            PeerArguments.ParseMonaiReduction(reduction), getNotNans);

    /// <summary>
    /// MONAI's <c>SurfaceDiceMetric</c> (MONAI 1.5.0): the normalised surface Dice at a per-class tolerance, without sub-voxels.
    /// </summary>
    /// <param name="classThresholds">MONAI <c>class_thresholds</c>: one tolerance per scored class (after the background is dropped).</param>
    /// <param name="includeBackground">MONAI <c>include_background</c>. Default: false.</param>
    /// <param name="distanceMetric">MONAI <c>distance_metric</c>. Default: "euclidean".</param>
    /// <param name="reduction">MONAI <c>reduction</c>. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>. Default: false.</param>
    /// <param name="useSubvoxels">MONAI <c>use_subvoxels</c>: not supported (sub-voxel surface areas). Default: false.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown reduction or distance metric, or a negative threshold.</exception>
    /// <exception cref="NotSupportedException"><paramref name="useSubvoxels"/> is true.</exception>
    public static MonaiBoundaryMetric SurfaceDiceMetric(IReadOnlyList<double> classThresholds, bool includeBackground = false, string distanceMetric = "euclidean",
        string reduction = "mean", bool getNotNans = false, bool useSubvoxels = false)
    {
        ArgumentNullException.ThrowIfNull(classThresholds);
        PeerArguments.Unsupported(useSubvoxels, nameof(useSubvoxels), "sub-voxel surface areas are not implemented; use false");
        foreach (double t in classThresholds)
        {
            if (!(t >= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(classThresholds), t, $"classThresholds holds {t}; every tolerance must be 0 or more.");
            }
        }

        return new MonaiBoundaryMetric(MonaiBoundaryMetric.Kind.SurfaceDice, includeBackground, PeerArguments.ParseDistanceMetric(distanceMetric), null, false, false,
            [.. classThresholds], PeerArguments.ParseMonaiReduction(reduction), getNotNans);
    }

    private static MonaiConfusionMetric Overlap(string name, ConfusionMetric metric, bool includeBackground, string reduction, bool getNotNans,
        bool ignoreEmpty, int? numClasses, bool returnWithLabel)
    {
        PeerArguments.Unsupported(returnWithLabel, nameof(returnWithLabel), "a dictionary keyed by label names is not produced; use false and index the result");
        GridReduction r = PeerArguments.ParseMonaiReduction(reduction);

        // ignore_empty: an empty ground truth is NaN whatever was predicted; otherwise 0/0 scores 1 and a false positive 0.
        var options = new MetricOptions
        {
            Reduction = MetricReduction.None,
            Absence = ignoreEmpty ? AbsenceCriterion.EmptyTruth : AbsenceCriterion.ZeroDenominator,
            AbsentClass = ignoreEmpty ? AbsentClassPolicy.NaN : AbsentClassPolicy.One,
        };
        return new MonaiConfusionMetric(name, includeBackground, r, getNotNans, numClasses, images => ConfusionMetrics.Compute(metric, images, options));
    }
}
