using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="OhemCrossEntropyLoss"/>. The defaults are mmseg's <c>OhemCrossEntropy</c> (PIDNet): threshold
/// 0.7 on the target-class probability, at least 100000 pixels kept over the batch, the mean over the kept pixels.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class OhemCrossEntropyLossOptions
{
    /// <summary>A weight per class (length C) multiplying each pixel's cross-entropy; <see langword="null"/> for none. Default: <see langword="null"/>; each must be finite and ≥ 0.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>
    /// Keep the pixels whose target-class probability is below max(this, the probability of the
    /// <see cref="MinKept"/>-th least confident pixel) (mmseg <c>thres</c>/<c>thresh</c>). <see langword="null"/> keeps
    /// instead the <see cref="MinKept"/> pixels of largest (weighted) cross-entropy (the sampler without <c>thresh</c>).
    /// Default: 0.7; otherwise in [0, 1].
    /// </summary>
    public double? Threshold { get; set; } = 0.7;

    /// <summary>The number of pixels always kept (mmseg <c>min_kept</c>). Default: 100000; at least 1.</summary>
    public int MinKept { get; set; } = 100000;

    /// <summary>
    /// <see cref="MinKept"/> counts per image, so the batch keeps MinKept·N (mmseg's <c>OHEMPixelSampler</c>); otherwise
    /// it counts over the whole batch (<c>OhemCrossEntropy</c>). Default: <see langword="false"/>.
    /// </summary>
    public bool MinKeptPerImage { get; set; }

    /// <summary>What the summed cross-entropy of the kept pixels is divided by. Default: <see cref="OhemAveraging.Selected"/>.</summary>
    public OhemAveraging Averaging { get; set; } = OhemAveraging.Selected;

    /// <summary>
    /// Return NaN, as mmseg's <c>OhemCrossEntropy</c> does, when there are valid pixels but the averaging denominator is
    /// 0 (no pixel lies strictly below the threshold, for example a single valid pixel); otherwise 0. A batch with every
    /// pixel ignored gives 0 either way. Default: <see langword="false"/>.
    /// </summary>
    public bool NaNWhenNoneSelected { get; set; }

    /// <summary>A copy whose later changes do not reach this instance (and the reverse); the class weights are copied.</summary>
    /// <returns>New options with the same values.</returns>
    public OhemCrossEntropyLossOptions Clone()
    {
        var copy = (OhemCrossEntropyLossOptions)MemberwiseClone();
        copy.ClassWeights = ClassWeights is null ? null : [.. ClassWeights];
        return copy;
    }
}
