using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// SegML's one convention for the foreground threshold of a one-channel (binary) model, used by
/// <c>PredictMasks</c>, <c>SegmentationModel</c>, graph post-processing and <c>segml</c>: the threshold is always a
/// probability in (0, 1), whatever the model outputs. For a model that outputs logits it is turned into the logit
/// <c>ln(t / (1 − t))</c> once, here, and compared with the raw scores (sigmoid is monotonic, so
/// <c>sigmoid(s) &gt; t ⇔ s &gt; logit(t)</c>; no per-pixel sigmoid is needed).
/// </summary>
/// <remarks>A pixel is foreground when its score is strictly above the cut, as <c>torch</c> and torchmetrics compare.
/// <para>Thread safety: stateless; every member is thread-safe.</para></remarks>
public static class ForegroundThreshold
{
    /// <summary>The default foreground probability: 0.5 (logit 0).</summary>
    public const float Default = 0.5f;

    /// <summary>Checks that <paramref name="probability"/> is a probability strictly between 0 and 1.</summary>
    /// <param name="probability">The threshold.</param>
    /// <param name="parameterName">The parameter or option to name in the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not in (0, 1) (NaN included).</exception>
    public static void Validate(float probability, string parameterName)
    {
        if (!(probability > 0f && probability < 1f))
        {
            throw new ArgumentOutOfRangeException(parameterName, probability,
                $"{parameterName} is a foreground probability and must lie strictly between 0 and 1 (a model that outputs logits is compared with ln(t / (1 − t)) for you); got {probability}.");
        }
    }

    /// <summary>The value raw scores are compared with: the probability itself, or its logit for logit scores.</summary>
    /// <param name="probability">The threshold, a probability in (0, 1).</param>
    /// <param name="scoresAreProbabilities">The scores are probabilities (the model ends in a sigmoid) rather than logits.</param>
    /// <returns>The cut on the raw scores.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not in (0, 1).</exception>
    public static float ScoreCut(float probability, bool scoresAreProbabilities)
    {
        Validate(probability, nameof(probability));
        return scoresAreProbabilities ? probability : (float)Math.Log(probability / (1.0 - probability));
    }
}
