namespace Microsoft.ML.Segmentation.Losses;

/// <summary>How <see cref="GeneralizedWassersteinDiceLoss"/> weights each pixel's true-positive term by its true class (MONAI <c>weighting_mode</c>).</summary>
public enum WassersteinDiceWeighting
{
    /// <summary>MONAI <c>"default"</c> (Fidon et al. 2017): weight 0 for class 0 (background), 1 for every other class.</summary>
    Default = 0,

    /// <summary>MONAI <c>"GDL"</c> (Fidon et al. 2020, appendix): weight 1/(pixels of the class in the image + 1), and the denominator Σ α·(2 − W).</summary>
    GeneralizedDice = 1,
}
