using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

public static partial class Monai
{
    /// <summary>
    /// MONAI <c>GeneralizedWassersteinDiceLoss</c> with the per-image semantics of MONAI PR #8744 (MONAI ≤ 1.5.0 sums
    /// over every image of the batch when B &gt; 1, issue #4650): softmax of the logits, the class distance matrix divided
    /// by its largest entry, and a label-map target (<see cref="SegmentationTarget{T}.FromLabels"/>).
    /// </summary>
    /// <param name="distMatrix">The C×C distances between true (row) and predicted (column) classes.</param>
    /// <param name="weightingMode">"default" (background weight 0) or "GDL" (weight 1/(class volume + 1)).</param>
    /// <param name="reduction">"mean" (default) or "sum" over the images. MONAI's "none" is <see cref="GeneralizedWassersteinDiceLoss.ComputeTerms{T}"/> on <see cref="PeerLoss.ForChannels"/> of a "mean" preset.</param>
    /// <param name="smoothNr">Added to the numerator. Default 1e-5.</param>
    /// <param name="smoothDr">Added to the denominator. Default 1e-5.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="Losses.GeneralizedWassersteinDiceLoss"/>.</returns>
    /// <exception cref="ArgumentException">An unknown weighting mode or reduction, or a distance matrix the loss rejects.</exception>
    public static PeerLoss GeneralizedWassersteinDiceLoss(IReadOnlyList<IReadOnlyList<double>> distMatrix, string weightingMode = "default",
        string reduction = "mean", double smoothNr = 1e-5, double smoothDr = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(distMatrix);
        WassersteinDiceWeighting weighting = weightingMode switch
        {
            "default" => WassersteinDiceWeighting.Default,
            "GDL" => WassersteinDiceWeighting.GeneralizedDice,
            _ => throw new ArgumentException($"weighting_mode '{weightingMode}' is not one of MONAI's \"default\", \"GDL\".", nameof(weightingMode)),
        };
        LossReduction r = MonaiLossMapping.Reduction(reduction);
        IReadOnlyList<IReadOnlyList<double>> matrix = distMatrix.Select(row => (IReadOnlyList<double>)row.ToArray()).ToArray();
        GeneralizedWassersteinDiceLossOptions Options() => new()
        {
            DistanceMatrix = matrix,
            Weighting = weighting,
            Reduction = r,
            SmoothNumerator = smoothNr,
            SmoothDenominator = smoothDr,
        };
        _ = new Losses.GeneralizedWassersteinDiceLoss(Options()); // checks the settings now
        var preset = new PeerPreset(typeof(Monai), nameof(GeneralizedWassersteinDiceLoss), (nameof(distMatrix), matrix), (nameof(weightingMode), weightingMode),
            (nameof(reduction), reduction), (nameof(smoothNr), smoothNr), (nameof(smoothDr), smoothDr));
        return new PeerLoss("monai.GeneralizedWassersteinDiceLoss", _ => new Losses.GeneralizedWassersteinDiceLoss(Options()), preset);
    }
}
