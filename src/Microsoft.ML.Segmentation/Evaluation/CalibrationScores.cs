using System;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Turns one row's scores into the C class probabilities per pixel the calibration bins read: a softmax over the
/// channels for logits, a sigmoid for one logit channel; one channel of a two-class model becomes [1 − p, p].
/// </summary>
internal sealed class CalibrationScores
{
    private float[] _probabilities = Array.Empty<float>();

    /// <summary>The probabilities of <paramref name="scores"/> (C·P values, channel-major), valid until the next call.</summary>
    /// <exception cref="InvalidOperationException">The scores are not C channels (or one, for two classes) at the mask's P pixels.</exception>
    public ReadOnlySpan<float> Probabilities(ReadOnlySpan<float> scores, bool probabilities, int classes, int pixels, long row, string column)
    {
        int channels = pixels == 0 ? 0 : scores.Length / pixels;
        if (pixels == 0 || (long)channels * pixels != scores.Length || !(channels == classes || (channels == 1 && classes == 2)))
        {
            throw new InvalidOperationException(
                $"Row {row}: '{column}' holds {scores.Length} scores, not {classes} channels (or one, for two classes) of the masks' {pixels} pixels; calibration needs the scores at the masks' size (predict with restoreOriginalSize: false, or load masks at the tensor's size).");
        }

        if (_probabilities.Length != classes * pixels)
        {
            _probabilities = new float[classes * pixels];
        }

        Span<float> result = _probabilities;
        if (channels == 1)
        {
            // One channel: the foreground probability p (after a sigmoid for a logit), background 1 − p.
            Span<float> foreground = result.Slice(pixels, pixels);
            ActivationKernels.Apply(probabilities ? Activation.None : Activation.Sigmoid, scores, new SegmentationShape(1, 1, 1, pixels), foreground);
            for (int i = 0; i < pixels; i++)
            {
                result[i] = 1 - foreground[i];
            }
        }
        else
        {
            ActivationKernels.Apply(probabilities ? Activation.None : Activation.Softmax, scores, new SegmentationShape(1, classes, 1, pixels), result);
        }

        return result;
    }
}
