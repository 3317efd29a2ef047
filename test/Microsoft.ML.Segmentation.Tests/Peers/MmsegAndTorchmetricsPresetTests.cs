using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>mmseg 1.2's IoUMetric and torchmetrics' generalized Dice, worked out by hand from their code.</summary>
[TestClass]
public sealed class MmsegAndTorchmetricsPresetTests
{
    // Three classes: class 0 predicted right twice and once as class 1, class 1 right once; class 2 is predicted only on
    // an ignored pixel, so it is absent.
    private static ConfusionCounts Counts()
    {
        var matrix = new ConfusionMatrix(3, ignoreIndex: 255);
        matrix.Add([0, 0, 1, 1, 2], [0, 0, 0, 1, 255]);
        return matrix.ToCounts();
    }

    [TestMethod]
    public void IoUMetric_ClassMetricsAndSummary()
    {
        MmsegIouMetric metric = Mmseg.IoUMetric(iouMetrics: ["mIoU", "mFscore"]);
        IReadOnlyDictionary<string, double[]> perClass = metric.ComputeClassMetrics(Counts());

        // I = [2, 1, 0], P = [2, 2, 0], L = [3, 1, 0], U = [3, 2, 0].
        Assert.AreEqual(0.75, perClass["aAcc"][0], 1e-15);
        Assert.AreEqual(2.0 / 3, perClass["IoU"][0], 1e-15);
        Assert.AreEqual(0.5, perClass["IoU"][1], 1e-15);
        Assert.IsTrue(double.IsNaN(perClass["IoU"][2]));

        // Fscore of the rates: class 0 P = 1, R = 2/3 → 0.8; class 2 is 0/0.
        Assert.AreEqual(0.8, perClass["Fscore"][0], 1e-15);
        Assert.IsTrue(double.IsNaN(perClass["Fscore"][2]));

        IReadOnlyDictionary<string, double> summary = metric.Compute(Counts());
        Assert.AreEqual(75.0, summary["aAcc"]);
        Assert.AreEqual(58.33, summary["mIoU"]);
        Assert.AreEqual(83.33, summary["mAcc"]);
    }

    [TestMethod]
    public void IoUMetric_NanToNumFillsBeforeTheMean()
    {
        // mIoU over [2/3, 1/2, 0] once NaN becomes 0: 38.89, not the 58.33 of the nanmean.
        IReadOnlyDictionary<string, double> summary = Mmseg.IoUMetric(nanToNum: 0).Compute(Counts());
        Assert.AreEqual(38.89, summary["mIoU"]);
    }

    [TestMethod]
    public void IoUMetric_FscoreIsNaNWithoutTruePositives()
    {
        // The count formula would give 0 here; mmseg's f_score of P = 0 and R = 0 is 0/0.
        var counts = new ConfusionCounts([new ClassConfusion(0, 2, 3, 5)]);
        Assert.IsTrue(double.IsNaN(Mmseg.IoUMetric(iouMetrics: ["mFscore"]).ComputeClassMetrics(counts)["Fscore"][0]));
    }

    [TestMethod]
    public void IoUMetric_UnsupportedParameters()
    {
        Assert.ThrowsExactly<NotSupportedException>(() => Mmseg.IoUMetric(outputDir: "out"));
        Assert.ThrowsExactly<NotSupportedException>(() => Mmseg.IoUMetric(formatOnly: true));
        Assert.ThrowsExactly<ArgumentException>(() => Mmseg.IoUMetric(iouMetrics: ["mAP"]));
    }

    [TestMethod]
    public void TorchmetricsGeneralizedDice_OneSample()
    {
        // Class 0: TP 2, FP 1, FN 0, support 2 → w = 1/4. Class 1: TP 0, FP 0, FN 0, support 0 → w = ∞ → the class's
        // batch maximum (0 with one sample). Class 2: TP 1, FP 0, FN 1, support 2 → w = 1/4.
        var sample = new ConfusionCounts([new ClassConfusion(2, 1, 0, 5), new ClassConfusion(0, 0, 0, 8), new ClassConfusion(1, 0, 1, 6)]);
        double numerator = (2 * 2 * 0.25) + (2 * 1 * 0.25);
        double denominator = (5 * 0.25) + (3 * 0.25);
        Assert.AreEqual(numerator / denominator, Torchmetrics.GeneralizedDiceScore(3).Compute([sample])[0], 1e-15);

        double[] perClass = Torchmetrics.GeneralizedDiceScore(3, perClass: true).Compute([sample]);
        double[] expected = [0.8, 0, 2.0 / 3];
        Assert.AreEqual(expected.Length, perClass.Length);
        for (int c = 0; c < expected.Length; c++)
        {
            Assert.AreEqual(expected[c], perClass[c], 1e-15, $"class {c}");
        }
    }
}
