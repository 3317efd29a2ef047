namespace Microsoft.ML.Segmentation.Losses;

/// <summary>∂loss/∂(a statistic of <see cref="RegionStatistics"/>) for one (image, class) region; targets are constants.</summary>
internal struct RegionGradient
{
    public double Intersection;
    public double SumPrediction;
    public double SumSquaredPrediction;
    public double AbsoluteDifference;

    public static RegionGradient operator *(RegionGradient g, double scale) => new()
    {
        Intersection = g.Intersection * scale,
        SumPrediction = g.SumPrediction * scale,
        SumSquaredPrediction = g.SumSquaredPrediction * scale,
        AbsoluteDifference = g.AbsoluteDifference * scale,
    };

    public void Add(RegionGradient other)
    {
        Intersection += other.Intersection;
        SumPrediction += other.SumPrediction;
        SumSquaredPrediction += other.SumSquaredPrediction;
        AbsoluteDifference += other.AbsoluteDifference;
    }
}
