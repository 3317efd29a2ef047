using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>MONAI 1.5 conventions shared by the <see cref="Monai"/> loss presets.</summary>
internal static class MonaiLossMapping
{
    /// <summary>sigmoid, then softmax (skipped over one channel, as MONAI warns and skips); both at once is MONAI's error.</summary>
    public static Activation Activation(bool sigmoid, bool softmax, int channels)
    {
        if (sigmoid && softmax)
        {
            throw new ArgumentException("sigmoid=True and softmax=True are incompatible in MONAI; set one of them.", nameof(softmax));
        }

        return sigmoid ? Losses.Activation.Sigmoid : softmax && channels > 1 ? Losses.Activation.Softmax : Losses.Activation.None;
    }

    /// <summary>MONAI's "mean" / "sum" over the (image, class) terms; "none" is a per-term tensor (see <see cref="PeerLoss.ForChannels"/>).</summary>
    public static LossReduction Reduction(string reduction) => reduction switch
    {
        "mean" => LossReduction.Mean,
        "sum" => LossReduction.Sum,
        "none" => throw new NotSupportedException(
            "reduction 'none' returns a tensor in MONAI; build the preset with reduction \"mean\" and call ComputeTerms on ForChannels(C) for the per-(image, class) terms."),
        _ => throw new ArgumentException($"reduction '{reduction}' is not one of MONAI's \"mean\", \"sum\", \"none\".", nameof(reduction)),
    };

    /// <summary>
    /// MONAI's <c>weight</c> (one per kept class, or one value for all) as SegML class weights indexed by channel (length
    /// C, 0 for a dropped background); <see langword="null"/> when there is none or only one class is kept (MONAI then
    /// ignores it: it checks the kept channel count after dropping the background).
    /// </summary>
    public static double[]? ClassWeights(IReadOnlyList<double>? weight, int channels, bool includeBackground, string owner)
    {
        int first = includeBackground || channels == 1 ? 0 : 1;
        int kept = channels - first;
        if (weight is null || kept == 1)
        {
            return null; // MONAI applies the weight only when more than one class is kept
        }

        if (weight.Count != kept && weight.Count != 1)
        {
            throw new ArgumentException(
                $"{owner}: weight has {weight.Count} entries but the loss keeps {kept} of the {channels} channels; give one weight per kept class"
                + (includeBackground ? "." : " (without the background class 0, as include_background=False)."),
                nameof(weight));
        }

        if (weight.Any(w => !(w >= 0) || double.IsInfinity(w)))
        {
            throw new ArgumentException($"{owner}: every weight must be finite and ≥ 0 (MONAI requires no less than 0).", nameof(weight));
        }

        var perChannel = new double[channels];
        for (int k = first; k < channels; k++)
        {
            perChannel[k] = weight.Count == 1 ? weight[0] : weight[k - first];
        }

        return perChannel;
    }

    /// <summary>The Dice / Jaccard part of MONAI's <c>DiceLoss</c>, <c>DiceCELoss</c> and <c>DiceFocalLoss</c> for C channels.</summary>
    public static OverlapLoss Dice(int channels, bool includeBackground, bool sigmoid, bool softmax, bool squaredPred, bool jaccard,
        string reduction, double smoothNr, double smoothDr, bool batch, IReadOnlyList<double>? weight, bool softLabel, string owner)
    {
        // MONAI: f = 1 − (2tp + nr)/(2tp + fp + fn + dr) (Dice) or 1 − (2tp + nr)/(2(tp + fp + fn) + dr) (Jaccard); our
        // Jaccard is (tp + a)/(ΣP + ΣT − tp + b), so MONAI's smoothing enters it halved.
        OverlapLossOptions options = jaccard
            ? new JaccardLossOptions { SmoothNumerator = smoothNr / 2, SmoothDenominator = smoothDr / 2 }
            : new DiceLossOptions { SmoothNumerator = smoothNr, SmoothDenominator = smoothDr };
        Configure(options, channels, includeBackground, sigmoid, softmax, squaredPred, reduction, batch, softLabel);
        options.ClassWeights = ClassWeights(weight, channels, options.IncludeBackground, owner);
        return jaccard ? new JaccardLoss((JaccardLossOptions)options) : new Losses.DiceLoss((DiceLossOptions)options);
    }

    /// <summary>Settings every MONAI overlap loss shares: one term per (image, class), no clamp, empty targets as they are.</summary>
    public static void Configure(OverlapLossOptions options, int channels, bool includeBackground, bool sigmoid, bool softmax,
        bool squaredPred, string reduction, bool batch, bool softLabel)
    {
        options.Activation = Activation(sigmoid, softmax, channels);
        options.Epsilon = 0; // MONAI does not clamp the denominator
        options.Denominator = squaredPred ? OverlapDenominator.Squared : OverlapDenominator.Linear;

        // With squared_pred MONAI's compute_tp_fp_fn uses the L2 form, whose tp is Σp·t whatever soft_label says.
        options.SoftLabels = softLabel && !squaredPred;
        options.PerImage = !batch;
        options.IncludeBackground = includeBackground || channels == 1; // ignored over one channel, as MONAI warns
        options.EmptyTarget = EmptyTargetPolicy.Compute;
        options.WeightNormalization = ClassWeightNormalization.Count; // MONAI multiplies each term, then takes the mean
        options.Reduction = Reduction(reduction);
    }

    /// <summary>MONAI's <c>FocalLoss</c> for C channels (sigmoid or softmax; channel 0 dropped before the loss when asked).</summary>
    public static ISegmentationLoss Focal(int channels, bool includeBackground, double gamma, double? alpha, IReadOnlyList<double>? weight,
        string reduction, bool useSoftmax, string owner)
    {
        if (reduction != "mean")
        {
            throw new NotSupportedException(
                $"{owner}: reduction '{reduction}' is not mapped (MONAI's \"sum\" adds per-(image, class) spatial means); use \"mean\".");
        }

        bool drop = !includeBackground && channels > 1;
        double[]? perChannel = ClassWeights(weight, channels, includeBackground, owner);
        var loss = new FocalLoss(new FocalLossOptions
        {
            Activation = useSoftmax ? Losses.Activation.Softmax : Losses.Activation.Sigmoid,
            Gamma = gamma,

            // MONAI drops alpha (with a warning) for a softmax focal loss without the background.
            Alpha = useSoftmax && drop ? null : alpha,
            ClassWeights = perChannel is null ? null : drop ? perChannel[1..] : perChannel,
            Averaging = useSoftmax ? PointwiseAveraging.ValidElements : PointwiseAveraging.Valid,
        });
        return drop ? new BackgroundDroppedLoss(loss) : loss;
    }
}
