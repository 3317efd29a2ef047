using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce MONAI's losses (MONAI 1.5.0, <c>monai/losses</c>) with MONAI's own parameter names and
/// defaults, in C# camelCase. Each returns a <see cref="PeerLoss"/>, which builds the SegML loss for the input's channel
/// count C on first use, because MONAI's behaviour depends on C.
/// </summary>
/// <remarks>
/// <para>What MONAI decides from the target tensor is decided here by the <see cref="SegmentationTarget{T}"/>:
/// <c>to_onehot_y=True</c> with a <c>[B,1,…]</c> class-index target is a label map
/// (<see cref="SegmentationTarget{T}.FromLabels"/>); <c>to_onehot_y=False</c> with a one-hot or soft <c>[B,C,…]</c>
/// target is a dense target (<see cref="SegmentationTarget{T}.FromDense"/>). With one channel MONAI ignores
/// <c>to_onehot_y</c>; a label map of 0 and 1 then equals the binary mask.</para>
/// <para><c>other_act</c> (a Python callable) has no preset parameter: apply the activation to the scores yourself and
/// leave <c>sigmoid</c> and <c>softmax</c> false. MONAI losses have no <c>ignore_index</c>; a label map's ignore index or
/// NaN in a dense target leaves pixels out of every sum, which MONAI cannot express.</para>
/// </remarks>
public static partial class Monai
{
    /// <summary>MONAI 1.5 <c>DiceLoss</c>: per (image, class) <c>1 − (2tp + smooth_nr)/(2tp + fp + fn + smooth_dr)</c>, then the mean or sum of the terms.</summary>
    /// <param name="includeBackground">If false, channel 0 (background) is left out (ignored when C = 1, as MONAI warns).</param>
    /// <param name="sigmoid">Apply a sigmoid to the input.</param>
    /// <param name="softmax">Apply a softmax over channels (skipped when C = 1, as MONAI warns).</param>
    /// <param name="squaredPred">Square predictions and targets in the denominator (MONAI's L2 form of <c>compute_tp_fp_fn</c>).</param>
    /// <param name="jaccard">The soft Jaccard (IoU) loss <c>1 − (2tp + nr)/(2(tp + fp + fn) + dr)</c> instead of Dice.</param>
    /// <param name="reduction">"mean" (default) or "sum" over the (image, class) terms. MONAI's "none" is <see cref="RegionLoss.ComputeTerms{T}"/> on <see cref="PeerLoss.ForChannels"/> of a "mean" preset.</param>
    /// <param name="smoothNr">Added to the numerator. Default 1e-5.</param>
    /// <param name="smoothDr">Added to the denominator. Default 1e-5.</param>
    /// <param name="batch">Pool the sums over the batch before dividing (one term per class). Default false: one term per image and class.</param>
    /// <param name="weight">Weight per kept class (without class 0 when <paramref name="includeBackground"/> is false), or one value for all; each term is multiplied by its class's weight before the mean. Ignored when C = 1, as in MONAI. Default none.</param>
    /// <param name="softLabel">Use the soft-label form tp = (Σp + Σt − Σ|p − t|)/2, so identical soft input and target give 0 (no effect with <paramref name="squaredPred"/>, whose L2 form is exact already).</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="Losses.DiceLoss"/> or <see cref="JaccardLoss"/>.</returns>
    public static PeerLoss DiceLoss(bool includeBackground = true, bool sigmoid = false, bool softmax = false, bool squaredPred = false,
        bool jaccard = false, string reduction = "mean", double smoothNr = 1e-5, double smoothDr = 1e-5, bool batch = false,
        IReadOnlyList<double>? weight = null, bool softLabel = false)
    {
        MonaiLossMapping.Activation(sigmoid, softmax, 2);
        MonaiLossMapping.Reduction(reduction);
        double[]? w = weight?.ToArray();
        var preset = new PeerPreset(typeof(Monai), nameof(DiceLoss), (nameof(includeBackground), includeBackground), (nameof(sigmoid), sigmoid),
            (nameof(softmax), softmax), (nameof(squaredPred), squaredPred), (nameof(jaccard), jaccard), (nameof(reduction), reduction),
            (nameof(smoothNr), smoothNr), (nameof(smoothDr), smoothDr), (nameof(batch), batch), (nameof(weight), weight),
            (nameof(softLabel), softLabel));
        return new PeerLoss("monai.DiceLoss", c => MonaiLossMapping.Dice(
            c, includeBackground, sigmoid, softmax, squaredPred, jaccard, reduction, smoothNr, smoothDr, batch, w, softLabel, "DiceLoss"), preset);
    }

    /// <summary>
    /// MONAI 1.5 <c>DiceCELoss</c>: <c>lambda_dice·DiceLoss + lambda_ce·CE</c>. CE is <c>torch.nn.CrossEntropyLoss(weight,
    /// label_smoothing)</c> on the raw logits when C &gt; 1 — also when <paramref name="sigmoid"/> is true, since MONAI 1.5
    /// chooses by channel count only — and <c>BCEWithLogitsLoss(pos_weight=weight)</c> when C = 1.
    /// </summary>
    /// <param name="includeBackground">Dice only: if false, channel 0 is left out of the Dice term (CE always sees every channel).</param>
    /// <param name="sigmoid">Dice only: apply a sigmoid before the Dice term.</param>
    /// <param name="softmax">Dice only: apply a softmax before the Dice term (skipped when C = 1).</param>
    /// <param name="squaredPred">Dice only: squared denominator.</param>
    /// <param name="jaccard">Dice only: Jaccard instead of Dice.</param>
    /// <param name="reduction">"mean" (default) or "sum", for both terms (CE "sum" adds every pixel's loss).</param>
    /// <param name="smoothNr">Dice numerator smoothing. Default 1e-5.</param>
    /// <param name="smoothDr">Dice denominator smoothing. Default 1e-5.</param>
    /// <param name="batch">Dice only: pool over the batch.</param>
    /// <param name="weight">One weight per channel (length C): CE class weights (the weighted mean divides by Σ weight of the label-map targets, by the pixel count for dense targets, as PyTorch), or BCE <c>pos_weight</c> when C = 1; the Dice term gets <c>weight[1:]</c> without the background, and ignores it when C = 1.</param>
    /// <param name="lambdaDice">Weight of the Dice term, ≥ 0. Default 1.</param>
    /// <param name="lambdaCe">Weight of the CE term, ≥ 0. Default 1.</param>
    /// <param name="labelSmoothing">CE label smoothing in [0, 1] (targets become (1 − ε)t + ε/C). MONAI's BCE path (C = 1) has none and drops it. Default 0.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="CombinedLoss"/>.</returns>
    public static PeerLoss DiceCELoss(bool includeBackground = true, bool sigmoid = false, bool softmax = false, bool squaredPred = false,
        bool jaccard = false, string reduction = "mean", double smoothNr = 1e-5, double smoothDr = 1e-5, bool batch = false,
        IReadOnlyList<double>? weight = null, double lambdaDice = 1, double lambdaCe = 1, double labelSmoothing = 0)
    {
        MonaiLossMapping.Activation(sigmoid, softmax, 2);
        MonaiLossMapping.Reduction(reduction);
        ThrowIfNegativeLambda(lambdaDice, nameof(lambdaDice));
        ThrowIfNegativeLambda(lambdaCe, nameof(lambdaCe));
        double[]? w = weight?.ToArray();
        var preset = new PeerPreset(typeof(Monai), nameof(DiceCELoss), (nameof(includeBackground), includeBackground), (nameof(sigmoid), sigmoid),
            (nameof(softmax), softmax), (nameof(squaredPred), squaredPred), (nameof(jaccard), jaccard), (nameof(reduction), reduction),
            (nameof(smoothNr), smoothNr), (nameof(smoothDr), smoothDr), (nameof(batch), batch), (nameof(weight), weight),
            (nameof(lambdaDice), lambdaDice), (nameof(lambdaCe), lambdaCe), (nameof(labelSmoothing), labelSmoothing));
        return new PeerLoss("monai.DiceCELoss", c =>
        {
            if (w is not null && w.Length != c)
            {
                throw new System.ArgumentException($"DiceCELoss: weight has {w.Length} entries for C = {c} channels; torch's CrossEntropyLoss / BCEWithLogitsLoss needs one per channel.", nameof(weight));
            }

            // MONAI slices weight[1:] for the Dice term without the background; with one channel Dice ignores it anyway.
            double[]? diceWeight = w is null || c == 1 ? null : includeBackground ? w : w[1..];
            OverlapLoss dice = MonaiLossMapping.Dice(c, includeBackground, sigmoid, softmax, squaredPred, jaccard, reduction, smoothNr, smoothDr, batch, diceWeight, false, "DiceCELoss");
            PointwiseAveraging averaging = reduction == "sum" ? PointwiseAveraging.Sum : PointwiseAveraging.TargetWeight;
            ISegmentationLoss ce = c == 1
                ? new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = w, Averaging = reduction == "sum" ? PointwiseAveraging.Sum : PointwiseAveraging.Valid })
                : new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = w, LabelSmoothing = labelSmoothing, Averaging = averaging });
            return new CombinedLoss((dice, lambdaDice), (ce, lambdaCe));
        }, preset);
    }

    /// <summary>
    /// MONAI 1.5 <c>DiceFocalLoss</c>: <c>lambda_dice·DiceLoss + lambda_focal·FocalLoss</c>. The focal term is MONAI's
    /// sigmoid <c>FocalLoss</c> on the raw logits (whatever <paramref name="sigmoid"/> / <paramref name="softmax"/> say, which
    /// only activate the Dice input), with the same <paramref name="includeBackground"/>, <paramref name="weight"/> and <paramref name="alpha"/>.
    /// </summary>
    /// <param name="includeBackground">If false, channel 0 is dropped from both terms (before the focal loss's sigmoid).</param>
    /// <param name="sigmoid">Dice only: apply a sigmoid.</param>
    /// <param name="softmax">Dice only: apply a softmax (skipped when C = 1).</param>
    /// <param name="squaredPred">Dice only: squared denominator.</param>
    /// <param name="jaccard">Dice only: Jaccard instead of Dice.</param>
    /// <param name="reduction">"mean" only (MONAI's focal "sum" adds per-(image, class) spatial means, which is not mapped).</param>
    /// <param name="smoothNr">Dice numerator smoothing. Default 1e-5.</param>
    /// <param name="smoothDr">Dice denominator smoothing. Default 1e-5.</param>
    /// <param name="batch">Dice only: pool over the batch.</param>
    /// <param name="gamma">Focal exponent γ. Default 2.</param>
    /// <param name="weight">Weight per kept class (MONAI passes the same, unsliced, to both terms: length C, or C − 1 without the background), or one value for all; ignored when C = 1.</param>
    /// <param name="lambdaDice">Weight of the Dice term, ≥ 0. Default 1.</param>
    /// <param name="lambdaFocal">Weight of the focal term, ≥ 0. Default 1.</param>
    /// <param name="alpha">Focal α-balancing in [0, 1]: αt + (1 − α)(1 − t). Default none.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="CombinedLoss"/>.</returns>
    public static PeerLoss DiceFocalLoss(bool includeBackground = true, bool sigmoid = false, bool softmax = false, bool squaredPred = false,
        bool jaccard = false, string reduction = "mean", double smoothNr = 1e-5, double smoothDr = 1e-5, bool batch = false,
        double gamma = 2, IReadOnlyList<double>? weight = null, double lambdaDice = 1, double lambdaFocal = 1, double? alpha = null)
    {
        MonaiLossMapping.Activation(sigmoid, softmax, 2);
        MonaiLossMapping.Reduction(reduction);
        ThrowIfNegativeLambda(lambdaDice, nameof(lambdaDice));
        ThrowIfNegativeLambda(lambdaFocal, nameof(lambdaFocal));
        if (reduction != "mean")
        {
            throw new System.NotSupportedException($"DiceFocalLoss reduction '{reduction}' is not mapped (MONAI's focal \"sum\" adds per-(image, class) spatial means); use \"mean\".");
        }

        double[]? w = weight?.ToArray();
        var preset = new PeerPreset(typeof(Monai), nameof(DiceFocalLoss), (nameof(includeBackground), includeBackground), (nameof(sigmoid), sigmoid),
            (nameof(softmax), softmax), (nameof(squaredPred), squaredPred), (nameof(jaccard), jaccard), (nameof(reduction), reduction),
            (nameof(smoothNr), smoothNr), (nameof(smoothDr), smoothDr), (nameof(batch), batch), (nameof(gamma), gamma), (nameof(weight), weight),
            (nameof(lambdaDice), lambdaDice), (nameof(lambdaFocal), lambdaFocal), (nameof(alpha), alpha));
        return new PeerLoss("monai.DiceFocalLoss", c => new CombinedLoss(
            (MonaiLossMapping.Dice(c, includeBackground, sigmoid, softmax, squaredPred, jaccard, reduction, smoothNr, smoothDr, batch, w, false, "DiceFocalLoss"), lambdaDice),
            (MonaiLossMapping.Focal(c, includeBackground, gamma, alpha, w, reduction, useSoftmax: false, "DiceFocalLoss"), lambdaFocal)), preset);
    }

    /// <summary>MONAI 1.5 <c>GeneralizedDiceLoss</c> (Sudre et al.): <c>1 − (2Σ_c w_c·tp_c + nr)/(Σ_c w_c(Σp_c + Σt_c) + dr)</c> with weights from the target volume.</summary>
    /// <param name="includeBackground">If false, channel 0 is left out (ignored when C = 1).</param>
    /// <param name="sigmoid">Apply a sigmoid.</param>
    /// <param name="softmax">Apply a softmax (skipped when C = 1).</param>
    /// <param name="wType">"square" (1/V², default), "simple" (1/V) or "uniform" (1); an empty class gets the largest finite weight.</param>
    /// <param name="reduction">"mean" (default) or "sum" over the terms (one per image, or one with <paramref name="batch"/>).</param>
    /// <param name="smoothNr">Numerator smoothing. Default 1e-5.</param>
    /// <param name="smoothDr">Denominator smoothing. Default 1e-5.</param>
    /// <param name="batch">Pool over the batch (weights from the pooled volumes).</param>
    /// <param name="softLabel">Soft-label tp = (Σp + Σt − Σ|p − t|)/2 (MONAI's <c>compute_tp_fp_fn</c>), so identical soft input and target give 0.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="Losses.GeneralizedDiceLoss"/>.</returns>
    public static PeerLoss GeneralizedDiceLoss(bool includeBackground = true, bool sigmoid = false, bool softmax = false, string wType = "square",
        string reduction = "mean", double smoothNr = 1e-5, double smoothDr = 1e-5, bool batch = false, bool softLabel = false)
    {
        MonaiLossMapping.Activation(sigmoid, softmax, 2);
        LossReduction r = MonaiLossMapping.Reduction(reduction);
        GeneralizedDiceWeighting weighting = wType switch
        {
            "square" => GeneralizedDiceWeighting.Square,
            "simple" => GeneralizedDiceWeighting.Simple,
            "uniform" => GeneralizedDiceWeighting.Uniform,
            _ => throw new System.ArgumentException($"w_type '{wType}' is not one of MONAI's \"square\", \"simple\", \"uniform\".", nameof(wType)),
        };
        var preset = new PeerPreset(typeof(Monai), nameof(GeneralizedDiceLoss), (nameof(includeBackground), includeBackground),
            (nameof(sigmoid), sigmoid), (nameof(softmax), softmax), (nameof(wType), wType), (nameof(reduction), reduction),
            (nameof(smoothNr), smoothNr), (nameof(smoothDr), smoothDr), (nameof(batch), batch), (nameof(softLabel), softLabel));
        return new PeerLoss("monai.GeneralizedDiceLoss", c => new Losses.GeneralizedDiceLoss(new GeneralizedDiceLossOptions
        {
            Activation = MonaiLossMapping.Activation(sigmoid, softmax, c),
            Weighting = weighting,
            SmoothNumerator = smoothNr,
            SmoothDenominator = smoothDr,
            PerImage = !batch,
            IncludeBackground = includeBackground,
            Reduction = r,
            SoftLabels = softLabel,
        }), preset);
    }

    /// <summary>MONAI 1.5 <c>TverskyLoss</c>: per (image, class) <c>1 − (tp + nr)/(tp + α·fp + β·fn + dr)</c>.</summary>
    /// <param name="includeBackground">If false, channel 0 is left out (ignored when C = 1).</param>
    /// <param name="sigmoid">Apply a sigmoid.</param>
    /// <param name="softmax">Apply a softmax (skipped when C = 1).</param>
    /// <param name="alpha">Weight of false positives. Default 0.5.</param>
    /// <param name="beta">Weight of false negatives. Default 0.5.</param>
    /// <param name="reduction">"mean" (default) or "sum" over the terms.</param>
    /// <param name="smoothNr">Numerator smoothing. Default 1e-5.</param>
    /// <param name="smoothDr">Denominator smoothing. Default 1e-5.</param>
    /// <param name="batch">Pool over the batch.</param>
    /// <param name="softLabel">Soft-label tp = (Σp + Σt − Σ|p − t|)/2, fp = Σp − tp, fn = Σt − tp.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="Losses.TverskyLoss"/>.</returns>
    public static PeerLoss TverskyLoss(bool includeBackground = true, bool sigmoid = false, bool softmax = false, double alpha = 0.5, double beta = 0.5,
        string reduction = "mean", double smoothNr = 1e-5, double smoothDr = 1e-5, bool batch = false, bool softLabel = false)
    {
        MonaiLossMapping.Activation(sigmoid, softmax, 2);
        MonaiLossMapping.Reduction(reduction);
        var preset = new PeerPreset(typeof(Monai), nameof(TverskyLoss), (nameof(includeBackground), includeBackground), (nameof(sigmoid), sigmoid),
            (nameof(softmax), softmax), (nameof(alpha), alpha), (nameof(beta), beta), (nameof(reduction), reduction), (nameof(smoothNr), smoothNr),
            (nameof(smoothDr), smoothDr), (nameof(batch), batch), (nameof(softLabel), softLabel));
        return new PeerLoss("monai.TverskyLoss", c =>
        {
            var options = new TverskyLossOptions { Alpha = alpha, Beta = beta, SmoothNumerator = smoothNr, SmoothDenominator = smoothDr };
            MonaiLossMapping.Configure(options, c, includeBackground, sigmoid, softmax, squaredPred: false, reduction, batch, softLabel);
            return new Losses.TverskyLoss(options);
        }, preset);
    }

    /// <summary>MONAI 1.5 <c>FocalLoss</c> on logits: sigmoid focal per element (default) or softmax focal, averaged over every element kept.</summary>
    /// <param name="includeBackground">If false, channel 0 of input and target is dropped before the activation (ignored when C = 1).</param>
    /// <param name="gamma">Focal exponent γ. Default 2.</param>
    /// <param name="alpha">α-balancing in [0, 1]: sigmoid αt + (1 − α)(1 − t); softmax 1 − α for class 0 and α for the others (dropped without the background, as MONAI warns). Default none.</param>
    /// <param name="weight">Weight per kept class, or one value for all; multiplies each element's loss; ignored when C = 1.</param>
    /// <param name="reduction">"mean" only ("sum" adds per-(image, class) spatial means in MONAI and is not mapped; "none" is <see cref="Losses.FocalLoss.ComputeTerms{T}"/>).</param>
    /// <param name="useSoftmax">Softmax focal instead of sigmoid focal.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="Losses.FocalLoss"/> (wrapped to drop the background when asked).</returns>
    public static PeerLoss FocalLoss(bool includeBackground = true, double gamma = 2, double? alpha = null, IReadOnlyList<double>? weight = null,
        string reduction = "mean", bool useSoftmax = false)
    {
        double[]? w = weight?.ToArray();
        MonaiLossMapping.Focal(1, includeBackground, gamma, alpha, null, reduction, useSoftmax, "FocalLoss"); // checks the settings now
        var preset = new PeerPreset(typeof(Monai), nameof(FocalLoss), (nameof(includeBackground), includeBackground), (nameof(gamma), gamma),
            (nameof(alpha), alpha), (nameof(weight), weight), (nameof(reduction), reduction), (nameof(useSoftmax), useSoftmax));
        return new PeerLoss("monai.FocalLoss", c => MonaiLossMapping.Focal(c, includeBackground, gamma, alpha, w, reduction, useSoftmax, "FocalLoss"), preset);
    }

    /// <summary>MONAI 1.5 <c>HausdorffDTLoss</c> (Karimi &amp; Salcudean): <c>mean((p − t)²·(d_p^α + d_t^α))</c> per (image, class), distance fields of the thresholded prediction and the target.</summary>
    /// <param name="alpha">Exponent of the distance fields. Default 2.</param>
    /// <param name="includeBackground">Keep channel 0. Default false (MONAI's default for this loss).</param>
    /// <param name="sigmoid">Apply a sigmoid.</param>
    /// <param name="softmax">Apply a softmax (skipped when C = 1).</param>
    /// <param name="reduction">"mean" (default) or "sum".</param>
    /// <param name="batch">Pool over the batch.</param>
    /// <param name="spatialShape">SegML layout, not a MONAI parameter: the volume's axes [D, H, W] when a 3-D input is passed as [B, C, D·H, W]; null for 2-D.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="HausdorffDistanceLoss"/>.</returns>
    public static PeerLoss HausdorffDTLoss(double alpha = 2, bool includeBackground = false, bool sigmoid = false, bool softmax = false,
        string reduction = "mean", bool batch = false, IReadOnlyList<int>? spatialShape = null)
        => HausdorffPreset("monai.HausdorffDTLoss", alpha, includeBackground, sigmoid, softmax, reduction, batch, spatialShape, log: false);

    /// <summary>MONAI 1.5 <c>LogHausdorffDTLoss</c>: <c>log(HausdorffDTLoss + 1)</c> per term; the parameters are those of <see cref="HausdorffDTLoss"/>.</summary>
    /// <param name="alpha">Exponent of the distance fields. Default 2.</param>
    /// <param name="includeBackground">Keep channel 0. Default false.</param>
    /// <param name="sigmoid">Apply a sigmoid.</param>
    /// <param name="softmax">Apply a softmax (skipped when C = 1).</param>
    /// <param name="reduction">"mean" (default) or "sum".</param>
    /// <param name="batch">Pool over the batch.</param>
    /// <param name="spatialShape">SegML layout: the volume's axes [D, H, W] for a 3-D input passed as [B, C, D·H, W].</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="HausdorffDistanceLoss"/>.</returns>
    public static PeerLoss LogHausdorffDTLoss(double alpha = 2, bool includeBackground = false, bool sigmoid = false, bool softmax = false,
        string reduction = "mean", bool batch = false, IReadOnlyList<int>? spatialShape = null)
        => HausdorffPreset("monai.LogHausdorffDTLoss", alpha, includeBackground, sigmoid, softmax, reduction, batch, spatialShape, log: true);

    private static PeerLoss HausdorffPreset(string name, double alpha, bool includeBackground, bool sigmoid, bool softmax, string reduction, bool batch,
        IReadOnlyList<int>? spatialShape, bool log)
    {
        MonaiLossMapping.Activation(sigmoid, softmax, 2);
        LossReduction r = MonaiLossMapping.Reduction(reduction);
        int[]? volume = spatialShape?.ToArray();
        var preset = new PeerPreset(typeof(Monai), log ? nameof(LogHausdorffDTLoss) : nameof(HausdorffDTLoss), (nameof(alpha), alpha),
            (nameof(includeBackground), includeBackground), (nameof(sigmoid), sigmoid), (nameof(softmax), softmax), (nameof(reduction), reduction),
            (nameof(batch), batch), (nameof(spatialShape), spatialShape));
        return new PeerLoss(name, c => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions
        {
            Activation = MonaiLossMapping.Activation(sigmoid, softmax, c),
            Alpha = alpha,
            IncludeBackground = includeBackground,
            PerImage = !batch,
            Reduction = r,
            SpatialShape = volume,
            LogLoss = log,
        }), preset);
    }

    private static void ThrowIfNegativeLambda(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new System.ArgumentException($"{name} ({value}) must be finite and no less than 0.0, as MONAI requires.", name);
        }
    }
}
