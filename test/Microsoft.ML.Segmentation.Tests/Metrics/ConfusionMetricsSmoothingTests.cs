using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class ConfusionMetricsSmoothingTests
{
    private const double Delta = 1e-12;

    // TP=3, FP=1, FN=2, TN=4 (10 pixels; 5 reference positives, 5 reference negatives).
    private static readonly ClassConfusion Example = new(3, 1, 2, 4);

    [TestMethod]
    [DataRow(ConfusionMetric.VolumeDifference, 1.0 / 5)]
    [DataRow(ConfusionMetric.PositiveLikelihoodRatio, 0.6 / 0.2)]
    [DataRow(ConfusionMetric.NegativeLikelihoodRatio, 0.4 / 0.8)]
    [DataRow(ConfusionMetric.NetBenefit, 2.0 / 10)]
    [DataRow(ConfusionMetric.NormalizedExpectedCost, 0.2 + 0.4)]
    [DataRow(ConfusionMetric.FalsePositiveFraction, 1.0 / 10)]
    public void NewMetric_MatchesHandComputedValue(ConfusionMetric metric, double expected)
    {
        Assert.AreEqual(expected, ConfusionMetrics.Score(metric, Example), Delta);
        Assert.AreEqual(expected, ConfusionMetrics.Score(metric, Example, new MetricOptions()), Delta);
    }

    [TestMethod]
    public void NetBenefit_UsesExchangeRate()
        => Assert.AreEqual((3 - 0.5) / 10, ConfusionMetrics.Score(ConfusionMetric.NetBenefit, Example, new MetricOptions { ExchangeRate = 0.5 }), Delta);

    [TestMethod]
    public void NormalizedExpectedCost_UsesCosts()
    {
        // π⁺ = π⁻ = 0.5: c_FP·π⁻ = 1.5, c_FN·π⁺ = 0.5 → (1.5·0.2 + 0.5·0.4) / 0.5 = 1.
        var options = new MetricOptions { FalsePositiveCost = 3, FalseNegativeCost = 1 };
        Assert.AreEqual(1.0, ConfusionMetrics.Score(ConfusionMetric.NormalizedExpectedCost, Example, options), Delta);

        // Equal costs with equal priors are the prior-balanced costs.
        var equal = new MetricOptions { FalsePositiveCost = 2, FalseNegativeCost = 2 };
        Assert.AreEqual(0.6, ConfusionMetrics.Score(ConfusionMetric.NormalizedExpectedCost, Example, equal), Delta);
    }

    [TestMethod]
    public void LikelihoodRatio_WithoutFalsePositives_IsInfiniteUnlessSmoothed()
    {
        var counts = new ClassConfusion(2, 0, 1, 1);
        Assert.AreEqual(double.PositiveInfinity, ConfusionMetrics.Score(ConfusionMetric.PositiveLikelihoodRatio, counts));

        // TPR = 2 / 3.00001, 1 − TNR = 1 − 1 / 1.00001.
        double expected = (2 / 3.00001) / (1 - (1 / 1.00001));
        double smoothed = ConfusionMetrics.Score(ConfusionMetric.PositiveLikelihoodRatio, counts, new MetricOptions { SmoothDenominator = 1e-5 });
        Assert.AreEqual(expected, smoothed, expected * 1e-9);
    }

    [TestMethod]
    public void Smoothing_AppliesToEachCountRatio()
    {
        var options = new MetricOptions { SmoothNumerator = 0.5, SmoothDenominator = 1 };
        Assert.AreEqual(3.5 / 6, ConfusionMetrics.Score(ConfusionMetric.Recall, Example, options), Delta);
        Assert.AreEqual(4.5 / 6, ConfusionMetrics.Score(ConfusionMetric.Specificity, Example, options), Delta);
        Assert.AreEqual(3.5 / 5, ConfusionMetrics.Score(ConfusionMetric.Precision, Example, options), Delta);
        Assert.AreEqual(3.5 / 7, ConfusionMetrics.Score(ConfusionMetric.Iou, Example, options), Delta);
        Assert.AreEqual(((3.5 / 6) + (4.5 / 6)) / 2, ConfusionMetrics.Score(ConfusionMetric.BalancedAccuracy, Example, options), Delta);
        Assert.AreEqual((3.5 / 6) + (4.5 / 6) - 1, ConfusionMetrics.Score(ConfusionMetric.Informedness, Example, options), Delta);
        Assert.AreEqual(3.5 / 1.5, ConfusionMetrics.Score(ConfusionMetric.PositiveLikelihoodRatio, Example, options), Delta);
        Assert.AreEqual(1.5 / 6, ConfusionMetrics.Score(ConfusionMetric.VolumeDifference, Example, options), Delta);

        // Matthews correlation and kappa are not smoothed.
        Assert.AreEqual(10 / Math.Sqrt(600), ConfusionMetrics.Score(ConfusionMetric.MatthewsCorrelation, Example, options), Delta);
        Assert.AreEqual(
            ConfusionMetrics.Score(ConfusionMetric.CohenKappa, Example), ConfusionMetrics.Score(ConfusionMetric.CohenKappa, Example, options), Delta);
    }

    [TestMethod]
    public void SmoothDenominator_DefinesEmptyRatios()
    {
        var absent = new ClassConfusion(0, 0, 0, 10);
        var options = new MetricOptions { SmoothDenominator = 1e-5 };
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.Score(ConfusionMetric.Recall, absent)));
        Assert.AreEqual(0.0, ConfusionMetrics.Score(ConfusionMetric.Recall, absent, options), Delta);
        Assert.AreEqual(10 / 10.00001, ConfusionMetrics.Score(ConfusionMetric.Specificity, absent, options), Delta);
    }

    [TestMethod]
    public void Compute_WithSmoothing_ScoresClassesThatWouldBeAbsent()
    {
        var counts = new ConfusionCounts(new[] { new ClassConfusion(0, 0, 0, 4), new ClassConfusion(2, 0, 2, 0) });
        double[] plain = ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, new MetricOptions { Reduction = MetricReduction.None });
        Assert.IsTrue(double.IsNaN(plain[0]));
        Assert.AreEqual(0.5, plain[1], Delta);

        var options = new MetricOptions { Reduction = MetricReduction.None, SmoothNumerator = 1, SmoothDenominator = 1 };
        CollectionAssert.AreEqual(new[] { 1.0, 3.0 / 5 }, ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, options));
    }

    [TestMethod]
    public void Defaults_LeaveEveryMetricUnchanged()
    {
        foreach (ConfusionMetric metric in Enum.GetValues<ConfusionMetric>())
        {
            foreach (ClassConfusion counts in new[] { Example, new ClassConfusion(0, 0, 0, 10), new ClassConfusion(2, 0, 1, 1) })
            {
                double expected = ConfusionMetrics.Score(metric, counts);
                double actual = ConfusionMetrics.Score(metric, counts, new MetricOptions());
                Assert.IsTrue(expected.Equals(actual), $"{metric} on {counts}: {expected} vs {actual}");
            }
        }
    }

    [TestMethod]
    public void Options_OutOfRange_Throw()
    {
        Assert.AreEqual("SmoothDenominator", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ConfusionMetrics.Score(ConfusionMetric.Recall, Example, new MetricOptions { SmoothDenominator = -1 })).ParamName);
        Assert.AreEqual("SmoothNumerator", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ConfusionMetrics.Score(ConfusionMetric.Recall, Example, new MetricOptions { SmoothNumerator = double.NaN })).ParamName);
        Assert.AreEqual("ExchangeRate", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ConfusionMetrics.Score(ConfusionMetric.NetBenefit, Example, new MetricOptions { ExchangeRate = double.PositiveInfinity })).ParamName);
        Assert.AreEqual("FalsePositiveCost", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ConfusionMetrics.Compute(ConfusionMetric.NormalizedExpectedCost, new ConfusionCounts(new[] { Example }), new MetricOptions { FalsePositiveCost = 0 })).ParamName);
    }

    [TestMethod]
    public void ExpectedCost_Multiclass_MatchesHandComputedValue()
    {
        // (truth, predicted): (0,2), (1,2), (2,2), (0,0). Recalls 1/2, 0, 1 → balanced accuracy 1/2.
        var matrix = new ConfusionMatrix(3);
        matrix.Add(new[] { 2, 2, 2, 0 }, new[] { 0, 1, 2, 0 });
        Assert.AreEqual(0.5, ConfusionMetrics.ExpectedCost(matrix), Delta);
        Assert.AreEqual(0.5 * 3 / 2, ConfusionMetrics.NormalizedExpectedCost(matrix), Delta);

        // 0-1 costs: EC is the error rate 2/4; always predicting class 0 costs π₁ + π₂ = 1/2.
        double[] zeroOne = { 0, 1, 1, 1, 0, 1, 1, 1, 0 };
        Assert.AreEqual(0.5, ConfusionMetrics.ExpectedCost(matrix, zeroOne), Delta);
        Assert.AreEqual(1.0, ConfusionMetrics.NormalizedExpectedCost(matrix, zeroOne), Delta);

        // Asymmetric: a class-1 pixel predicted as 2 costs 4, so EC = π₀·(1/2)·1 + π₁·1·4 = 1/4 + 1 = 5/4.
        double[] costs = { 0, 1, 1, 1, 0, 4, 1, 1, 0 };
        Assert.AreEqual(1.25, ConfusionMetrics.ExpectedCost(matrix, costs), Delta);
    }

    [TestMethod]
    public void ExpectedCost_AbsentTruthClassOrBadCosts()
    {
        var matrix = new ConfusionMatrix(3);
        matrix.Add(new[] { 0, 1 }, new[] { 0, 1 });
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.ExpectedCost(matrix)));
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.ExpectedCost(new ConfusionMatrix(2))));
        Assert.AreEqual("costs", Assert.ThrowsExactly<ArgumentException>(() => ConfusionMetrics.ExpectedCost(matrix, new double[4])).ParamName);
        Assert.AreEqual("costs", Assert.ThrowsExactly<ArgumentException>(
            () => ConfusionMetrics.ExpectedCost(matrix, new[] { 0, -1.0, 0, 0, 0, 0, 0, 0, 0 })).ParamName);
    }
}
