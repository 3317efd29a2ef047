namespace Microsoft.ML.Segmentation.Losses;

/// <summary>What the denominator of an overlap score sums.</summary>
public enum OverlapDenominator
{
    /// <summary>Σp + Σt (smp, MONAI default, mmseg "naive" Dice).</summary>
    Linear = 0,

    /// <summary>Σp² + Σt² (the V-Net Dice; MONAI <c>squared_pred=True</c>, mmseg <c>naive_dice=False</c>).</summary>
    Squared = 1,
}

/// <summary>What an overlap loss does with a region whose target is empty (Σt = 0).</summary>
public enum EmptyTargetPolicy
{
    /// <summary>The region's loss is 0 and it still counts in the mean (smp: <c>loss *= (Σt &gt; 0)</c>).</summary>
    ZeroLoss = 0,

    /// <summary>The formula is applied as it is: with smoothing, any false positive gives a loss near 1 (MONAI).</summary>
    Compute = 1,

    /// <summary>The region is left out of the mean (its term reads <c>NaN</c>).</summary>
    Exclude = 2,
}

/// <summary>How a weighted mean over regions is normalised.</summary>
public enum ClassWeightNormalization
{
    /// <summary>Σ wᵢ·lossᵢ / Σ wᵢ (smp).</summary>
    SumOfWeights = 0,

    /// <summary>Σ wᵢ·lossᵢ / number of regions (MONAI <c>weight</c> with <c>reduction="mean"</c>).</summary>
    Count = 1,
}

/// <summary>How a loss reduces its per-region or per-pixel terms to one number.</summary>
public enum LossReduction
{
    /// <summary>The (weighted) mean.</summary>
    Mean = 0,

    /// <summary>The (weighted) sum.</summary>
    Sum = 1,
}

/// <summary>Where the focusing exponent of a focal Tversky loss is applied.</summary>
public enum FocalTverskyForm
{
    /// <summary>(mean over regions of the Tversky loss)^γ (smp <c>TverskyLoss(gamma)</c>).</summary>
    PowerOfMean = 0,

    /// <summary>mean over regions of (Tversky loss)^(1/γ) (mmseg <c>TverskyLoss(gamma)</c>; Abraham and Khan, 2019).</summary>
    PerRegionInverseGamma = 1,
}
