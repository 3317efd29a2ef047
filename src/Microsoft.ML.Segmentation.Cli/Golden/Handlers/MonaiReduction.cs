using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// MONAI's inputs and <c>do_metric_reduction</c> expressed with our options. MONAI computes a score per (batch item,
/// channel), marks undefined ones NaN, and then: <c>mean</c> = mean over channels per item, then over items with a
/// valid channel; <c>mean_batch</c> = per channel over items; <c>mean_channel</c> = per item over channels; the
/// <c>sum*</c> forms add instead. An average with nothing valid reads 0 (MONAI fills it with zero).
/// </summary>
internal static class MonaiReduction
{
    /// <summary>Reads y_pred and y ([B,C,spatial…] binarized masks) as per-image multilabel counts.</summary>
    public static ConfusionCounts[] Counts(GoldenCase testCase, bool includeBackground, int? numClasses = null)
    {
        GoldenTensor pred = MetricCaseInputs.Tensor(testCase, "y_pred");
        GoldenTensor truth = MetricCaseInputs.Tensor(testCase, "y");
        SegmentationShape predShape = MetricCaseInputs.Nchw(pred);
        SegmentationShape truthShape = MetricCaseInputs.Nchw(truth);
        if (predShape.Batch != truthShape.Batch || predShape.PixelsPerImage != truthShape.PixelsPerImage)
        {
            throw new InvalidDataException($"y_pred [{string.Join(",", pred.Shape)}] and y [{string.Join(",", truth.Shape)}] differ in batch or spatial size.");
        }

        // Single-channel index maps are one-hot encoded against num_classes (or the other tensor's channels), as MONAI does.
        int classes = numClasses ?? Math.Max(predShape.Classes, truthShape.Classes);
        double[] p = predShape.Classes == 1 && classes > 1 ? MetricCaseInputs.OneHot(pred.Data, predShape, classes) : pred.Data;
        double[] y = truthShape.Classes == 1 && classes > 1 ? MetricCaseInputs.OneHot(truth.Data, truthShape, classes) : truth.Data;
        SegmentationShape shape = predShape.WithClasses(classes);
        if (p.Length != shape.ElementCount || y.Length != shape.ElementCount)
        {
            throw new InvalidDataException($"y_pred [{string.Join(",", pred.Shape)}] and y [{string.Join(",", truth.Shape)}] do not describe {classes} classes.");
        }

        ConfusionCounts[] counts = ConfusionCounts.FromMasks<double>(p, y, shape);

        // MONAI drops channel 0 only when there is more than one channel.
        return includeBackground || shape.Classes == 1 ? counts : counts.Select(c => c.FromClass(1)).ToArray();
    }

    /// <summary>Scores each (item, channel) with <paramref name="metric"/> and reduces as MONAI's <paramref name="reduction"/> names.</summary>
    public static double[]? Reduce(ConfusionMetric metric, IReadOnlyList<ConfusionCounts> images, string reduction, AbsenceCriterion absence, AbsentClassPolicy absent)
    {
        MetricOptions Options(MetricReduction r, double skipped = double.NaN, double empty = double.NaN)
            => new() { Reduction = r, Absence = absence, AbsentClass = absent, SkippedValue = skipped, EmptyAverageValue = empty };

        switch (reduction)
        {
            case "none":
                return ConfusionMetrics.Compute(metric, images, Options(MetricReduction.None));
            case "mean":
                double mean = ConfusionMetrics.Compute(metric, images, Options(MetricReduction.MacroPerImage))[0];
                return new[] { double.IsNaN(mean) ? 0 : mean };
            case "mean_batch":
                return ConfusionMetrics.Compute(metric, images, Options(MetricReduction.PerClassImagewise, skipped: 0));
            case "mean_channel":
                return ConfusionMetrics.Compute(metric, images, Options(MetricReduction.PerImage, empty: 0));
            case "sum":
            case "sum_batch":
            case "sum_channel":
                double[] grid = ConfusionMetrics.Compute(metric, images, Options(MetricReduction.None));
                return Sum(grid, images.Count, images[0].ClassCount, reduction);
            default:
                return null;
        }
    }

    /// <summary>MONAI's sum reductions over a [B,C] grid, NaN left out.</summary>
    public static double[] Sum(double[] grid, int batch, int classes, string reduction)
    {
        double At(int b, int c) => double.IsNaN(grid[(b * classes) + c]) ? 0 : grid[(b * classes) + c];
        return reduction switch
        {
            "sum" => new[] { Enumerable.Range(0, batch * classes).Sum(i => At(i / classes, i % classes)) },
            "sum_batch" => Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, batch).Sum(b => At(b, c))).ToArray(),
            _ => Enumerable.Range(0, batch).Select(b => Enumerable.Range(0, classes).Sum(c => At(b, c))).ToArray(),
        };
    }

    /// <summary>Plain means and sums of a [B,C] grid without NaN (generalized Dice never yields NaN).</summary>
    public static double[]? ReduceDense(double[] grid, int batch, int classes, string reduction)
    {
        double At(int b, int c) => grid[(b * classes) + c];
        return reduction switch
        {
            "none" => grid,
            "mean" => new[] { grid.Average() },
            "mean_batch" => Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, batch).Average(b => At(b, c))).ToArray(),
            "mean_channel" => Enumerable.Range(0, batch).Select(b => Enumerable.Range(0, classes).Average(c => At(b, c))).ToArray(),
            "sum" or "sum_batch" or "sum_channel" => Sum(grid, batch, classes, reduction),
            _ => null,
        };
    }
}
