using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class ConfusionMetricsTests
{
    private const double Delta = 1e-12;

    // TP=3, FP=1, FN=2, TN=4 (10 pixels).
    private static readonly ClassConfusion Example = new(3, 1, 2, 4);

    [TestMethod]
    [DataRow(ConfusionMetric.Iou, 3.0 / 6)]
    [DataRow(ConfusionMetric.Dice, 6.0 / 9)]
    [DataRow(ConfusionMetric.Precision, 3.0 / 4)]
    [DataRow(ConfusionMetric.Recall, 3.0 / 5)]
    [DataRow(ConfusionMetric.Specificity, 4.0 / 5)]
    [DataRow(ConfusionMetric.NegativePredictiveValue, 4.0 / 6)]
    [DataRow(ConfusionMetric.FalseNegativeRate, 2.0 / 5)]
    [DataRow(ConfusionMetric.FalsePositiveRate, 1.0 / 5)]
    [DataRow(ConfusionMetric.FalseDiscoveryRate, 1.0 / 4)]
    [DataRow(ConfusionMetric.FalseOmissionRate, 2.0 / 6)]
    [DataRow(ConfusionMetric.Accuracy, 7.0 / 10)]
    [DataRow(ConfusionMetric.BalancedAccuracy, (0.6 + 0.8) / 2)]
    [DataRow(ConfusionMetric.Informedness, 0.6 + 0.8 - 1)]
    [DataRow(ConfusionMetric.Markedness, 0.75 + (4.0 / 6) - 1)]
    [DataRow(ConfusionMetric.FowlkesMallows, 0.6708203932499369)]
    [DataRow(ConfusionMetric.MatthewsCorrelation, 10.0 / 24.49489742783178)]
    [DataRow(ConfusionMetric.CohenKappa, (0.7 - 0.5) / 0.5)]
    public void Score_MatchesHandComputedValue(ConfusionMetric metric, double expected)
        => Assert.AreEqual(expected, ConfusionMetrics.Score(metric, Example), Delta);

    [TestMethod]
    public void FBeta_WeighsRecall()
    {
        // β=2: 5TP / (5TP + 4FN + FP) = 15 / (15 + 8 + 1).
        Assert.AreEqual(15.0 / 24, ConfusionMetrics.Score(ConfusionMetric.FBeta, Example, beta: 2), Delta);
        Assert.AreEqual(ConfusionMetrics.Score(ConfusionMetric.Dice, Example), ConfusionMetrics.Score(ConfusionMetric.FBeta, Example), Delta);
    }

    [TestMethod]
    public void PrevalenceThreshold_MatchesFormula()
    {
        double tpr = 0.6, tnr = 0.8;
        double expected = (Math.Sqrt(tpr * (1 - tnr)) + tnr - 1) / (tpr + tnr - 1);
        Assert.AreEqual(expected, ConfusionMetrics.Score(ConfusionMetric.PrevalenceThreshold, Example), Delta);
    }

    [TestMethod]
    public void Score_ZeroDenominator_IsNaN()
    {
        var absent = new ClassConfusion(0, 0, 0, 10);
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.Score(ConfusionMetric.Iou, absent)));
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.Score(ConfusionMetric.Recall, absent)));
        Assert.AreEqual(1.0, ConfusionMetrics.Score(ConfusionMetric.Specificity, absent), Delta);
    }

    [TestMethod]
    public void DatasetSummaries_FromMatrix()
    {
        // truth 0 0 1 1 2 2, predicted 0 1 1 1 0 2 (class 3 never occurs).
        var matrix = new ConfusionMatrix(4);
        matrix.Add(new[] { 0, 1, 1, 1, 0, 2 }, new[] { 0, 0, 1, 1, 2, 2 });
        ConfusionCounts counts = matrix.ToCounts();
        Assert.AreEqual(4.0 / 6, ConfusionMetrics.PixelAccuracy(counts), Delta);
        Assert.AreEqual((0.5 + 1 + 0.5) / 3, ConfusionMetrics.MeanClassAccuracy(counts), Delta);

        // IoU: c0 1/3, c1 2/3, c2 1/2, supports 2, 2, 2.
        Assert.AreEqual(((1.0 / 3) + (2.0 / 3) + 0.5) / 3, ConfusionMetrics.FrequencyWeightedIou(counts), Delta);

        // kappa: po = 4/6; rows (2,2,2,0), columns (2,3,1,0): pe = (4+6+2)/36.
        double pe = 12.0 / 36;
        Assert.AreEqual(((4.0 / 6) - pe) / (1 - pe), ConfusionMetrics.CohenKappa(matrix), Delta);

        // MCC (Gorodkin): (c·s − Σ p_k t_k) / √((s² − Σp²)(s² − Σt²)) = (24 − 12) / √((36 − 14)(36 − 12)).
        Assert.AreEqual(12 / Math.Sqrt(22.0 * 24), ConfusionMetrics.MatthewsCorrelation(matrix), Delta);
    }

    [TestMethod]
    public void BinaryMatrixMcc_EqualsOneVsRestMcc()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add(new[] { 1, 0, 0, 1, 1, 0, 1 }, new[] { 1, 0, 1, 1, 0, 0, 1 });
        ClassConfusion fg = matrix.ToCounts()[1];
        Assert.AreEqual(ConfusionMetrics.Score(ConfusionMetric.MatthewsCorrelation, fg), ConfusionMetrics.MatthewsCorrelation(matrix), Delta);
        Assert.AreEqual(ConfusionMetrics.Score(ConfusionMetric.CohenKappa, fg), ConfusionMetrics.CohenKappa(matrix), Delta);
    }

    [TestMethod]
    public void FromMasks_CountsEachChannelOnItsOwn()
    {
        // One image, two overlapping channels over 4 pixels.
        var shape = new SegmentationShape(1, 2, 2, 2);
        float[] predicted = { 1, 1, 0, 0, /* c1 */ 1, 1, 1, 1 };
        float[] truth = { 1, 0, 1, 0, /* c1 */ 0, 1, 1, 1 };
        ConfusionCounts counts = ConfusionCounts.FromMasks<float>(predicted, truth, shape)[0];
        Assert.AreEqual(new ClassConfusion(1, 1, 1, 1), counts[0]);
        Assert.AreEqual(new ClassConfusion(3, 1, 0, 0), counts[1]);
    }

    [TestMethod]
    public void FromMatrix_DerivesOneVsRestCounts()
    {
        // rows = truth: [[5,1],[2,3]]
        ConfusionCounts counts = ConfusionCounts.FromMatrix(new long[] { 5, 1, 2, 3 }, 2);
        Assert.AreEqual(new ClassConfusion(5, 2, 1, 3), counts[0]);
        Assert.AreEqual(new ClassConfusion(3, 1, 2, 5), counts[1]);
        Assert.AreEqual("matrix", Assert.ThrowsExactly<ArgumentException>(() => ConfusionCounts.FromMatrix(new long[3], 2)).ParamName);
    }

    [TestMethod]
    public void Counts_NegativeValue_Throws()
        => Assert.AreEqual("classes", Assert.ThrowsExactly<ArgumentException>(() => new ConfusionCounts(new[] { new ClassConfusion(-1, 0, 0, 0) })).ParamName);

    [TestMethod]
    public void Options_Validation_NamesTheProblem()
    {
        ConfusionCounts counts = ConfusionCounts.FromMatrix(new long[] { 1, 0, 0, 1 }, 2);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, new MetricOptions { ClassWeights = new[] { 1.0 } }));
        Assert.AreEqual("ClassWeights", ex.ParamName);
        StringAssert.Contains(ex.Message, "2 classes");
        Assert.AreEqual("Beta", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ConfusionMetrics.Compute(ConfusionMetric.FBeta, counts, new MetricOptions { Beta = 0 })).ParamName);
        Assert.AreEqual("images", Assert.ThrowsExactly<ArgumentException>(() => ConfusionMetrics.Compute(ConfusionMetric.Iou, Array.Empty<ConfusionCounts>())).ParamName);
        ConfusionCounts three = ConfusionCounts.FromMatrix(new long[9], 3);
        Assert.AreEqual("images", Assert.ThrowsExactly<ArgumentException>(() => ConfusionMetrics.Compute(ConfusionMetric.Iou, new[] { counts, three })).ParamName);
    }
}
