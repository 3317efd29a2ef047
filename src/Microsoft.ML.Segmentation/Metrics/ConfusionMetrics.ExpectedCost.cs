using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Metrics;

/// <content>Multiclass expected cost (Ferrer, 2022, "Analysis and comparison of classification metrics").</content>
public static partial class ConfusionMetrics
{
    /// <summary>
    /// Multiclass expected cost: EC = Σ_t Σ_p c(t, p) · π_t · R(p | t), with the ground-truth priors π_t = (pixels of class t) / N
    /// and R(p | t) the share of class-t pixels predicted as p.
    /// </summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="costs">
    /// The cost c(t, p) of predicting p for a pixel of class t, row-major by ground truth (index t·K + p), K² finite values
    /// ≥ 0; <see langword="null"/> for the prior-balanced costs c(t, p) = 1 / (K·π_t) off the diagonal and 0 on it, with which
    /// EC = 1 − balanced accuracy. Default: null.
    /// </param>
    /// <returns>The expected cost, or NaN when no pixel was counted or (with the default costs) a class is absent from the ground truth.</returns>
    /// <exception cref="ArgumentException">The costs do not have K² finite, non-negative entries.</exception>
    public static double ExpectedCost(ConfusionMatrix matrix, IReadOnlyList<double>? costs = null)
        => ExpectedCostCore(matrix, costs, normalize: false);

    /// <summary>
    /// Normalised expected cost: <see cref="ExpectedCost"/> divided by the expected cost of the best constant prediction,
    /// min_p Σ_t c(t, p) · π_t. 0 is best; 1 is no better than always predicting one class. With the default costs it is
    /// K / (K − 1) · (1 − balanced accuracy).
    /// </summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="costs">The costs, as for <see cref="ExpectedCost"/>. Default: null (prior-balanced).</param>
    /// <returns>The normalised cost, or NaN when it is undefined (as for <see cref="ExpectedCost"/>, or every constant prediction costs 0).</returns>
    /// <exception cref="ArgumentException">The costs do not have K² finite, non-negative entries.</exception>
    public static double NormalizedExpectedCost(ConfusionMatrix matrix, IReadOnlyList<double>? costs = null)
        => ExpectedCostCore(matrix, costs, normalize: true);

    private static double ExpectedCostCore(ConfusionMatrix matrix, IReadOnlyList<double>? costs, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.NumClasses;
        if (costs is not null)
        {
            if (costs.Count != k * k)
            {
                throw new ArgumentException($"costs has {costs.Count} entries but the matrix has {k} classes; give K² = {k * k} costs.", nameof(costs));
            }

            for (int i = 0; i < costs.Count; i++)
            {
                if (!(costs[i] >= 0) || double.IsInfinity(costs[i]))
                {
                    throw new ArgumentException($"costs[{i}] ({costs[i]}) must be finite and at least 0.", nameof(costs));
                }
            }
        }

        (double total, _, double[] truth, _) = Marginals(matrix);
        if (total == 0)
        {
            return double.NaN;
        }

        long[] m = matrix.ToArray();
        double cost = 0;
        var naive = new double[k];
        for (int t = 0; t < k; t++)
        {
            double prior = truth[t] / total;
            for (int p = 0; p < k; p++)
            {
                double c = Cost(costs, k, t, p, prior);
                double share = truth[t] == 0 ? 0 : m[(t * k) + p] / truth[t];
                cost += c * prior * share;
                naive[p] += c * prior;
            }
        }

        if (!normalize)
        {
            return cost;
        }

        double best = double.PositiveInfinity;
        foreach (double value in naive)
        {
            best = Math.Min(best, value);
        }

        return Ratio(cost, best);
    }

    private static double Cost(IReadOnlyList<double>? costs, int k, int truth, int predicted, double prior)
    {
        if (costs is not null)
        {
            return costs[(truth * k) + predicted];
        }

        // Prior-balanced: undefined (NaN) for a class absent from the ground truth.
        return truth == predicted ? 0 : prior == 0 ? double.NaN : 1 / (k * prior);
    }
}
