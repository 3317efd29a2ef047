namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="JaccardLoss"/>: score = (Σpt + SmoothNumerator) / max(Σp + Σt − Σpt + SmoothDenominator, Epsilon).</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class JaccardLossOptions : OverlapLossOptions
{
}
