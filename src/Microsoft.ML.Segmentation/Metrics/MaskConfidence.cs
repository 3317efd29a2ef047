using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// SegML's one definition of a predicted mask's confidence, used by <c>PredictMasks</c> and
/// <c>Onnx.TiledMaskPredictor</c>: the winning class's probability per pixel, the softmax maximum over the channels
/// (their maximum, when the scores are already probabilities), or <c>max(p, 1 − p)</c> for a one-channel model.
/// </summary>
/// <remarks>Computed per pixel in double precision, so any split of the pixels (a band of rows at a time) gives the
/// same values as the whole image. <para>Thread safety: stateless; every member is thread-safe.</para></remarks>
public static class MaskConfidence
{
    /// <summary>Writes the confidence of each of <paramref name="pixels"/> pixels of scores <c>[channels, pixels]</c>.</summary>
    /// <param name="scores">Scores <c>[channels, pixels]</c>, channel-planar.</param>
    /// <param name="channels">The number of channels; ≥ 1.</param>
    /// <param name="pixels">The number of pixels per channel.</param>
    /// <param name="probabilities">The scores are probabilities rather than logits.</param>
    /// <param name="destination">Receives <paramref name="pixels"/> values in [0, 1].</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void Compute(ReadOnlySpan<float> scores, int channels, int pixels, bool probabilities, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (scores.Length != (long)channels * pixels || destination.Length < pixels)
        {
            throw new ArgumentException($"Confidence of {pixels} pixels of {channels} channels needs {(long)channels * pixels} scores and room for {pixels} values; got {scores.Length} and {destination.Length}.", nameof(scores));
        }

        for (int i = 0; i < pixels; i++)
        {
            if (channels == 1)
            {
                double p = probabilities ? scores[i] : 1 / (1 + Math.Exp(-scores[i]));
                destination[i] = (float)Math.Max(p, 1 - p);
                continue;
            }

            double max = double.NegativeInfinity, sum = 0;
            for (int k = 0; k < channels; k++)
            {
                max = Math.Max(max, scores[(k * pixels) + i]);
            }

            if (probabilities)
            {
                destination[i] = (float)max;
                continue;
            }

            for (int k = 0; k < channels; k++)
            {
                sum += Math.Exp(scores[(k * pixels) + i] - max);
            }

            destination[i] = (float)(1 / sum);
        }
    }
}
