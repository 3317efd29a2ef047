using System;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// The generalized Dice score of one image: 2 Σ_c w_c TP_c / Σ_c w_c (2TP_c + FP_c + FN_c), with class weights from the
/// ground-truth volumes (<see cref="GeneralizedDiceWeighting"/>).
/// </summary>
/// <remarks>
/// Sudre et al., 2017, "Generalised Dice overlap as a deep learning loss function for highly unbalanced segmentations".
/// A class absent from the ground truth would get an infinite weight; it gets the largest finite weight of the image
/// instead (0 when no class is present). Where the weighted denominator is 0 the score is 1 if nothing was predicted
/// and 0 otherwise. These are MONAI's rules (<c>compute_generalized_dice</c>).
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class GeneralizedDice
{
    /// <summary>The generalized Dice score of one image, summed over its classes.</summary>
    /// <param name="image">The image's counts.</param>
    /// <param name="weighting">The class weights. Default: <see cref="GeneralizedDiceWeighting.Square"/>.</param>
    /// <returns>The score in [0, 1].</returns>
    public static double Score(ConfusionCounts image, GeneralizedDiceWeighting weighting = GeneralizedDiceWeighting.Square)
    {
        double[] w = Weights(image, weighting);
        double numerator = 0, denominator = 0;
        long predicted = 0;
        for (int c = 0; c < image.ClassCount; c++)
        {
            ClassConfusion k = image[c];
            numerator += 2 * w[c] * k.TruePositives;
            denominator += w[c] * ((2 * k.TruePositives) + k.FalsePositives + k.FalseNegatives);
            predicted += k.Predicted;
        }

        return denominator == 0 ? (predicted == 0 ? 1 : 0) : numerator / denominator;
    }

    /// <summary>The weighted Dice of each class of one image, without summing over classes.</summary>
    /// <param name="image">The image's counts.</param>
    /// <param name="weighting">The class weights. Default: <see cref="GeneralizedDiceWeighting.Square"/>.</param>
    /// <returns>One score per class.</returns>
    public static double[] PerClass(ConfusionCounts image, GeneralizedDiceWeighting weighting = GeneralizedDiceWeighting.Square)
    {
        double[] w = Weights(image, weighting);
        var result = new double[image.ClassCount];
        for (int c = 0; c < result.Length; c++)
        {
            ClassConfusion k = image[c];
            double denominator = w[c] * ((2 * k.TruePositives) + k.FalsePositives + k.FalseNegatives);
            result[c] = denominator == 0 ? (k.Predicted == 0 ? 1 : 0) : 2 * w[c] * k.TruePositives / denominator;
        }

        return result;
    }

    private static double[] Weights(ConfusionCounts image, GeneralizedDiceWeighting weighting)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Enum.IsDefined(weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(weighting), weighting, "Unknown weighting; use Square, Simple or Uniform.");
        }

        var volumes = new double[image.ClassCount];
        for (int c = 0; c < volumes.Length; c++)
        {
            volumes[c] = image[c].Support;
        }

        var w = new double[image.ClassCount];
        GeneralizedDiceWeights.Compute(weighting, volumes, w);
        return w;
    }
}
