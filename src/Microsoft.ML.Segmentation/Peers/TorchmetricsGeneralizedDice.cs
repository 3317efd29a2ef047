using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>torchmetrics' generalized Dice (<c>_generalized_dice_update</c> / <c>_compute</c>, torchmetrics 1.9.0 dev), which differs from MONAI's.</summary>
internal static class TorchmetricsGeneralizedDice
{
    /// <summary>The mean over samples of the per-sample score (or per-class scores).</summary>
    public static double[] Compute(IReadOnlyList<ConfusionCounts> samples, int power, bool perClass)
    {
        int n = samples.Count, k = samples[0].ClassCount;
        var weights = new double[n * k];
        var infinite = new bool[n * k];
        for (int b = 0; b < n; b++)
        {
            for (int c = 0; c < k; c++)
            {
                double support = samples[b][c].Support;
                double w = power == 0 ? 1 : 1 / Math.Pow(support, power);
                infinite[(b * k) + c] = double.IsInfinity(w);
                weights[(b * k) + c] = double.IsInfinity(w) ? 0 : w;
            }
        }

        // The per-class maximum over the batch, gathered back with torchmetrics' index: repeat(N, 1).T.flatten() puts the
        // maximum of class i / N at flat position i, which lines up with position (b, c) = (i / C, i % C) only when N or C is 1.
        var classMax = new double[k];
        Array.Fill(classMax, double.NegativeInfinity);
        for (int i = 0; i < n * k; i++)
        {
            classMax[i % k] = Math.Max(classMax[i % k], weights[i]);
        }

        for (int i = 0; i < n * k; i++)
        {
            if (infinite[i])
            {
                weights[i] = classMax[i / n];
            }
        }

        var result = new double[perClass ? k : 1];
        for (int b = 0; b < n; b++)
        {
            double numeratorSum = 0, denominatorSum = 0;
            for (int c = 0; c < k; c++)
            {
                ClassConfusion counts = samples[b][c];
                double w = weights[(b * k) + c];
                double numerator = 2.0 * counts.TruePositives * w;
                double denominator = ((2.0 * counts.TruePositives) + counts.FalsePositives + counts.FalseNegatives) * w;
                if (perClass)
                {
                    result[c] += SafeDivide(numerator, denominator);
                }

                numeratorSum += numerator;
                denominatorSum += denominator;
            }

            if (!perClass)
            {
                result[0] += SafeDivide(numeratorSum, denominatorSum);
            }
        }

        for (int i = 0; i < result.Length; i++)
        {
            result[i] /= n;
        }

        return result;
    }

    /// <summary>torchmetrics' <c>_safe_divide</c> with its default zero_division = 0.</summary>
    private static double SafeDivide(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;
}
