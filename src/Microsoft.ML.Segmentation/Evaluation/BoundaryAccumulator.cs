using System;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Per-class means over images of the boundary metrics. Like MONAI's mean reductions, a value that is not finite
/// (a class absent on one side gives +∞, absent on both NaN) is left out of the mean; the count of such images is kept.
/// </summary>
internal sealed class BoundaryAccumulator
{
    private readonly SegmentationEvaluatorOptions _options;
    private readonly BoundaryMetricOptions _hausdorff;
    private readonly BoundaryMetricOptions _surface = new() { Symmetric = true };
    private readonly double[][] _sums;
    private readonly int[][] _counts;

    public BoundaryAccumulator(int classes, SegmentationEvaluatorOptions options)
    {
        if (!(options.BoundaryPercentile > 0 && options.BoundaryPercentile <= 100))
        {
            throw new ArgumentOutOfRangeException("options.BoundaryPercentile", options.BoundaryPercentile, "The percentile must lie in (0, 100]; 95 gives HD95.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.SurfaceTolerance, "options.SurfaceTolerance");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BoundaryWidth, "options.BoundaryWidth");
        _options = options;
        _hausdorff = new BoundaryMetricOptions { Percentile = options.BoundaryPercentile == 100 ? null : options.BoundaryPercentile };
        Classes = classes;
        _sums = new double[4][];
        _counts = new int[4][];
        for (int m = 0; m < 4; m++)
        {
            _sums[m] = new double[classes];
            _counts[m] = new int[classes];
        }
    }

    public int Classes { get; }

    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, int height, int width)
    {
        if (predicted.Length != height * width || truth.Length != height * width)
        {
            throw new ArgumentException($"The masks hold {predicted.Length} and {truth.Length} pixels; height × width is {height * width}.", nameof(height));
        }

        var p = new byte[predicted.Length];
        var t = new byte[truth.Length];
        ReadOnlySpan<int> shape = stackalloc int[] { height, width };
        for (int c = 0; c < Classes; c++)
        {
            BoundaryMetrics.ClassMask(predicted, c, p);
            BoundaryMetrics.ClassMask(truth, c, t);
            Accumulate(0, c, BoundaryMetrics.HausdorffDistance(p, t, shape, _hausdorff));
            Accumulate(1, c, BoundaryMetrics.AverageSurfaceDistance(p, t, shape, _surface));
            Accumulate(2, c, BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, _options.SurfaceTolerance));
            Accumulate(3, c, BoundaryMetrics.BoundaryIou(p, t, shape, _options.BoundaryWidth));
        }
    }

    public void Merge(BoundaryAccumulator other)
    {
        for (int m = 0; m < 4; m++)
        {
            for (int c = 0; c < Classes; c++)
            {
                _sums[m][c] += other._sums[m][c];
                _counts[m][c] += other._counts[m][c];
            }
        }
    }

    /// <summary>Per-class means of metric <paramref name="m"/> (0 HD, 1 ASSD, 2 NSD, 3 Boundary IoU); NaN where no image gave a finite value.</summary>
    public double[] Means(int m)
    {
        var result = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            result[c] = _counts[m][c] > 0 ? _sums[m][c] / _counts[m][c] : double.NaN;
        }

        return result;
    }

    private void Accumulate(int metric, int c, double value)
    {
        if (double.IsFinite(value))
        {
            _sums[metric][c] += value;
            _counts[metric][c]++;
        }
    }
}
