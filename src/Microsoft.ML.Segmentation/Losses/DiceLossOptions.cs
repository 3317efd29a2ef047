namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="DiceLoss"/>: score = (2·Σpt + SmoothNumerator) / max(Σp + Σt + SmoothDenominator, Epsilon).</summary>
public sealed class DiceLossOptions : OverlapLossOptions
{
}
