namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="JaccardLoss"/>: score = (Σpt + SmoothNumerator) / max(Σp + Σt − Σpt + SmoothDenominator, Epsilon).</summary>
public sealed class JaccardLossOptions : OverlapLossOptions
{
}
