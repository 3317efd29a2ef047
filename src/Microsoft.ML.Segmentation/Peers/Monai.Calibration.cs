using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <content>MONAI's calibration metric (<c>monai.metrics.calibration</c>, MONAI dev after 1.5.0).</content>
public static partial class Monai
{
    /// <summary>
    /// MONAI's <c>CalibrationErrorMetric</c>: per (item, channel), the probabilities are binned by MONAI's edges
    /// (<see cref="CalibrationBinEdges"/>), and the bins' gaps |mean ground truth − mean probability| reduce to
    /// the expected (count-weighted mean), average (mean over non-empty bins) or maximum calibration error; a channel with
    /// no pixel is NaN. The (item, channel) grid is then reduced by <paramref name="metricReduction"/>.
    /// </summary>
    /// <param name="numBins">MONAI <c>num_bins</c>; at least 1. Default: 20.</param>
    /// <param name="includeBackground">MONAI <c>include_background</c>: score channel 0 (dropped only when C &gt; 1). Default: true.</param>
    /// <param name="calibrationReduction">MONAI <c>calibration_reduction</c>: "expected", "average" or "maximum". Default: "expected".</param>
    /// <param name="metricReduction">MONAI <c>metric_reduction</c>: none, mean, sum, mean_batch, sum_batch, mean_channel, sum_channel. Default: "mean".</param>
    /// <param name="getNotNans">MONAI <c>get_not_nans</c>: see <see cref="MonaiCalibrationMetric.CountNotNans"/>. Default: false.</param>
    /// <param name="right">MONAI <c>right</c>: a probability on an edge goes to the bin above (true) or below (false). Default: false.</param>
    /// <returns>The metric; call <see cref="MonaiCalibrationMetric.Update"/> per batch and <see cref="MonaiCalibrationMetric.Aggregate"/>.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, or numBins &lt; 1.</exception>
    public static MonaiCalibrationMetric CalibrationErrorMetric(int numBins = 20, bool includeBackground = true, string calibrationReduction = "expected",
        string metricReduction = "mean", bool getNotNans = false, bool right = false)
    {
        CalibrationReduction c = PeerArguments.Choose(calibrationReduction, nameof(calibrationReduction), new Dictionary<string, CalibrationReduction>(StringComparer.Ordinal)
        {
            ["expected"] = CalibrationReduction.Expected,
            ["average"] = CalibrationReduction.Average,
            ["maximum"] = CalibrationReduction.Maximum,
        });
        GridReduction r = PeerArguments.Choose(metricReduction, nameof(metricReduction), MonaiReductionNames);
        return new MonaiCalibrationMetric(CalibrationBinEdges(numBins, right), includeBackground, c, r, getNotNans);
    }

    /// <summary>
    /// MONAI's calibration bins: edges <c>torch.linspace(0, 1 + ε, numBins + 1)</c> in float32 (ε = 2⁻²³, so edge k is
    /// slightly above k/numBins), a probability binned by the upper edges (<c>bucketize(p, edges[1:], right)</c>) and
    /// clamped into the last bin. Compare float32 probabilities (widened), as MONAI does.
    /// </summary>
    /// <param name="numBins">MONAI <c>num_bins</c>; at least 1. Default: 20.</param>
    /// <param name="right">MONAI <c>right</c>: false, a value on an edge goes to the bin below; true, above. Default: false.</param>
    /// <returns>The binning.</returns>
    /// <exception cref="ArgumentOutOfRangeException">numBins &lt; 1.</exception>
    public static CalibrationBinning CalibrationBinEdges(int numBins = 20, bool right = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numBins, 1);
        double[] edges = CalibrationBinning.Linspace(0, 1 + Math.Pow(2, -23), numBins + 1, float32: true);
        return new CalibrationBinning(edges, valueOnEdgeGoesUp: right, separateTopBin: false);
    }

    /// <summary>
    /// MONAI's <c>calibration_binning(y_pred, y, num_bins, right)</c>: per (item, channel, bin) the count and the sums
    /// of probability and ground truth (their means are MONAI's <c>mean_p_per_bin</c> and <c>mean_gt_per_bin</c>; NaN
    /// for an empty bin).
    /// </summary>
    /// <param name="yPred">Probabilities [B, C, spatial…], row-major over <paramref name="shape"/>.</param>
    /// <param name="y">Ground truth of the same shape.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="binning">The bins (<see cref="CalibrationBinEdges"/>, or explicit edges as MONAI's tests mock them).</param>
    /// <returns>B·C·bins entries, item-major then channel then bin.</returns>
    /// <exception cref="ArgumentException">The lengths differ from the shape, or a probability is NaN.</exception>
    public static CalibrationBin[] CalibrationBins(ReadOnlySpan<float> yPred, ReadOnlySpan<float> y, SegmentationShape shape, CalibrationBinning binning)
    {
        ArgumentNullException.ThrowIfNull(binning);
        shape.ValidateScores(yPred.Length, nameof(yPred));
        shape.ValidateScores(y.Length, nameof(y));
        return BinAll(yPred, y, shape, binning);
    }

    internal static CalibrationBin[] BinAll(ReadOnlySpan<float> yPred, ReadOnlySpan<float> y, SegmentationShape shape, CalibrationBinning binning)
    {
        int pixels = shape.PixelsPerImage;
        int bins = binning.BinCount;
        var result = new CalibrationBin[shape.Batch * shape.Classes * bins];
        for (int b = 0; b < shape.Batch; b++)
        {
            // One accumulator per item: MONAI's bins never mix items.
            var item = new CalibrationAccumulator(binning, shape.Classes);
            int offset = b * shape.Classes * pixels;
            for (int c = 0; c < shape.Classes; c++)
            {
                for (int i = 0; i < pixels; i++)
                {
                    int at = offset + (c * pixels) + i;
                    item.Add(c, yPred[at], y[at]);
                }

                item.Bins(c).CopyTo(result.AsSpan(((b * shape.Classes) + c) * bins, bins));
            }
        }

        return result;
    }

    private static readonly IReadOnlyDictionary<string, GridReduction> MonaiReductionNames = new Dictionary<string, GridReduction>(StringComparer.Ordinal)
    {
        ["none"] = GridReduction.None,
        ["mean"] = GridReduction.Mean,
        ["sum"] = GridReduction.Sum,
        ["mean_batch"] = GridReduction.MeanBatch,
        ["sum_batch"] = GridReduction.SumBatch,
        ["mean_channel"] = GridReduction.MeanChannel,
        ["sum_channel"] = GridReduction.SumChannel,
    };
}
