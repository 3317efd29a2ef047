namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Where the focusing exponent of a focal Tversky loss is applied.</summary>
public enum FocalTverskyForm
{
    /// <summary>(mean over regions of the Tversky loss)^γ (smp <c>TverskyLoss(gamma)</c>).</summary>
    PowerOfMean = 0,

    /// <summary>mean over regions of (Tversky loss)^(1/γ) (mmseg <c>TverskyLoss(gamma)</c>; Abraham and Khan, 2019).</summary>
    PerRegionInverseGamma = 1,
}
