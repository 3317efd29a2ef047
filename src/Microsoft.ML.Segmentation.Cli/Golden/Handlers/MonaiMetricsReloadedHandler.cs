using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// MONAI <c>MetricsReloadedBinary</c>/<c>MetricsReloadedCategorical</c>: only the measures that are plain formulas over
/// the confusion counts (counts, accuracy, Cohen's kappa, Matthews correlation, categorical balanced accuracy) are
/// mapped. The MetricsReloaded package adds smoothing constants to the other ratio measures, and boundary and distance
/// measures (Boundary IoU, NSD, ASSD, Hausdorff) belong to a later issue; those stay unsupported.
/// </summary>
internal sealed class MonaiMetricsReloadedHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && file.Callable.Contains("MetricsReloaded", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        string name = MetricCaseInputs.Text(p, "metric_name") ?? string.Empty;
        bool categorical = MetricCaseInputs.CallName(testCase.Api).Contains("Categorical", StringComparison.Ordinal);
        GoldenTensor pred = MetricCaseInputs.Tensor(testCase, "y_pred");
        GoldenTensor truth = MetricCaseInputs.Tensor(testCase, "y");
        SegmentationShape shape = MetricCaseInputs.Nchw(pred);

        // One matrix per batch item: categorical = argmax of the one-hot channels; binary = the mask itself (2 classes).
        var results = new List<double>();
        for (int b = 0; b < shape.Batch; b++)
        {
            ConfusionMatrix matrix = categorical ? Categorical(pred, truth, shape, b) : Binary(pred, truth, shape, b);
            double? value = categorical ? CategoricalMeasure(name, matrix) : BinaryMeasure(name, matrix);
            if (value is not double v)
            {
                bool geometric = new[] { "Boundary", "Surface", "Surfance", "Hausdorff", "Distance", "Centreline", "Topology" }
                    .Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
                return GoldenOutcome.Unsupported(geometric
                    ? $"'{name}' is a boundary/distance measure (later issue)"
                    : $"'{name}' is not mapped: MetricsReloaded adds smoothing constants to this ratio (or it is no confusion-count formula)");
            }

            results.Add(v);
        }

        return GoldenOutcome.Compare(testCase, results.ToArray());
    }

    private static double? BinaryMeasure(string name, ConfusionMatrix matrix)
    {
        ClassConfusion fg = matrix.ToCounts()[1];
        return name switch
        {
            "True Positives" => fg.TruePositives,
            "False Positives" => fg.FalsePositives,
            "False Negatives" => fg.FalseNegatives,
            "True Negatives" => fg.TrueNegatives,
            "Accuracy" => ConfusionMetrics.Score(ConfusionMetric.Accuracy, fg),
            "Cohens Kappa" => ConfusionMetrics.CohenKappa(matrix),
            "Matthews Correlation Coefficient" => ConfusionMetrics.MatthewsCorrelation(matrix),
            _ => null,
        };
    }

    private static double? CategoricalMeasure(string name, ConfusionMatrix matrix) => name switch
    {
        "Accuracy" => ConfusionMetrics.PixelAccuracy(matrix.ToCounts()),
        "Balanced Accuracy" => ConfusionMetrics.MeanClassAccuracy(matrix.ToCounts()),
        "Cohens Kappa" => ConfusionMetrics.CohenKappa(matrix),
        "Matthews Correlation Coefficient" => ConfusionMetrics.MatthewsCorrelation(matrix),
        _ => null,
    };

    private static ConfusionMatrix Binary(GoldenTensor pred, GoldenTensor truth, SegmentationShape shape, int b)
    {
        if (shape.Classes != 1)
        {
            throw new InvalidDataException($"MetricsReloadedBinary expects one channel, y_pred has {shape.Classes}.");
        }

        int s = shape.PixelsPerImage;
        var matrix = new ConfusionMatrix(2);
        matrix.Add(Mask(pred.Data.AsSpan(b * s, s)), Mask(truth.Data.AsSpan(b * s, s)));
        return matrix;
    }

    private static ConfusionMatrix Categorical(GoldenTensor pred, GoldenTensor truth, SegmentationShape shape, int b)
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        var one = new SegmentationShape(1, c, 1, s);
        var predicted = new int[s];
        var actual = new int[s];
        MaskPrediction.Argmax<double>(pred.Data.AsSpan(b * c * s, c * s), one, predicted);
        MaskPrediction.Argmax<double>(truth.Data.AsSpan(b * c * s, c * s), one, actual);
        var matrix = new ConfusionMatrix(c);
        matrix.Add(predicted, actual);
        return matrix;
    }

    private static int[] Mask(ReadOnlySpan<double> values)
    {
        var result = new int[values.Length];
        MaskPrediction.Threshold(values, 0.5, result, inclusive: true);
        return result;
    }
}
