namespace Microsoft.ML.Segmentation.Losses;

/// <summary>How a weighted mean over regions is normalised.</summary>
public enum ClassWeightNormalization
{
    /// <summary>Σ wᵢ·lossᵢ / Σ wᵢ (smp).</summary>
    SumOfWeights = 0,

    /// <summary>Σ wᵢ·lossᵢ / number of regions (MONAI <c>weight</c> with <c>reduction="mean"</c>).</summary>
    Count = 1,
}
