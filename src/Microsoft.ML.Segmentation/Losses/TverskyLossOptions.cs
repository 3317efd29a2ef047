namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="TverskyLoss"/>: score = (TP + SmoothNumerator) / max(TP + α·FP + β·FN + SmoothDenominator, Epsilon),
/// with TP = Σpt, FP = Σp − TP, FN = Σt − TP. α = β = ½ is Dice, α = β = 1 is Jaccard.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class TverskyLossOptions : OverlapLossOptions
{
    /// <summary>Weight of false positives, α. Default: 0.5; must be ≥ 0.</summary>
    public double Alpha { get; set; } = 0.5;

    /// <summary>Weight of false negatives, β (raise it to favour recall of small structures). Default: 0.5; must be ≥ 0.</summary>
    public double Beta { get; set; } = 0.5;

    /// <summary>Focusing exponent γ of the focal Tversky loss; 1 is the plain Tversky loss. Default: 1; must be &gt; 0.</summary>
    public double Gamma { get; set; } = 1;

    /// <summary>Where <see cref="Gamma"/> is applied. Default: <see cref="FocalTverskyForm.PowerOfMean"/>.</summary>
    public FocalTverskyForm GammaForm { get; set; } = FocalTverskyForm.PowerOfMean;
}
