using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Test-time augmentation (TTA) of a window predictor: every batch of windows is run once per flip transform and
/// scale of <see cref="TestTimeAugmentationOptions"/>, each output is mapped back onto the window (transform undone,
/// resized back), and the mean is returned, as mmseg's <c>SegTTAModel</c> merges and as nnU-Net mirrors per window.
/// </summary>
/// <remarks>
/// With tiling, hand the wrapped predictor to <see cref="SlidingWindowInference"/> or <see cref="BandedSlidingWindow"/>:
/// each window is augmented on its own before blending. Without tiling, <see cref="Run"/> treats the whole image as one
/// window. With <see cref="TtaMerge.Probabilities"/> the result is probabilities (softmax over channels, sigmoid for one
/// channel), not logits, whatever the model outputs; <see cref="TestTimeAugmentationOptions.MergedScoresAreProbabilities"/>
/// says which.
/// </remarks>
public static class TestTimeAugmentation
{
    /// <summary>
    /// Wraps <paramref name="inner"/> so that every call augments its windows <c>[B, C, H, W]</c>: one inner call per
    /// (scale, flip transform), each with all B windows (rescaled to <c>int(H × s + 0.5)</c> × <c>int(W × s + 0.5)</c>, then
    /// flipped or rotated), whose output is flipped or rotated back, resized back bilinearly to the unscaled output size,
    /// turned into probabilities for <see cref="TtaMerge.Probabilities"/> (unless <paramref name="scoresAreProbabilities"/>),
    /// and averaged. The result is one output <c>[B, K, H', W']</c>, H' × W' being the inner model's output size for the
    /// unscaled window (when every scale resizes the window: the first scale's output size × window / scaled size, rounded).
    /// </summary>
    /// <param name="inner">The model: one output <c>[B, K, H', W']</c> per call.</param>
    /// <param name="options">The augmentation settings; copied, so later changes do not affect the wrapper.</param>
    /// <param name="scoresAreProbabilities">
    /// The model already outputs probabilities (it ends in a softmax or sigmoid): the Probabilities merge averages them as
    /// they are instead of activating them again.
    /// </param>
    /// <returns>
    /// A predictor for windows <c>[B, C, H, W]</c>. Its result is valid until its next call (the buffers are reused, as
    /// <see cref="WindowPredictor"/> allows); it is not thread-safe. A call throws <see cref="ArgumentException"/> for windows
    /// that are not 2-D, or not square under <see cref="TtaFlips.D4"/>; <see cref="NotSupportedException"/> when the inner
    /// predictor returns more than one output; <see cref="InvalidOperationException"/> for an output of the wrong batch,
    /// rank or channel count.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static WindowPredictor Wrap(WindowPredictor inner, TestTimeAugmentationOptions options, bool scoresAreProbabilities)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var predictor = new AugmentedWindowPredictor(inner, options.Clone(), scoresAreProbabilities);
        return predictor.Predict;
    }

    /// <summary>
    /// Test-time augmentation without tiling: the images <c>[N, C, H, W]</c> are one batch of N windows, augmented and
    /// merged as <see cref="Wrap"/> does.
    /// </summary>
    /// <param name="images">The images, row-major, as <paramref name="shape"/> says.</param>
    /// <param name="shape"><c>[N, C, H, W]</c>, every size 1 or more.</param>
    /// <param name="options">The augmentation settings.</param>
    /// <param name="scoresAreProbabilities">The model already outputs probabilities (see <see cref="Wrap"/>).</param>
    /// <param name="predictor">The model: one output <c>[N, K, H', W']</c> per call.</param>
    /// <returns>The merged scores <c>[N, K, H', W']</c> (probabilities for <see cref="TtaMerge.Probabilities"/>), in a buffer of their own.</returns>
    /// <exception cref="ArgumentException">The shape, the options or the image size (D4 needs square images) are invalid.</exception>
    /// <exception cref="NotSupportedException">The predictor returned more than one output.</exception>
    /// <exception cref="InvalidOperationException">The predictor returned an output of the wrong batch, rank or channel count.</exception>
    public static FloatTensor Run(ReadOnlySpan<float> images, IReadOnlyList<int> shape, TestTimeAugmentationOptions options, bool scoresAreProbabilities, WindowPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(predictor);
        if (shape.Count != 4 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"Test-time augmentation needs images [N, C, H, W] with every size 1 or more; got [{string.Join(", ", shape)}].", nameof(shape));
        }

        options.Validate(shape[2], shape[3]);

        // The wrapper is used once, so its reused buffer is this result's own.
        return Wrap(predictor, options, scoresAreProbabilities)(images, shape)[0];
    }
}
