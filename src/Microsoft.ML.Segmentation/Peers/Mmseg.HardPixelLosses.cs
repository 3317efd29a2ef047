using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>mmseg's PIDNet losses (<c>BoundaryLoss</c>, <c>OhemCrossEntropy</c>) and the decode heads' OHEM pixel sampler.</summary>
public static partial class Mmseg
{
    /// <summary>
    /// mmseg 1.x <c>BoundaryLoss</c> (PIDNet's boundary head; not Kervadec's boundary loss, see <see cref="Kervadec.SurfaceLoss"/>):
    /// class-balanced BCE with logits on one channel, positives weighted by the negatives' share of the batch and the other
    /// way round, the mean over every pixel.
    /// </summary>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="ignoreIndex">The label of pixels that are neither boundary (1) nor not (0): mmseg gives any such value weight 0 while still dividing by it. Default 255.</param>
    /// <returns>The loss; scores <c>[N,1,H,W]</c> (logits), target a label map of 0/1.</returns>
    public static ISegmentationLoss BoundaryLoss(double lossWeight = 1, int ignoreIndex = 255)
    {
        var loss = new BalancedBinaryCrossEntropyLoss(new BalancedBinaryCrossEntropyLossOptions { Averaging = PointwiseAveraging.All });
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex), lossWeight);
    }

    /// <summary>
    /// mmseg 1.x <c>OhemCrossEntropy</c> (PIDNet): softmax CE (with class weights) over the valid pixels whose target-class
    /// probability is below max(<paramref name="thres"/>, the probability at rank <paramref name="minKept"/>), the mean over
    /// those pixels; 0 when every pixel is ignored and NaN when none lies below the threshold, as mmseg.
    /// </summary>
    /// <param name="ignoreLabel">Ignored label. Default 255.</param>
    /// <param name="thres">The probability threshold. Default 0.7 (mmseg's code needs a number here).</param>
    /// <param name="minKept">Pixels always kept over the batch; values below 1 count as 1, as mmseg. Default 100000.</param>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="classWeight">Weight per class; null for none (mmseg's file form is not mapped).</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss OhemCrossEntropy(int ignoreLabel = 255, double thres = 0.7, int minKept = 100000, double lossWeight = 1,
        IReadOnlyList<double>? classWeight = null)
    {
        var loss = new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions
        {
            ClassWeights = classWeight?.ToArray(),
            Threshold = thres,
            MinKept = Math.Max(1, minKept),
            Averaging = OhemAveraging.Selected,
            NaNWhenNoneSelected = true,
        });
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex: ignoreLabel), lossWeight);
    }

    /// <summary>
    /// A decode head with <c>sampler=dict(type='OHEMPixelSampler', …)</c> and <c>loss_decode=CrossEntropyLoss(…)</c>: the
    /// sampler keeps the valid pixels whose target probability is below max(<paramref name="thresh"/>, the probability at
    /// rank minKept·N), or without a threshold the minKept·N pixels of largest CE; the head's CE is then weighted by that
    /// 0/1 mask and averaged over N·H·W (or the non-ignored pixels with <paramref name="avgNonIgnore"/>).
    /// </summary>
    /// <param name="thresh">The probability threshold; null ranks by loss. Default null.</param>
    /// <param name="minKept">Pixels kept per image; must be &gt; 1, as mmseg asserts. Default 100000.</param>
    /// <param name="classWeight">The CE's class weights (they also weight the ranking loss); null for none.</param>
    /// <param name="avgNonIgnore">The CE's <c>avg_non_ignore</c>. Default false.</param>
    /// <param name="lossWeight">The CE's <c>loss_weight</c>. Default 1.</param>
    /// <param name="ignoreIndex">The decode head's ignore index. Default 255.</param>
    /// <returns>The loss; <see cref="OhemCrossEntropyLoss.SelectHardPixels{T}"/> of the loss inside gives the sampler's <c>seg_weight</c>.</returns>
    public static ISegmentationLoss OhemPixelSampler(double? thresh = null, int minKept = 100000, IReadOnlyList<double>? classWeight = null,
        bool avgNonIgnore = false, double lossWeight = 1, int ignoreIndex = 255)
    {
        if (minKept <= 1)
        {
            throw new ArgumentException($"min_kept ({minKept}) must be > 1, as mmseg's OHEMPixelSampler asserts.", nameof(minKept));
        }

        var loss = new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions
        {
            ClassWeights = classWeight?.ToArray(),
            Threshold = thresh,
            MinKept = minKept,
            MinKeptPerImage = true,
            Averaging = avgNonIgnore ? OhemAveraging.ValidPixels : OhemAveraging.AllPixels,
        });
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex), lossWeight);
    }
}
