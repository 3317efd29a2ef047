using System;
using System.Collections.Generic;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// A MONAI 1.5.0 metric over per-(item, channel) confusion counts, built by <see cref="Monai.DiceMetric"/>,
/// <see cref="Monai.MeanIoU"/>, <see cref="Monai.ConfusionMatrixMetric"/> or <see cref="Monai.GeneralizedDiceScore"/>:
/// <see cref="Compute(IReadOnlyList{ConfusionCounts})"/> returns the number MONAI's <c>aggregate()</c> returns.
/// </summary>
/// <remarks>
/// Counts are multilabel per-item counts with the background channel included (<see cref="ConfusionCounts.FromMasks{T}"/>
/// of one-hot masks, or <see cref="ConfusionMatrix.ToImageCounts"/> of label maps); the metric drops channel 0 itself
/// when <c>includeBackground</c> is false. Results are flattened row-major as MONAI's tensors: B·C values for
/// <c>reduction="none"</c> (NaN where MONAI has NaN), C for <c>mean_batch</c>/<c>sum_batch</c>, B for
/// <c>mean_channel</c>/<c>sum_channel</c>, one for <c>mean</c>/<c>sum</c>.
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed class MonaiConfusionMetric
{
    private readonly Func<IReadOnlyList<ConfusionCounts>, double[]> _grid;
    private readonly Func<IReadOnlyList<ConfusionCounts>, double[]>? _pooled;
    private readonly int? _numClasses;

    internal MonaiConfusionMetric(
        string name, bool includeBackground, GridReduction reduction, bool getNotNans, int? numClasses,
        Func<IReadOnlyList<ConfusionCounts>, double[]> grid, Func<IReadOnlyList<ConfusionCounts>, double[]>? pooled = null)
    {
        Name = name;
        IncludeBackground = includeBackground;
        Reduction = reduction;
        GetNotNans = getNotNans;
        _numClasses = numClasses;
        _grid = grid;
        _pooled = pooled;
    }

    /// <summary>The MONAI class this metric reproduces, e.g. "DiceMetric".</summary>
    public string Name { get; }

    /// <summary>MONAI's <c>include_background</c>.</summary>
    public bool IncludeBackground { get; }

    /// <summary>MONAI's <c>reduction</c>.</summary>
    public GridReduction Reduction { get; }

    /// <summary>MONAI's <c>get_not_nans</c>: when true, <see cref="CountNotNans"/> gives the second value MONAI returns.</summary>
    public bool GetNotNans { get; }

    /// <summary>The reduced metric, as MONAI's <c>aggregate()</c> after one call on these items.</summary>
    /// <param name="images">Per-item counts with every channel (background included); at least one.</param>
    /// <returns>The reduced values (see the class remarks for the shape).</returns>
    /// <exception cref="ArgumentException">No counts, mixed class counts, or a class count that differs from <c>numClasses</c>.</exception>
    public double[] Compute(IReadOnlyList<ConfusionCounts> images)
    {
        IReadOnlyList<ConfusionCounts> kept = Prepare(images);
        if (_pooled is not null)
        {
            return _pooled(kept);
        }

        return GridReductions.Reduce(_grid(kept), kept.Count, ChannelsOf(kept), Reduction);
    }

    /// <summary>The reduced metric of binarized one-hot masks <c>y_pred</c> and <c>y</c> [B,C,spatial…] (an element is positive when ≥ 0.5).</summary>
    /// <param name="yPred">The predicted masks, row-major over <paramref name="shape"/>.</param>
    /// <param name="y">The ground-truth masks.</param>
    /// <param name="shape">[B,C,H,W] (any spatial size flattened into H·W).</param>
    /// <returns>The reduced values.</returns>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public double[] Compute<T>(ReadOnlySpan<T> yPred, ReadOnlySpan<T> y, SegmentationShape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Compute(ConfusionCounts.FromMasks(yPred, y, shape));

    /// <summary>The per-(item, channel) scores before the reduction: MONAI's metric tensor [B,C], NaN where it has NaN.</summary>
    /// <param name="images">Per-item counts with every channel; at least one.</param>
    /// <returns>B·C values, item-major (channels after dropping the background when it is excluded).</returns>
    /// <exception cref="ArgumentException">The counts do not fit.</exception>
    public double[] ScoreGrid(IReadOnlyList<ConfusionCounts> images) => _grid(Prepare(images));

    /// <summary>MONAI's <c>not_nans</c>: how many valid entries stand behind each reduced value.</summary>
    /// <param name="images">Per-item counts with every channel; at least one.</param>
    /// <returns>One count per reduced value.</returns>
    /// <exception cref="NotSupportedException">
    /// The metric reduces before it scores: <c>ConfusionMatrixMetric(compute_sample=False)</c>, where MONAI counts the valid entries
    /// of the count tensor [B,C,4], or <c>GeneralizedDiceScore</c>, which has no <c>get_not_nans</c>.
    /// </exception>
    public double[] CountNotNans(IReadOnlyList<ConfusionCounts> images)
    {
        PeerArguments.Unsupported(_pooled is not null, "getNotNans",
            $"{Name} reduces before it scores (ConfusionMatrixMetric with computeSample=false counts the entries of the count tensor [B,C,4]); SegML does not reproduce that count");
        IReadOnlyList<ConfusionCounts> kept = Prepare(images);
        return GridReductions.CountNotNans(_grid(kept), kept.Count, ChannelsOf(kept), Reduction);
    }

    private static int ChannelsOf(IReadOnlyList<ConfusionCounts> images) => images[0].ClassCount;

    private IReadOnlyList<ConfusionCounts> Prepare(IReadOnlyList<ConfusionCounts> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count > 0 && _numClasses is int k && images[0].ClassCount != k)
        {
            throw new ArgumentException($"numClasses is {k} but the counts have {images[0].ClassCount} classes; one-hot encode label maps with numClasses channels.", nameof(images));
        }

        for (int i = 1; i < images.Count; i++)
        {
            if (images[i].ClassCount != images[0].ClassCount)
            {
                throw new ArgumentException($"Item {i} has {images[i].ClassCount} classes but item 0 has {images[0].ClassCount}.", nameof(images));
            }
        }

        // MONAI's ignore_background keeps a single channel.
        return PeerArguments.WithoutBackground(images, IncludeBackground, keepSingleChannel: true);
    }
}
