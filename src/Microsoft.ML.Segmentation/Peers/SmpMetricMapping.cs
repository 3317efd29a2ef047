using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// smp's <c>_compute_metric</c> (segmentation_models.pytorch 0.3.4 dev, <c>metrics/functional.py</c>): the reductions
/// and the zero-division rule, reproduced with their quirks (class weights are normalised to sum 1 and then
/// <c>macro</c>, <c>macro-imagewise</c> and <c>weighted-imagewise</c> still divide by C; <c>micro</c> never replaces NaN).
/// </summary>
internal static class SmpMetricMapping
{
    public static double[] Compute(ConfusionMetric metric, IReadOnlyList<ConfusionCounts> stats, string? reduction, IReadOnlyList<double>? classWeights,
        double zeroDivision, double beta = 1)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (stats.Count == 0)
        {
            throw new ArgumentException("There are no statistics; pass the get_stats result of at least one image.", nameof(stats));
        }

        int n = stats.Count, k = stats[0].ClassCount;
        foreach (ConfusionCounts image in stats)
        {
            if (image.ClassCount != k)
            {
                throw new ArgumentException($"Every image must have {k} classes; one has {image.ClassCount}.", nameof(stats));
            }
        }

        string r = reduction ?? "none";
        if (classWeights is null && r.Contains("weighted", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Class weights should be provided for `{r}` reduction (smp requires classWeights there).", nameof(classWeights));
        }

        double[] w = NormalizedWeights(classWeights, k);
        var formula = new MetricOptions { Beta = beta };
        double Raw(ClassConfusion counts) => ConfusionMetrics.Score(metric, counts, formula);
        double Zd(double x) => double.IsNaN(x) ? zeroDivision : x;
        ConfusionCounts total = ConfusionCounts.Sum(stats);
        switch (r)
        {
            case "micro":
                return [Raw(SumClasses(total))];
            case "macro":
            case "weighted":
            {
                double sum = 0;
                for (int c = 0; c < k; c++)
                {
                    sum += Zd(Raw(total[c])) * w[c];
                }

                return [r == "macro" ? sum / k : sum];
            }

            case "micro-imagewise":
            {
                double sum = 0;
                foreach (ConfusionCounts image in stats)
                {
                    sum += Zd(Raw(SumClasses(image)));
                }

                return [sum / n];
            }

            case "macro-imagewise":
            case "weighted-imagewise":
            {
                double sum = 0;
                for (int c = 0; c < k; c++)
                {
                    double classSum = 0;
                    foreach (ConfusionCounts image in stats)
                    {
                        classSum += Zd(Raw(image[c]));
                    }

                    sum += classSum / n * w[c];
                }

                return [sum / k];
            }

            case "none":
            {
                var result = new double[n * k];
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < k; c++)
                    {
                        result[(i * k) + c] = Zd(Raw(stats[i][c]));
                    }
                }

                return result;
            }

            default:
                throw new ArgumentException(
                    $"reduction '{reduction}' should be one of micro, macro, weighted, micro-imagewise, macro-imagewise, weighted-imagewise, none (or null).", nameof(reduction));
        }
    }

    /// <summary>smp: <c>class_weights / class_weights.sum()</c>, with the scalar 1.0 when none are given (so each weight is 1).</summary>
    private static double[] NormalizedWeights(IReadOnlyList<double>? classWeights, int classes)
    {
        var w = new double[classes];
        if (classWeights is null)
        {
            Array.Fill(w, 1.0);
            return w;
        }

        if (classWeights.Count != classes)
        {
            throw new ArgumentException($"classWeights has {classWeights.Count} entries but the statistics have {classes} classes.", nameof(classWeights));
        }

        double sum = 0;
        foreach (double v in classWeights)
        {
            sum += v;
        }

        for (int c = 0; c < classes; c++)
        {
            w[c] = classWeights[c] / sum;
        }

        return w;
    }

    private static ClassConfusion SumClasses(ConfusionCounts counts)
    {
        var sum = default(ClassConfusion);
        foreach (ClassConfusion c in counts.Classes)
        {
            sum += c;
        }

        return sum;
    }
}
