using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce mmsegmentation's losses (mmseg 1.x, <c>mmseg/models/losses</c>) with mmseg's config keys and
/// defaults in C# camelCase. Scores are <c>[N,C,H,W]</c>; the target is a label map <c>[N,H,W]</c> whose ignored label is
/// <c>ignoreIndex</c> (mmseg's forward argument; decode heads pass 255).
/// </summary>
public static partial class Mmseg
{
    /// <summary>mmseg 1.x <c>CrossEntropyLoss</c>: softmax CE (or sigmoid BCE on the one-hot) on logits; the mean divides by every pixel (ignored ones too) unless <paramref name="avgNonIgnore"/>.</summary>
    /// <param name="useSigmoid">BCE with logits on the one-hot target (class_weight as <c>pos_weight</c>) instead of softmax CE.</param>
    /// <param name="useMask">mmseg's mask cross-entropy (instance masks); not mapped, must be false.</param>
    /// <param name="reduction">"mean" only.</param>
    /// <param name="classWeight">Weight per class; null for none.</param>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="avgNonIgnore">Divide by the number of non-ignored pixels instead of all pixels.</param>
    /// <param name="ignoreIndex">Label to ignore. Default −100 (mmseg's forward default; decode heads pass 255).</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss CrossEntropyLoss(bool useSigmoid = false, bool useMask = false, string reduction = "mean",
        IReadOnlyList<double>? classWeight = null, double lossWeight = 1, bool avgNonIgnore = false, int ignoreIndex = -100)
    {
        if (useMask)
        {
            throw new NotSupportedException("use_mask=True (mmseg's mask cross-entropy) is not mapped.");
        }

        MmsegMeanOnly(reduction);
        double[]? w = classWeight?.ToArray();
        PointwiseAveraging averaging = avgNonIgnore ? PointwiseAveraging.Valid : PointwiseAveraging.All;
        ISegmentationLoss loss = useSigmoid
            ? new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = w, Averaging = averaging })
            : new Losses.CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = w, Averaging = averaging });
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex), lossWeight);
    }

    /// <summary>
    /// mmseg 1.x <c>DiceLoss</c>: one Dice per image over every kept channel flattened together; V-Net form
    /// <c>1 − 2Σpt/((Σp² + eps) + (Σt² + eps))</c> or naive <c>1 − (2Σpt + eps)/(Σp + Σt + eps)</c>; the channel equal to
    /// <paramref name="ignoreIndex"/> is dropped, and pixels labelled ignore_index are all-zero target rows whose predictions still count.
    /// </summary>
    /// <param name="useSigmoid">Sigmoid (default) instead of softmax when <paramref name="activate"/>.</param>
    /// <param name="activate">Apply the activation. Default true.</param>
    /// <param name="reduction">"mean" only.</param>
    /// <param name="naiveDice">The naive (linear) form instead of V-Net's squared one.</param>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="ignoreIndex">Ignored label (and dropped channel). Default 255.</param>
    /// <param name="eps">Smoothing. Default 1e-3.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss DiceLoss(bool useSigmoid = true, bool activate = true, string reduction = "mean", bool naiveDice = false,
        double lossWeight = 1, int ignoreIndex = 255, double eps = 1e-3)
    {
        MmsegMeanOnly(reduction);
        var preset = new PeerPreset(typeof(Mmseg), nameof(DiceLoss), (nameof(useSigmoid), useSigmoid), (nameof(activate), activate),
            (nameof(reduction), reduction), (nameof(naiveDice), naiveDice), (nameof(lossWeight), lossWeight), (nameof(ignoreIndex), ignoreIndex),
            (nameof(eps), eps));
        var loss = new PeerLoss("mmseg.DiceLoss", c => new Losses.DiceLoss(new DiceLossOptions
        {
            Activation = !activate ? Activation.None : useSigmoid ? Activation.Sigmoid : Activation.Softmax,
            Denominator = naiveDice ? OverlapDenominator.Linear : OverlapDenominator.Squared,
            SmoothNumerator = naiveDice ? eps : 0,
            SmoothDenominator = naiveDice ? eps : 2 * eps, // V-Net: (Σp² + ε) + (Σt² + ε)
            Epsilon = 0,
            PerImage = true,
            PoolClasses = true,
            EmptyTarget = EmptyTargetPolicy.Compute,
            ClassIndices = Enumerable.Range(0, c).Where(k => k != ignoreIndex).ToArray(),
        }), preset);
        return MmsegScaled(new ClampedOneHotLoss(loss), lossWeight);
    }

    /// <summary>mmseg 1.x <c>FocalLoss</c> (sigmoid only): <c>(αt + (1 − α)(1 − t))(1 − p_t)^γ·BCE</c> on the one-hot target; ignored pixels add 0 but count in the mean over N·C·H·W.</summary>
    /// <param name="useSigmoid">Must be true: mmseg implements the sigmoid focal loss only.</param>
    /// <param name="gamma">Focal exponent γ. Default 2.</param>
    /// <param name="alpha">α-balancing. Default 0.5 (a per-class list is not mapped).</param>
    /// <param name="reduction">"mean" only.</param>
    /// <param name="classWeight">Weight per class multiplying each element's loss; null for none.</param>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="ignoreIndex">Ignored label. Default 255.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss FocalLoss(bool useSigmoid = true, double gamma = 2, double alpha = 0.5, string reduction = "mean",
        IReadOnlyList<double>? classWeight = null, double lossWeight = 1, int ignoreIndex = 255)
    {
        if (!useSigmoid)
        {
            throw new NotSupportedException("use_sigmoid=False: mmseg's FocalLoss implements the sigmoid focal loss only.");
        }

        MmsegMeanOnly(reduction);
        var loss = new Losses.FocalLoss(new FocalLossOptions
        {
            Activation = Activation.Sigmoid,
            Gamma = gamma,
            Alpha = alpha,
            ClassWeights = classWeight?.ToArray(),
            Averaging = PointwiseAveraging.All,
        });
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex), lossWeight);
    }

    /// <summary>mmseg 1.x <c>TverskyLoss</c>: softmax, per image and class <c>1 − (TP + s)/(TP + α·FP + β·FN + s)</c> (to the power 1/γ when γ &gt; 1), times the class weight, summed over classes and divided by C.</summary>
    /// <param name="smooth">Smoothing s. Default 1.</param>
    /// <param name="classWeight">Weight per class; null for none.</param>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="ignoreIndex">Ignored label (its channel, if any, is skipped; not mapped then). Default 255.</param>
    /// <param name="alpha">Weight of false positives; α + β must be 1. Default 0.3.</param>
    /// <param name="beta">Weight of false negatives. Default 0.7.</param>
    /// <param name="gamma">Focal Tversky exponent, ≥ 1. Default 1.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss TverskyLoss(double smooth = 1, IReadOnlyList<double>? classWeight = null, double lossWeight = 1,
        int ignoreIndex = 255, double alpha = 0.3, double beta = 0.7, double gamma = 1)
    {
        if (Math.Abs(alpha + beta - 1) > 1e-12)
        {
            throw new ArgumentException($"alpha ({alpha}) + beta ({beta}) must be 1, as mmseg asserts.", nameof(beta));
        }

        if (!(gamma >= 1))
        {
            throw new ArgumentException($"gamma ({gamma}) must be ≥ 1, as mmseg asserts.", nameof(gamma));
        }

        double[]? w = classWeight?.ToArray();
        var preset = new PeerPreset(typeof(Mmseg), nameof(TverskyLoss), (nameof(smooth), smooth), (nameof(classWeight), classWeight),
            (nameof(lossWeight), lossWeight), (nameof(ignoreIndex), ignoreIndex), (nameof(alpha), alpha), (nameof(beta), beta),
            (nameof(gamma), gamma));
        var loss = new PeerLoss("mmseg.TverskyLoss", c => ignoreIndex >= 0 && ignoreIndex < c
            ? throw new NotSupportedException($"ignore_index={ignoreIndex} names one of the {c} channels; mmseg then skips that channel but still divides by C, which is not mapped.")
            : new Losses.TverskyLoss(new TverskyLossOptions
            {
                Activation = Activation.Softmax,
                Alpha = alpha,
                Beta = beta,
                Gamma = gamma,
                GammaForm = FocalTverskyForm.PerRegionInverseGamma,
                SmoothNumerator = smooth,
                SmoothDenominator = smooth,
                Epsilon = 0,
                PerImage = true,
                EmptyTarget = EmptyTargetPolicy.Compute,
                ClassWeights = w,
                WeightNormalization = ClassWeightNormalization.Count,
            }), preset);
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex), lossWeight);
    }

    /// <summary>mmseg 1.x <c>LovaszLoss</c>: Lovász-Softmax on softmax probabilities ("multi_class") or the Lovász hinge on logits ("binary").</summary>
    /// <param name="lossType">"multi_class" (default) or "binary".</param>
    /// <param name="classes">"present" (default) or "all" classes; <paramref name="classIndices"/> is mmseg's list form.</param>
    /// <param name="perImage">One problem per image, averaged. mmseg requires <paramref name="reduction"/> "none" when this is false.</param>
    /// <param name="reduction">"mean" (default) or "none" (the value is a scalar either way once per_image is false).</param>
    /// <param name="classWeight">Weight per class multiplying each class term (multi_class); null for none.</param>
    /// <param name="lossWeight">Multiplies the loss. Default 1.</param>
    /// <param name="ignoreIndex">Ignored label. Default 255.</param>
    /// <param name="classIndices">mmseg's <c>classes</c> given as a list of class indices; null to use <paramref name="classes"/>.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss LovaszLoss(string lossType = "multi_class", string classes = "present", bool perImage = false,
        string reduction = "mean", IReadOnlyList<double>? classWeight = null, double lossWeight = 1, int ignoreIndex = 255,
        IReadOnlyList<int>? classIndices = null)
    {
        if (!perImage && reduction != "none")
        {
            throw new ArgumentException("mmseg's LovaszLoss requires reduction='none' when per_image=False.", nameof(reduction));
        }

        if (reduction is not ("mean" or "none"))
        {
            throw new NotSupportedException($"reduction '{reduction}' is not mapped; use \"mean\" (per image) or \"none\".");
        }

        ISegmentationLoss loss = lossType switch
        {
            "binary" => classWeight is null
                ? new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = perImage })
                : throw new NotSupportedException("class_weight with loss_type='binary' is not mapped."),
            "multi_class" => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions
            {
                Activation = Activation.Softmax,
                ClassSelection = classIndices is not null ? LovaszClassSelection.All : classes switch
                {
                    "present" => LovaszClassSelection.Present,
                    "all" => LovaszClassSelection.All,
                    _ => throw new ArgumentException($"classes '{classes}' is not \"present\" or \"all\"; give a list as classIndices.", nameof(classes)),
                },
                ClassIndices = classIndices?.ToArray(),
                PerImage = perImage,
                ClassWeights = classWeight?.ToArray(),
            }),
            _ => throw new ArgumentException($"loss_type '{lossType}' is not one of mmseg's \"multi_class\", \"binary\".", nameof(lossType)),
        };
        return MmsegScaled(new IgnoreIndexLoss(loss, ignoreIndex), lossWeight);
    }

    private static void MmsegMeanOnly(string reduction)
    {
        if (reduction != "mean")
        {
            throw new NotSupportedException($"reduction '{reduction}' is not mapped; use \"mean\".");
        }
    }

    private static ISegmentationLoss MmsegScaled(ISegmentationLoss loss, double lossWeight)
        => lossWeight == 1 ? loss : new CombinedLoss((loss, lossWeight));
}
