namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="DiceLoss"/>: score = (2·Σpt + SmoothNumerator) / max(Σp + Σt + SmoothDenominator, Epsilon).</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class DiceLossOptions : OverlapLossOptions
{
}
