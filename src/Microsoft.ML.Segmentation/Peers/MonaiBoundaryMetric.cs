using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// A MONAI 1.5.0 surface metric (<see cref="Monai.HausdorffDistanceMetric"/>, <see cref="Monai.SurfaceDistanceMetric"/>,
/// <see cref="Monai.SurfaceDiceMetric"/>): each (item, channel) pair of binary masks goes through
/// <see cref="BoundaryMetrics"/> with MONAI's empty-mask rules (one mask empty: +∞ for the distances, NaN with a
/// percentile, 0 for surface Dice; both empty: NaN), and the [B,C] grid is reduced as MONAI's <c>reduction</c>
/// (<see cref="GridReductions"/>: NaN left out, an empty mean reads 0).
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class MonaiBoundaryMetric
{
    private readonly Kind _kind;
    private readonly double? _percentile;
    private readonly bool _directed;
    private readonly bool _symmetric;
    private readonly double[]? _classThresholds;

    internal MonaiBoundaryMetric(Kind kind, bool includeBackground, DistanceMetric distanceMetric, double? percentile, bool directed, bool symmetric,
        double[]? classThresholds, GridReduction reduction, bool getNotNans)
    {
        _kind = kind;
        IncludeBackground = includeBackground;
        DistanceMetric = distanceMetric;
        _percentile = percentile;
        _directed = directed;
        _symmetric = symmetric;
        _classThresholds = classThresholds;
        Reduction = reduction;
        GetNotNans = getNotNans;
    }

    internal enum Kind
    {
        Hausdorff,
        SurfaceDistance,
        SurfaceDice,
    }

    /// <summary>MONAI's <c>include_background</c> (default false for these metrics).</summary>
    public bool IncludeBackground { get; }

    /// <summary>MONAI's <c>distance_metric</c>.</summary>
    public DistanceMetric DistanceMetric { get; }

    /// <summary>MONAI's <c>reduction</c>.</summary>
    public GridReduction Reduction { get; }

    /// <summary>MONAI's <c>get_not_nans</c>: when true, use <see cref="GridReductions.CountNotNans"/> on the grid for the second value.</summary>
    public bool GetNotNans { get; }

    /// <summary>The first channel scored: 1 when the background is excluded and there is more than one channel (MONAI's <c>ignore_background</c>).</summary>
    /// <param name="channels">The channels of the input.</param>
    /// <returns>0 or 1.</returns>
    internal int FirstChannel(int channels) => IncludeBackground || channels == 1 ? 0 : 1;

    /// <summary>The score of one (item, channel) pair of masks.</summary>
    /// <param name="yPred">The predicted mask; any non-zero byte is foreground.</param>
    /// <param name="y">The ground-truth mask.</param>
    /// <param name="spatialShape">The spatial size, e.g. [H, W] or [D, H, W].</param>
    /// <param name="channel">The index of the channel among the scored channels (after the background is dropped); picks the class threshold of surface Dice.</param>
    /// <param name="spacing">MONAI's <c>spacing</c> of this item (one per axis); null for 1. Only the Euclidean metric uses it, as in MONAI.</param>
    /// <returns>The score; +∞ or NaN for empty masks as described on the class.</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or the channel has no class threshold.</exception>
    public double Score(ReadOnlySpan<byte> yPred, ReadOnlySpan<byte> y, ReadOnlySpan<int> spatialShape, int channel, IReadOnlyList<double>? spacing = null)
    {
        // MONAI passes spacing to the Euclidean transform only (distance_transform_cdt has no sampling).
        double[]? sampling = null;
        if (DistanceMetric == Kernels.DistanceMetric.Euclidean && spacing is not null)
        {
            sampling = [.. spacing];
        }

        var options = new BoundaryMetricOptions
        {
            Metric = DistanceMetric,
            Spacing = sampling,
            Percentile = _percentile,
            Directed = _directed,
            Symmetric = _symmetric,
        };
        switch (_kind)
        {
            case Kind.Hausdorff:
                return BoundaryMetrics.HausdorffDistance(yPred, y, spatialShape, options);
            case Kind.SurfaceDistance:
                return BoundaryMetrics.AverageSurfaceDistance(yPred, y, spatialShape, options);
            default:
                double[] thresholds = _classThresholds!;
                if (channel < 0 || channel >= thresholds.Length)
                {
                    throw new ArgumentException(
                        $"channel {channel} has no class threshold; classThresholds has {thresholds.Length} entries, one per scored class.", nameof(channel));
                }

                return BoundaryMetrics.NormalizedSurfaceDice(yPred, y, spatialShape, thresholds[channel], options);
        }
    }

    /// <summary>Reduces a [B,C] grid of <see cref="Score"/> values as MONAI's <c>reduction</c>.</summary>
    /// <param name="grid">The scores, item-major.</param>
    /// <param name="batch">B.</param>
    /// <param name="channels">C, the scored channels.</param>
    /// <returns>The reduced values.</returns>
    public double[] Reduce(ReadOnlySpan<double> grid, int batch, int channels) => GridReductions.Reduce(grid, batch, channels, Reduction);

    /// <summary>The reduced metric of binary masks <c>y_pred</c> and <c>y</c> [B,C,spatial…].</summary>
    /// <param name="yPred">The predicted masks, row-major over <paramref name="shape"/>; any non-zero byte is foreground.</param>
    /// <param name="y">The ground-truth masks.</param>
    /// <param name="shape">[B, C, spatial…].</param>
    /// <param name="spacing">MONAI's <c>spacing</c>, one value per spatial axis for every item; null for 1.</param>
    /// <returns>The reduced values (B·C' for <c>none</c>, C' being the channels scored).</returns>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public double[] Compute(ReadOnlySpan<byte> yPred, ReadOnlySpan<byte> y, ReadOnlySpan<int> shape, IReadOnlyList<double>? spacing = null)
    {
        if (shape.Length < 3)
        {
            throw new ArgumentException($"shape must be [B, C, spatial…] (got {shape.Length} axes).", nameof(shape));
        }

        int batch = shape[0], channels = shape[1];
        ReadOnlySpan<int> spatial = shape[2..];
        long size = 1;
        foreach (int n in spatial)
        {
            size *= n;
        }

        if (yPred.Length != batch * channels * size || y.Length != yPred.Length)
        {
            throw new ArgumentException($"yPred ({yPred.Length}) and y ({y.Length}) must both hold B·C·spatial = {batch * channels * size} values.", nameof(yPred));
        }

        int first = FirstChannel(channels);
        int scored = channels - first;
        var grid = new double[batch * scored];
        int s = (int)size;
        for (int b = 0; b < batch; b++)
        {
            for (int c = 0; c < scored; c++)
            {
                int offset = ((b * channels) + c + first) * s;
                grid[(b * scored) + c] = Score(yPred.Slice(offset, s), y.Slice(offset, s), spatial, c, spacing);
            }
        }

        return Reduce(grid, batch, scored);
    }
}
