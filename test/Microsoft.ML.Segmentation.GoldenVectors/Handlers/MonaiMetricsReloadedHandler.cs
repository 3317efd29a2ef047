using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>MetricsReloadedBinary</c>/<c>MetricsReloadedCategorical</c>: the measures that are formulas over the confusion
/// counts are mapped. MONAI's binary wrapper passes <c>smooth_dr = 1e-5</c>, which MetricsReloaded adds to the denominators
/// of sensitivity/recall, specificity, PPV, NPV, intersection over reference and IoU (so of the balanced accuracy, Youden
/// index and LR+ built from them); those map to <see cref="MetricOptions.SmoothDenominator"/>. The other count measures
/// (FPR, normalised expected cost, volume difference, net benefit, FP per image, accuracy, MCC, kappa) are unsmoothed.
/// Boundary and distance measures (Boundary IoU, NSD, ASSD, MASD, Hausdorff and its percentile) go through
/// <see cref="MetricsReloadedDistances"/>; the skeleton measures (centreline Dice, topology precision/sensitivity) go through the 2-D
/// <see cref="Skeletonization"/> (scikit-image's <c>skeletonize</c>), unsmoothed as in MetricsReloaded.
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
            if (!categorical && MetricsReloadedDistances.Names.Contains(name))
            {
                int size = shape.PixelsPerImage;
                byte[] x = pred.Data.Skip(b * size).Take(size).Select(v => v >= 0.5 ? (byte)1 : (byte)0).ToArray();
                byte[] y = truth.Data.Skip(b * size).Take(size).Select(v => v >= 0.5 ? (byte)1 : (byte)0).ToArray();
                results.Add(MetricsReloadedDistances.Measure(name, x, y, pred.Shape[2..], BinarySmoothing));
                continue;
            }

            if (!categorical && name is "Centreline Dice Score" or "Topology Precision" or "Topology Sensitivity")
            {
                int[] spatial = pred.Shape[2..];
                if (spatial.Length != 2)
                {
                    return GoldenOutcome.Unsupported($"'{name}' on {spatial.Length}-D images needs a {spatial.Length}-D skeleton; only 2-D is implemented");
                }

                int size = shape.PixelsPerImage;
                byte[] x = pred.Data.Skip(b * size).Take(size).Select(v => v >= 0.5 ? (byte)1 : (byte)0).ToArray();
                byte[] y = truth.Data.Skip(b * size).Take(size).Select(v => v >= 0.5 ? (byte)1 : (byte)0).ToArray();
                results.Add(name switch
                {
                    "Centreline Dice Score" => BoundaryMetrics.CentrelineDice(x, y, spatial),
                    "Topology Precision" => BoundaryMetrics.TopologyPrecision(x, y, spatial),
                    _ => BoundaryMetrics.TopologySensitivity(x, y, spatial),
                });
                continue;
            }

            ConfusionMatrix matrix = categorical ? Categorical(pred, truth, shape, b) : Binary(pred, truth, shape, b);
            string? reason = null;
            double? value = categorical ? CategoricalMeasure(name, matrix) : BinaryMeasure(name, matrix, out reason);
            if (reason is not null)
            {
                return GoldenOutcome.Unsupported(reason);
            }

            if (value is not double v)
            {
                bool geometric = new[] { "Boundary", "Surface", "Surfance", "Hausdorff", "Distance", "Centreline", "Topology" }
                    .Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
                return GoldenOutcome.Unsupported(geometric
                    ? $"'{name}' is a boundary/distance measure (later issue)"
                    : $"'{name}' is not mapped (no confusion-count formula known for it)");
            }

            results.Add(v);
        }

        return GoldenOutcome.Compare(testCase, results.ToArray());
    }

    /// <summary>MONAI's <c>MetricsReloadedBinary</c> passes this <c>smooth_dr</c> to <c>BinaryPairwiseMeasures</c>.</summary>
    private const double BinarySmoothing = 1e-5;

    private static readonly MetricOptions Smoothed = new() { SmoothDenominator = BinarySmoothing };
    private static readonly MetricOptions Plain = new();
    private static readonly MetricOptions SmoothedFBeta = new() { Reduction = MetricReduction.PerClass, SmoothDenominator = BinarySmoothing, AbsentClass = AbsentClassPolicy.One };
    private static readonly MetricOptions PropagateAbsent = new() { Reduction = MetricReduction.Macro, AbsentClass = AbsentClassPolicy.NaN };

    private static double? BinaryMeasure(string name, ConfusionMatrix matrix, out string? reason)
    {
        reason = null;
        ClassConfusion fg = matrix.ToCounts()[1];
        switch (name)
        {
            case "Positive Likelihood Ratio" when fg.FalsePositives == 0:
                // LR+ = TPR / (1 − TNR): with FP = 0, 1 − TNR is ε / (N⁻ + ε), the difference of two numbers within ~1e-5
                // of each other. MetricsReloaded evaluates it in float32 (its counts are float32 sums and NumPy keeps
                // float32 + Python float in float32), so the result carries a relative error of ~1e-3 (e.g. 66576.03 where
                // exact arithmetic gives TPR·(N⁻ + ε)/ε ≈ 66667.1; float32 emulation of MetricsReloaded's steps reproduces 66576.03).
                reason = $"'{name}' with FP = 0 is ε-dominated (TPR·(N⁻+ε)/ε); MetricsReloaded's float32 cancellation in 1 − TNR "
                    + "shifts it by ~1e-3 relative, beyond rtol; exact double arithmetic cannot match";
                return null;
        }

        return name switch
        {
            "True Positives" => fg.TruePositives,
            "False Positives" => fg.FalsePositives,
            "False Negatives" => fg.FalseNegatives,
            "True Negatives" => fg.TrueNegatives,
            "Accuracy" => ConfusionMetrics.Score(ConfusionMetric.Accuracy, fg),
            "Cohens Kappa" => ConfusionMetrics.CohenKappa(matrix),
            "Matthews Correlation Coefficient" => ConfusionMetrics.MatthewsCorrelation(matrix),
            "Sensitivity" or "Recall" or "Intersection Over Reference" => ConfusionMetrics.Score(ConfusionMetric.Recall, fg, Smoothed),
            "Specificity" => ConfusionMetrics.Score(ConfusionMetric.Specificity, fg, Smoothed),
            "Youden Index" => ConfusionMetrics.Score(ConfusionMetric.Informedness, fg, Smoothed),
            "Balanced Accuracy" => ConfusionMetrics.Score(ConfusionMetric.BalancedAccuracy, fg, Smoothed),
            "Positive Predictive Value" => ConfusionMetrics.Score(ConfusionMetric.Precision, fg, Smoothed),
            "Negative Predictive Values" => ConfusionMetrics.Score(ConfusionMetric.NegativePredictiveValue, fg, Smoothed),
            "Intersection Over Union" => ConfusionMetrics.Score(ConfusionMetric.Iou, fg, Smoothed),

            // The harmonic mean of smoothed PPV and recall plus ε; an empty reference and prediction read 1.
            "Dice Score" or "FBeta" => ConfusionMetrics.Compute(ConfusionMetric.HarmonicFBeta, matrix.ToCounts().FromClass(1), SmoothedFBeta)[0],
            "Positive Likelihood Ratio" => ConfusionMetrics.Score(ConfusionMetric.PositiveLikelihoodRatio, fg, Smoothed),
            "False Positive Rate" => ConfusionMetrics.Score(ConfusionMetric.FalsePositiveRate, fg, Plain),
            "Normalised Expected Cost" => ConfusionMetrics.Score(ConfusionMetric.NormalizedExpectedCost, fg, Plain),
            "Net Benefit Treated" => ConfusionMetrics.Score(ConfusionMetric.NetBenefit, fg, Plain),
            "False Positives Per Image" => ConfusionMetrics.Score(ConfusionMetric.FalsePositiveFraction, fg, Plain),
            "Volume Difference" => ConfusionMetrics.Score(ConfusionMetric.VolumeDifference, fg, Plain),
            "Prediction Overlaps Reference" => fg.TruePositives > 0 ? 1 : 0,
            _ => null,
        };
    }

    private static double? CategoricalMeasure(string name, ConfusionMatrix matrix) => name switch
    {
        "Accuracy" => ConfusionMetrics.PixelAccuracy(matrix.ToCounts()),
        // MetricsReloaded averages TP/(TP+FN) over all K classes: a class absent from the reference makes it NaN (0/0).
        "Balanced Accuracy" => ConfusionMetrics.Compute(ConfusionMetric.Recall, matrix.ToCounts(), PropagateAbsent)[0],

        // With its default weights (1 off the diagonal), 1 − Σw·CM / Σw·E is Cohen's kappa, (p_o − p_e) / (1 − p_e).
        "Cohens Kappa" or "Weighted Cohens Kappa" => ConfusionMetrics.CohenKappa(matrix),
        "Matthews Correlation Coefficient" => ConfusionMetrics.MatthewsCorrelation(matrix),
        "Expected Cost" => ConfusionMetrics.ExpectedCost(matrix),
        "Normalised Expected Cost" => ConfusionMetrics.NormalizedExpectedCost(matrix),
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
