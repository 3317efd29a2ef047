using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Per-class means over images of the boundary metrics. Like MONAI's mean reductions, a value that is not finite
/// (a class absent on one side gives +∞, absent on both NaN) is left out of the mean.
/// </summary>
/// <remarks>
/// The values of each image are kept (4·C doubles) rather than running sums: the means then sum in image order however
/// the images were split into shards and merged, so a merged evaluation equals a single run bit for bit.
/// </remarks>
internal sealed class BoundaryAccumulator
{
    private readonly BoundaryMetricOptions _settings;
    private readonly List<double[]> _images = new();

    /// <summary>Creates an accumulator computing the metrics with <paramref name="settings"/> (copied, so later changes do not apply).</summary>
    public BoundaryAccumulator(int classes, BoundaryMetricOptions settings)
    {
        settings.Validate("options.BoundaryMetrics", rank: 2);
        _settings = settings.Clone();
        Classes = classes;
    }

    public int Classes { get; }

    /// <summary>The settings the values are computed with (a private copy; do not change).</summary>
    public BoundaryMetricOptions Settings => _settings;

    /// <summary>The values of each image added, in order: metric m of class c at <c>[m·C + c]</c> (m: 0 HD, 1 ASSD, 2 NSD, 3 Boundary IoU).</summary>
    public IReadOnlyList<double[]> Images => _images;

    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, int height, int width)
    {
        if (predicted.Length != height * width || truth.Length != height * width)
        {
            throw new ArgumentException($"The masks hold {predicted.Length} and {truth.Length} pixels; height × width is {height * width}.", nameof(height));
        }

        var p = new byte[predicted.Length];
        var t = new byte[truth.Length];
        ReadOnlySpan<int> shape = stackalloc int[] { height, width };
        int k = Classes;
        var values = new double[4 * k];
        for (int c = 0; c < k; c++)
        {
            BoundaryMetrics.ClassMask(predicted, c, p);
            BoundaryMetrics.ClassMask(truth, c, t);
            values[c] = BoundaryMetrics.HausdorffDistance(p, t, shape, _settings);
            values[k + c] = BoundaryMetrics.AverageSurfaceDistance(p, t, shape, _settings);
            values[(2 * k) + c] = BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, _settings);
            values[(3 * k) + c] = BoundaryMetrics.BoundaryIou(p, t, shape, _settings);
        }

        _images.Add(values);
    }

    /// <summary>Appends one image's values (from a saved state), laid out as <see cref="Images"/>.</summary>
    public void AddImage(double[] values)
    {
        if (values.Length != 4 * Classes)
        {
            throw new ArgumentException($"An image's boundary values number 4 × {Classes} = {4 * Classes}, not {values.Length}.", nameof(values));
        }

        _images.Add((double[])values.Clone());
    }

    public void Merge(BoundaryAccumulator other)
    {
        // Snapshot first, so merging an accumulator into itself doubles it cleanly.
        _images.AddRange(other._images.ToArray());
    }

    /// <summary>Per-class means of metric <paramref name="m"/> (0 HD, 1 ASSD, 2 NSD, 3 Boundary IoU); NaN where no image gave a finite value.</summary>
    public double[] Means(int m)
    {
        var result = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            double sum = 0;
            int count = 0;
            foreach (double[] image in _images)
            {
                double value = image[(m * Classes) + c];
                if (double.IsFinite(value))
                {
                    sum += value;
                    count++;
                }
            }

            result[c] = count > 0 ? sum / count : double.NaN;
        }

        return result;
    }
}
