namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// How a pixelwise loss (cross-entropy, binary cross-entropy, focal) turns its per-term losses into one number.
/// A term is a pixel for softmax losses and a pixel-channel element for sigmoid losses.
/// </summary>
public enum PointwiseAveraging
{
    /// <summary>Σ loss / Σ weight of each valid term's target class: PyTorch's weighted mean. Without class weights (or for sigmoid losses) the same as <see cref="Valid"/>.</summary>
    TargetWeight = 0,

    /// <summary>Mean over valid (not ignored) terms (PyTorch without weights; mmseg <c>avg_non_ignore=True</c>).</summary>
    Valid = 1,

    /// <summary>Mean over all terms, ignored ones counting as 0 in the numerator but 1 in the denominator (mmseg default <c>avg_non_ignore=False</c>; smp <c>SoftCrossEntropyLoss</c>).</summary>
    All = 2,

    /// <summary>The sum of all terms.</summary>
    Sum = 3,

    /// <summary>Mean over valid pixels × C channels even for a softmax loss whose term sits on the target channel only (MONAI <c>FocalLoss(use_softmax=True)</c>).</summary>
    ValidElements = 4,
}
