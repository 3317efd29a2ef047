using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>
/// MetricsReloaded's smoothed F-beta (<c>pairwise_measures.py</c> <c>fbeta</c>, as MONAI's MetricsReloadedBinary calls it
/// with smooth_dr = 1e-5): (1+β²)·PPV·R / (β²·PPV + R + ε) with PPV = TP/(TP+FP+ε) and R = TP/(TP+FN+ε).
/// </summary>
[TestClass]
public sealed class HarmonicFBetaTests
{
    private const double Eps = 1e-5;

    private static double Reference(double tp, double fp, double fn, double beta)
    {
        double ppv = tp / (tp + fp + Eps), r = tp / (tp + fn + Eps), b2 = beta * beta;
        return (1 + b2) * ppv * r / ((b2 * ppv) + r + Eps);
    }

    [TestMethod]
    [DataRow(2, 0, 1, 1.0)]
    [DataRow(5, 3, 1, 1.0)]
    [DataRow(5, 3, 1, 2.0)]
    [DataRow(1, 7, 4, 0.5)]
    public void MatchesTheSmoothedHarmonicMean(int tp, int fp, int fn, double beta)
    {
        var options = new MetricOptions { SmoothDenominator = Eps, Beta = beta };
        double actual = ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, new ClassConfusion(tp, fp, fn, 10), options);
        Assert.AreEqual(Reference(tp, fp, fn, beta), actual, 1e-15);

        // It is not the smoothed count ratio (1+β²)TP / ((1+β²)TP + β²FN + FP + ε).
        double b2 = beta * beta;
        double countRatio = (1 + b2) * tp / (((1 + b2) * tp) + (b2 * fn) + fp + Eps);
        Assert.AreNotEqual(countRatio, actual, 1e-9);
    }

    [TestMethod]
    public void Unsmoothed_EqualsFBeta()
    {
        var k = new ClassConfusion(5, 3, 1, 10);
        var options = new MetricOptions { Beta = 2 };
        Assert.AreEqual(ConfusionMetrics.Score(ConfusionMetric.FBeta, k, options), ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, k, options), 1e-15);
    }

    [TestMethod]
    public void EdgeCases_FollowMetricsReloaded()
    {
        var smoothed = new MetricOptions { SmoothDenominator = Eps };

        // Both empty, unsmoothed: undefined, which MetricsReloaded's guard reads as 1 (AbsentClassPolicy.One).
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, new ClassConfusion(0, 0, 0, 9), new MetricOptions())));
        var one = new MetricOptions { Reduction = MetricReduction.PerClass, AbsentClass = AbsentClassPolicy.One };
        Assert.AreEqual(1.0, ConfusionMetrics.Compute(ConfusionMetric.HarmonicFBeta, new ConfusionCounts([new ClassConfusion(0, 0, 0, 9)]), one)[0]);

        // Both empty, smoothed (MONAI's MetricsReloadedBinary, smooth_dr = 1e-5): no guard, 0·0 / (0 + 0 + ε) = 0.
        Assert.AreEqual(0.0, ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, new ClassConfusion(0, 0, 0, 9), smoothed));

        // Something wrong and no true positive: 0, smoothed or not (no NaN from an empty prediction).
        Assert.AreEqual(0.0, ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, new ClassConfusion(0, 0, 3, 9), smoothed));
        Assert.AreEqual(0.0, ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, new ClassConfusion(0, 2, 3, 9), new MetricOptions()));
        Assert.AreEqual(0.0, ConfusionMetrics.Score(ConfusionMetric.HarmonicFBeta, new ClassConfusion(0, 0, 3, 9), new MetricOptions()));
    }
}
