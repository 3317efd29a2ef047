using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce segmentation_models.pytorch's losses (smp 0.5, <c>segmentation_models_pytorch/losses</c>)
/// with smp's parameter names and defaults in C# camelCase.
/// </summary>
/// <remarks>
/// <para>smp's <c>mode</c> says how the target is given: "binary" — scores <c>[N,1,H,W]</c>, target a 0/1 mask (label
/// map or dense); "multiclass" — scores <c>[N,C,H,W]</c>, target a label map <c>[N,H,W]</c>; "multilabel" — scores and
/// a dense 0/1 target <c>[N,C,H,W]</c>.</para>
/// <para><c>ignore_index</c> marks target values: a label map gets it as its ignore index, and dense target elements
/// equal to it become NaN (ignored).</para>
/// </remarks>
public static partial class Smp
{
    /// <summary>smp 0.5 <c>DiceLoss</c>: per channel (batch pooled) <c>1 − (2I + 2s)/max(Σp + Σt + 2s, 2ε)</c> with the soft-label intersection I; empty channels give 0.</summary>
    /// <param name="mode">"binary", "multiclass" or "multilabel".</param>
    /// <param name="classes">Channels that enter the mean; null for all. Not in binary mode.</param>
    /// <param name="logLoss">−log(score) instead of 1 − score.</param>
    /// <param name="fromLogits">Apply softmax (multiclass) or sigmoid (binary, multilabel) first. Default true.</param>
    /// <param name="smooth">Smoothing s. Default 0.</param>
    /// <param name="ignoreIndex">Target value to ignore; null for none.</param>
    /// <param name="eps">Smallest denominator ε. Default 1e-7.</param>
    /// <param name="classWeights">Weight per channel for Σw·l/Σw; null for the plain mean. Not in binary mode.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss DiceLoss(string mode, IReadOnlyList<int>? classes = null, bool logLoss = false, bool fromLogits = true,
        double smooth = 0, int? ignoreIndex = null, double eps = 1e-7, IReadOnlyList<double>? classWeights = null)
    {
        // smp writes (2I + 2s)/(Σp + Σt + 2s); our Dice's smoothing is in that (×2) scale, its clamp too.
        var options = new DiceLossOptions { SmoothNumerator = 2 * smooth, SmoothDenominator = 2 * smooth, Epsilon = 2 * eps };
        SmpLossMapping.Configure(options, SmpLossMapping.Mode(mode), classes, logLoss, fromLogits, classWeights);
        return IgnoreIndexLoss.Wrap(new Losses.DiceLoss(options), ignoreIndex);
    }

    /// <summary>smp 0.5 <c>JaccardLoss</c>: per channel <c>1 − (I + s)/max(Σp + Σt − I + s, ε)</c>; the parameters are those of <see cref="DiceLoss"/>.</summary>
    /// <param name="mode">"binary", "multiclass" or "multilabel".</param>
    /// <param name="classes">Channels that enter the mean; null for all.</param>
    /// <param name="logLoss">−log(score) instead of 1 − score.</param>
    /// <param name="fromLogits">Apply softmax / sigmoid first. Default true.</param>
    /// <param name="smooth">Smoothing s. Default 0.</param>
    /// <param name="ignoreIndex">Target value to ignore; null for none.</param>
    /// <param name="eps">Smallest denominator ε. Default 1e-7.</param>
    /// <param name="classWeights">Weight per channel; null for the plain mean.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss JaccardLoss(string mode, IReadOnlyList<int>? classes = null, bool logLoss = false, bool fromLogits = true,
        double smooth = 0, int? ignoreIndex = null, double eps = 1e-7, IReadOnlyList<double>? classWeights = null)
    {
        var options = new JaccardLossOptions { SmoothNumerator = smooth, SmoothDenominator = smooth, Epsilon = eps };
        SmpLossMapping.Configure(options, SmpLossMapping.Mode(mode), classes, logLoss, fromLogits, classWeights);
        return IgnoreIndexLoss.Wrap(new Losses.JaccardLoss(options), ignoreIndex);
    }

    /// <summary>smp 0.5 <c>TverskyLoss</c>: per channel <c>(I + s)/max(I + α·FP + β·FN + s, ε)</c>, mean over channels, then the mean loss to the power γ (focal Tversky).</summary>
    /// <param name="mode">"binary", "multiclass" or "multilabel".</param>
    /// <param name="classes">Channels that enter the mean; null for all.</param>
    /// <param name="logLoss">−log(score) instead of 1 − score.</param>
    /// <param name="fromLogits">Apply softmax / sigmoid first. Default true.</param>
    /// <param name="smooth">Smoothing s. Default 0.</param>
    /// <param name="ignoreIndex">Target value to ignore; null for none.</param>
    /// <param name="eps">Smallest denominator ε. Default 1e-7.</param>
    /// <param name="alpha">Weight of false positives. Default 0.5.</param>
    /// <param name="beta">Weight of false negatives. Default 0.5.</param>
    /// <param name="gamma">Exponent of the mean loss. Default 1.</param>
    /// <param name="classWeights">Weight per channel; null for the plain mean.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss TverskyLoss(string mode, IReadOnlyList<int>? classes = null, bool logLoss = false, bool fromLogits = true,
        double smooth = 0, int? ignoreIndex = null, double eps = 1e-7, double alpha = 0.5, double beta = 0.5, double gamma = 1,
        IReadOnlyList<double>? classWeights = null)
    {
        var options = new TverskyLossOptions
        {
            SmoothNumerator = smooth, SmoothDenominator = smooth, Epsilon = eps,
            Alpha = alpha, Beta = beta, Gamma = gamma, GammaForm = FocalTverskyForm.PowerOfMean,
        };
        SmpLossMapping.Configure(options, SmpLossMapping.Mode(mode), classes, logLoss, fromLogits, classWeights);
        return IgnoreIndexLoss.Wrap(new Losses.TverskyLoss(options), ignoreIndex);
    }

    /// <summary>
    /// smp 0.5 <c>FocalLoss</c> (sigmoid focal on logits): binary — every pixel one problem; multiclass — channel c against
    /// (label == c); multilabel — per channel; per-class means averaged over classes (Σw·l/Σw with class weights).
    /// </summary>
    /// <param name="mode">"binary", "multiclass" or "multilabel".</param>
    /// <param name="alpha">α-balancing αt + (1 − α)(1 − t); null for none. Default null.</param>
    /// <param name="gamma">Focal exponent γ. Default 2.</param>
    /// <param name="ignoreIndex">Target value to ignore; null for none. Not mapped for multilabel (smp then averages per-channel means over different pixel counts).</param>
    /// <param name="fromLogits">Must be true: smp's probability path (clamp and logit) is not mapped.</param>
    /// <param name="eps">smp's clamp for <c>from_logits=False</c>; unused with logits. Default 1e-7.</param>
    /// <param name="reduction">"mean" only.</param>
    /// <param name="normalized">Divide by Σ focal factors (smp <c>normalized</c>); binary mode only (smp normalises each class apart).</param>
    /// <param name="reducedThreshold">Reduced focal loss threshold; null for the plain focal factor.</param>
    /// <param name="classWeights">Weight per class for the mean over classes; null for equal weights. Not in binary mode.</param>
    /// <returns>The loss; for several classes a <see cref="PeerLoss"/>.</returns>
    public static ISegmentationLoss FocalLoss(string mode, double? alpha = null, double gamma = 2, int? ignoreIndex = null, bool fromLogits = true,
        double eps = 1e-7, string reduction = "mean", bool normalized = false, double? reducedThreshold = null, IReadOnlyList<double>? classWeights = null)
    {
        SmpLossMapping.Mode(mode);
        _ = eps;
        if (!fromLogits)
        {
            throw new NotSupportedException("from_logits=False (smp clamps probabilities and takes their logit) is not mapped; pass logits.");
        }

        if (reduction != "mean")
        {
            throw new NotSupportedException($"reduction '{reduction}' is not mapped for smp's FocalLoss; use \"mean\".");
        }

        if (mode != SmpLossMapping.Binary && normalized)
        {
            throw new NotSupportedException($"normalized=True with mode '{mode}' is not mapped (smp normalises each class apart); use mode \"binary\" or normalized=False.");
        }

        if (mode == SmpLossMapping.Multilabel && ignoreIndex is not null)
        {
            throw new NotSupportedException($"ignore_index={ignoreIndex} with mode 'multilabel' is not mapped (smp averages per-channel means over different pixel counts).");
        }

        if (mode == SmpLossMapping.Binary && classWeights is not null)
        {
            throw new ArgumentException("class_weights are not allowed in smp's binary mode (one channel).", nameof(classWeights));
        }

        double[]? w = classWeights?.ToArray();
        var focal = new Losses.FocalLoss(new FocalLossOptions
        {
            Activation = Activation.Sigmoid,
            Gamma = gamma,
            Alpha = alpha,
            ClassWeights = w,
            Normalized = normalized,
            ReducedThreshold = reducedThreshold,
            Averaging = PointwiseAveraging.Valid,
        });
        if (w is null)
        {
            // Equal pixel counts per class: the mean of per-class means is the mean over every valid element.
            return IgnoreIndexLoss.Wrap(focal, ignoreIndex);
        }

        // Our weighted mean is Σ_c w_c·l_c / C; smp's is Σ_c w_c·l_c / Σ_c w_c.
        double sum = w.Sum();
        var preset = new PeerPreset(typeof(Smp), nameof(FocalLoss), (nameof(mode), mode), (nameof(alpha), alpha), (nameof(gamma), gamma),
            (nameof(ignoreIndex), ignoreIndex), (nameof(fromLogits), fromLogits), (nameof(eps), eps), (nameof(reduction), reduction),
            (nameof(normalized), normalized), (nameof(reducedThreshold), reducedThreshold), (nameof(classWeights), classWeights));
        return new PeerLoss("smp.FocalLoss", c => c != w.Length
            ? throw new ArgumentException($"class_weights has {w.Length} entries for C = {c} channels; give one per channel.", nameof(classWeights))
            : IgnoreIndexLoss.Wrap(new CombinedLoss((focal, c / sum)), ignoreIndex), preset);
    }

    /// <summary>smp 0.5 <c>LovaszLoss</c>: Lovász hinge for binary and multilabel (all channels of an image one problem), Lovász-Softmax over present classes for multiclass.</summary>
    /// <param name="mode">"binary", "multiclass" or "multilabel".</param>
    /// <param name="perImage">One problem per image, averaged; default false (the whole batch).</param>
    /// <param name="ignoreIndex">Target value to ignore; null for none.</param>
    /// <param name="fromLogits">Accepted and unused, as in smp (multiclass always applies a softmax).</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss LovaszLoss(string mode, bool perImage = false, int? ignoreIndex = null, bool fromLogits = true)
    {
        _ = fromLogits; // smp 0.5 ignores it too
        ISegmentationLoss loss = SmpLossMapping.Mode(mode) == SmpLossMapping.Multiclass
            ? new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.Softmax, ClassSelection = LovaszClassSelection.Present, PerImage = perImage })
            : new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = perImage });
        return IgnoreIndexLoss.Wrap(loss, ignoreIndex);
    }

    /// <summary>smp 0.5 <c>MCCLoss</c>: <c>1 − MCC</c> of soft counts over the whole batch, each count + eps; the input is probabilities (no activation).</summary>
    /// <param name="eps">Added to each of tp, tn, fp, fn. Default 1e-5.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss MCCLoss(double eps = 1e-5)
        => new MatthewsCorrelationLoss(new MatthewsCorrelationLossOptions { Activation = Activation.None, Epsilon = eps });

    /// <summary>smp 0.5 <c>SoftBCEWithLogitsLoss</c>: BCE on logits with targets (1 − y)ε + y(1 − ε); ignored elements count 0 but stay in the mean's denominator.</summary>
    /// <param name="weight">Weight per channel multiplying every element's loss; null for none.</param>
    /// <param name="ignoreIndex">Target value to ignore. Default −100.</param>
    /// <param name="reduction">"mean" (default) or "sum".</param>
    /// <param name="smoothFactor">Label smoothing ε; null for none.</param>
    /// <param name="posWeight">Weight of positive targets per channel; null for none.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss SoftBCEWithLogitsLoss(IReadOnlyList<double>? weight = null, int? ignoreIndex = -100, string reduction = "mean",
        double? smoothFactor = null, IReadOnlyList<double>? posWeight = null)
    {
        var loss = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions
        {
            ClassWeights = weight?.ToArray(),
            PositiveWeights = posWeight?.ToArray(),
            LabelSmoothing = smoothFactor ?? 0,
            Averaging = SmpAveraging(reduction),
        });
        return IgnoreIndexLoss.Wrap(loss, ignoreIndex);
    }

    /// <summary>smp 0.5 <c>SoftCrossEntropyLoss</c>: <c>(1 − ε)·mean(nll) + ε/C·mean(−Σ_c log p_c)</c> on logits and a label map; ignored pixels count 0 but stay in the mean's denominator.</summary>
    /// <param name="reduction">"mean" (default) or "sum".</param>
    /// <param name="smoothFactor">Label smoothing ε; smp raises a TypeError for its default None, so it must be set (0 for none).</param>
    /// <param name="ignoreIndex">Label to ignore. Default −100.</param>
    /// <param name="dim">The class axis; only 1 (NCHW) is mapped.</param>
    /// <returns>The loss.</returns>
    public static ISegmentationLoss SoftCrossEntropyLoss(string reduction = "mean", double? smoothFactor = null, int ignoreIndex = -100, int dim = 1)
    {
        if (smoothFactor is not double epsilon)
        {
            throw new ArgumentException("smooth_factor=None makes smp's SoftCrossEntropyLoss raise a TypeError; set smoothFactor (0 for no smoothing).", nameof(smoothFactor));
        }

        if (dim != 1)
        {
            throw new NotSupportedException($"dim={dim} is not mapped; SegML scores are NCHW with classes on axis 1.");
        }

        var loss = new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = epsilon, Averaging = SmpAveraging(reduction) });
        return new IgnoreIndexLoss(loss, ignoreIndex);
    }

    private static PointwiseAveraging SmpAveraging(string reduction) => reduction switch
    {
        "mean" => PointwiseAveraging.All, // smp zeroes ignored elements but keeps them in the denominator
        "sum" => PointwiseAveraging.Sum,
        _ => throw new NotSupportedException($"reduction '{reduction}' is not mapped; use \"mean\" or \"sum\"."),
    };
}
