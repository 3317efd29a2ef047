using System;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>The class weights of the generalized Dice loss and score, shared so the two cannot drift apart.</summary>
internal static class GeneralizedDiceWeights
{
    /// <summary>Fills <paramref name="weights"/> from the volumes; empty classes take the largest finite weight.</summary>
    public static void Compute(GeneralizedDiceWeighting weighting, ReadOnlySpan<double> volumes, Span<double> weights)
    {
        double max = 0;
        for (int k = 0; k < volumes.Length; k++)
        {
            double v = volumes[k];
            weights[k] = weighting switch
            {
                GeneralizedDiceWeighting.Square => v > 0 ? 1 / (v * v) : double.PositiveInfinity,
                GeneralizedDiceWeighting.Simple => v > 0 ? 1 / v : double.PositiveInfinity,
                GeneralizedDiceWeighting.Uniform => 1,
                _ => throw new ArgumentOutOfRangeException(nameof(weighting), weighting, "Unknown weighting; use Square, Simple or Uniform."),
            };
            if (!double.IsInfinity(weights[k]))
            {
                max = Math.Max(max, weights[k]);
            }
        }

        for (int k = 0; k < weights.Length; k++)
        {
            if (double.IsInfinity(weights[k]))
            {
                weights[k] = max;
            }
        }
    }
}
