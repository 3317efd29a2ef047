using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>smp 0.3.4's <c>get_stats</c> and <c>_compute_metric</c> reductions, expected values worked out by hand from smp's code.</summary>
[TestClass]
public sealed class SmpMetricsTests
{
    // Two images, two classes: (tp, fp, fn, tn).
    private static readonly ConfusionCounts[] Stats =
    [
        new([new ClassConfusion(3, 1, 0, 4), new ClassConfusion(0, 0, 0, 8)]),
        new([new ClassConfusion(1, 1, 2, 4), new ClassConfusion(2, 0, 2, 4)]),
    ];

    [TestMethod]
    public void Reductions_AsSmpComputesThem()
    {
        // Per (image, class) IoU: [3/4, 0/0 → zero_division 1], [1/4, 2/4].
        CollectionAssert.AreEqual(new[] { 0.75, 1, 0.25, 0.5 }, Smp.IouScore(Stats));
        CollectionAssert.AreEqual(new[] { 0.75, 0, 0.25, 0.5 }, Smp.IouScore(Stats, "none", zeroDivision: 0));

        // micro: all counts summed, 6 / (6 + 2 + 4).
        Assert.AreEqual(0.5, Smp.IouScore(Stats, "micro")[0], 1e-15);

        // macro: class 0 4/(4+2+2) = 0.5, class 1 2/(2+0+2) = 0.5.
        Assert.AreEqual(0.5, Smp.IouScore(Stats, "macro")[0], 1e-15);

        // micro-imagewise: image 0 3/4, image 1 3/(3+1+4) = 3/8.
        Assert.AreEqual((0.75 + 0.375) / 2, Smp.IouScore(Stats, "micro-imagewise")[0], 1e-15);

        // macro-imagewise: class means (0.75+0.25)/2 = 0.5 and (1+0.5)/2 = 0.75.
        Assert.AreEqual(0.625, Smp.IouScore(Stats, "macro-imagewise")[0], 1e-15);

        // Weights [1, 3] normalised to [0.25, 0.75]: weighted sums, weighted-imagewise divides by C once more.
        Assert.AreEqual((0.25 * 0.5) + (0.75 * 0.5), Smp.IouScore(Stats, "weighted", [1, 3])[0], 1e-15);
        Assert.AreEqual(((0.25 * 0.5) + (0.75 * 0.75)) / 2, Smp.IouScore(Stats, "weighted-imagewise", [1, 3])[0], 1e-15);
        Assert.AreEqual(((0.25 * 0.5) + (0.75 * 0.5)) / 2, Smp.IouScore(Stats, "macro", [1, 3])[0], 1e-15);
    }

    [TestMethod]
    public void MicroKeepsNaN_AndWeightedNeedsWeights()
    {
        ConfusionCounts[] nothing = [new([new ClassConfusion(0, 0, 0, 4)])];
        Assert.IsTrue(double.IsNaN(Smp.IouScore(nothing, "micro")[0]));
        Assert.AreEqual(1.0, Smp.IouScore(nothing, "macro")[0]);
        Assert.ThrowsExactly<ArgumentException>(() => Smp.IouScore(Stats, "weighted"));
        Assert.ThrowsExactly<ArgumentException>(() => Smp.IouScore(Stats, "mean"));
    }

    [TestMethod]
    public void FbetaAndLikelihoodRatios()
    {
        ConfusionCounts[] one = [new([new ClassConfusion(3, 1, 2, 4)])];
        Assert.AreEqual(5.0 * 3 / ((5 * 3) + (4 * 2) + 1), Smp.FbetaScore(one, beta: 2)[0], 1e-15);
        Assert.AreEqual(2.0 * 3 / ((2 * 3) + 2 + 1), Smp.F1Score(one)[0], 1e-15);

        // LR+ = TPR / (1 − TNR) = (3/5) / (1/5); with no false positive it is +∞, not zero_division.
        Assert.AreEqual(3.0, Smp.PositiveLikelihoodRatio(one)[0], 1e-12);
        ConfusionCounts[] noFp = [new([new ClassConfusion(3, 0, 2, 4)])];
        Assert.AreEqual(double.PositiveInfinity, Smp.PositiveLikelihoodRatio(noFp)[0]);
        Assert.AreEqual(0.4, Smp.FalseNegativeRate(one)[0], 1e-15);
    }

    [TestMethod]
    public void GetStats_Multiclass_IgnoreAndOutOfRange()
    {
        // One 2×3 image, 3 classes, ignore_index 255; prediction 7 is outside the classes and counts for none (torch.histc).
        double[] output = [0, 1, 7, 2, 2, 0];
        double[] target = [0, 1, 1, 255, 2, 1];
        ConfusionCounts stats = Smp.GetStats(output, target, [1, 2, 3], "multiclass", ignoreIndex: 255, numClasses: 3)[0];

        // Class 0: tp 1, fp 1 (pixel 5), fn 0; class 1: tp 1, fp 0, fn 2; class 2: tp 1, fp 0 (pixel 3 ignored), fn 0.
        // tn = 6 − tp − fp − fn − 1 ignored.
        Assert.AreEqual(new ClassConfusion(1, 1, 0, 3), stats[0]);
        Assert.AreEqual(new ClassConfusion(1, 0, 2, 2), stats[1]);
        Assert.AreEqual(new ClassConfusion(1, 0, 0, 4), stats[2]);
        Assert.ThrowsExactly<ArgumentException>(() => Smp.GetStats(output, target, [1, 2, 3], "multiclass", ignoreIndex: 1, numClasses: 3));
    }

    [TestMethod]
    public void GetStats_MultilabelThresholdsBothTensors()
    {
        double[] output = [0.9, 0.2, 0.6, 0.4];
        double[] target = [1, 0, 0, 1];
        ConfusionCounts stats = Smp.GetStats(output, target, [1, 1, 4], "binary", threshold: 0.5)[0];
        Assert.AreEqual(new ClassConfusion(1, 1, 1, 1), stats[0]);
        Assert.ThrowsExactly<ArgumentException>(() => Smp.GetStats(output, target, [1, 1, 4], "binary"));
    }
}
