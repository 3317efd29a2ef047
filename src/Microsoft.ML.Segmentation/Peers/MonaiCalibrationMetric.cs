using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// MONAI's <c>CalibrationErrorMetric</c>, built by <see cref="Monai.CalibrationErrorMetric"/>: per (item, channel) the
/// calibration error of that channel's probabilities against its one-hot ground truth, binned with MONAI's edges; the
/// (item, channel) grid is reduced by <c>metric_reduction</c>. Like MONAI's cumulative metric, every
/// <see cref="Update"/> appends its items' rows and <see cref="Aggregate"/> reduces all rows so far.
/// </summary>
/// <remarks>
/// Per item only the per-bin sums of <see cref="CalibrationAccumulator"/> are held while it is binned; the grid keeps
/// one value per (item, channel). Results are flattened row-major as MONAI's tensors (see <see cref="GridReductions"/>).
/// <para>Thread safety: not thread-safe (it accumulates).</para>
/// </remarks>
public sealed class MonaiCalibrationMetric
{
    private readonly List<double> _grid = new();
    private int _channels = -1;

    internal MonaiCalibrationMetric(CalibrationBinning binning, bool includeBackground, CalibrationReduction calibrationReduction, GridReduction metricReduction, bool getNotNans)
    {
        Binning = binning;
        IncludeBackground = includeBackground;
        CalibrationReduction = calibrationReduction;
        MetricReduction = metricReduction;
        GetNotNans = getNotNans;
    }

    /// <summary>The bins: MONAI's <c>linspace(0, 1 + ε, num_bins + 1)</c> upper edges with its <c>right</c> rule.</summary>
    public CalibrationBinning Binning { get; }

    /// <summary>MONAI's <c>include_background</c> (channel 0 is dropped only when there are several channels).</summary>
    public bool IncludeBackground { get; }

    /// <summary>MONAI's <c>calibration_reduction</c>.</summary>
    public CalibrationReduction CalibrationReduction { get; }

    /// <summary>MONAI's <c>metric_reduction</c>.</summary>
    public GridReduction MetricReduction { get; }

    /// <summary>MONAI's <c>get_not_nans</c>: when true, <see cref="CountNotNans"/> gives the second value MONAI returns.</summary>
    public bool GetNotNans { get; }

    /// <summary>The number of (item) rows accumulated.</summary>
    public int ItemCount => _channels <= 0 ? 0 : _grid.Count / _channels;

    /// <summary>The (item, channel) calibration errors so far, item-major; NaN where a channel had no pixel.</summary>
    public IReadOnlyList<double> Grid => _grid;

    /// <summary>Adds a batch: <c>metric(y_pred, y)</c>.</summary>
    /// <param name="yPred">Probabilities [B, C, spatial…], row-major over <paramref name="shape"/> (no activation is applied, as in MONAI).</param>
    /// <param name="y">One-hot ground truth of the same shape.</param>
    /// <param name="shape">The shape [B, C, H, W] (any spatial size flattened into H·W).</param>
    /// <exception cref="ArgumentException">The lengths differ from the shape, the channel count changed between calls, or a probability is NaN.</exception>
    public void Update(ReadOnlySpan<float> yPred, ReadOnlySpan<float> y, SegmentationShape shape)
    {
        shape.ValidateScores(yPred.Length, nameof(yPred));
        shape.ValidateScores(y.Length, nameof(y));
        int first = IncludeBackground || shape.Classes == 1 ? 0 : 1;
        int kept = shape.Classes - first;
        if (_channels >= 0 && _channels != kept)
        {
            throw new ArgumentException($"This batch scores {kept} channels; earlier ones scored {_channels}.", nameof(shape));
        }

        _channels = kept;
        int binCount = Binning.BinCount;
        CalibrationBin[] all = Monai.BinAll(yPred, y, shape, Binning);
        for (int b = 0; b < shape.Batch; b++)
        {
            for (int c = first; c < shape.Classes; c++)
            {
                _grid.Add(CalibrationError.Compute(all.AsSpan(((b * shape.Classes) + c) * binCount, binCount), CalibrationReduction));
            }
        }
    }

    /// <summary>The reduced metric over every row so far, as MONAI's <c>aggregate()</c>.</summary>
    /// <returns>The reduced values.</returns>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public double[] Aggregate()
    {
        RequireRows();
        return GridReductions.Reduce(_grid.ToArray(), ItemCount, _channels, MetricReduction);
    }

    /// <summary>The not-NaN counts MONAI returns beside the value when <c>get_not_nans</c> is true.</summary>
    /// <returns>One count per reduced value.</returns>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public double[] CountNotNans()
    {
        RequireRows();
        return GridReductions.CountNotNans(_grid.ToArray(), ItemCount, _channels, MetricReduction);
    }

    /// <summary>The calibration error of given bin sums with this metric's <see cref="CalibrationReduction"/> (MONAI's reduction step).</summary>
    /// <param name="bins">The bins of one (item, channel).</param>
    /// <returns>The error; NaN when every bin is empty.</returns>
    public double Reduce(ReadOnlySpan<CalibrationBin> bins) => CalibrationError.Compute(bins, CalibrationReduction);

    /// <summary>Forgets every row (MONAI's <c>reset()</c>).</summary>
    public void Reset()
    {
        _grid.Clear();
        _channels = -1;
    }

    private void RequireRows()
    {
        if (_grid.Count == 0)
        {
            throw new InvalidOperationException("No batch was added; call Update before Aggregate.");
        }
    }
}
