namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Soft overlap sums of one class over a region (one image, or the batch): what every overlap loss is a formula of.
/// Ignored pixels contribute to none of the sums.
/// </summary>
/// <param name="Intersection">Σ p·t, the soft true positives.</param>
/// <param name="SumPrediction">Σ p.</param>
/// <param name="SumTarget">Σ t.</param>
/// <param name="SumSquaredPrediction">Σ p².</param>
/// <param name="SumSquaredTarget">Σ t².</param>
/// <param name="AbsoluteDifference">Σ |p − t|, for the soft-label intersection (Σp + Σt − Σ|p − t|) / 2.</param>
/// <param name="Count">Number of valid pixels.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct RegionStatistics(
    double Intersection,
    double SumPrediction,
    double SumTarget,
    double SumSquaredPrediction,
    double SumSquaredTarget,
    double AbsoluteDifference,
    double Count)
{
    /// <summary>Element-wise sum: the statistics of the union of two disjoint regions.</summary>
    /// <param name="a">First region.</param>
    /// <param name="b">Second region.</param>
    /// <returns>The pooled statistics.</returns>
    public static RegionStatistics operator +(RegionStatistics a, RegionStatistics b) => new(
        a.Intersection + b.Intersection,
        a.SumPrediction + b.SumPrediction,
        a.SumTarget + b.SumTarget,
        a.SumSquaredPrediction + b.SumSquaredPrediction,
        a.SumSquaredTarget + b.SumSquaredTarget,
        a.AbsoluteDifference + b.AbsoluteDifference,
        a.Count + b.Count);
}
