using LossComparison;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Samples;

/// <summary>
/// The LossComparison sample's two loss adapters: one-vs-rest (for MONAI's binary unified focal loss on four classes)
/// and the α-ramped boundary term. Gradients by central finite differences in float64; values against the losses used
/// directly.
/// </summary>
[TestClass]
public sealed class LossComparisonLossesTests
{
    private static (double[] Logits, int[] Labels) Case(SegmentationShape shape, int seed)
    {
        var random = new Random(seed);
        double[] logits = Enumerable.Range(0, shape.ElementCount).Select(_ => (random.NextDouble() * 4) - 2).ToArray();
        int[] labels = Enumerable.Range(0, shape.PixelCount).Select(i => i % 7 == 3 ? 255 : random.Next(shape.Classes)).ToArray();
        return (logits, labels);
    }

    private static void AssertGradientMatchesFiniteDifferences(ISegmentationLoss loss, SegmentationShape shape, double[] logits, int[] labels)
    {
        var gradient = new double[logits.Length];
        loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255), gradient);
        const double h = 1e-6;
        for (int e = 0; e < logits.Length; e++)
        {
            double[] plus = (double[])logits.Clone(), minus = (double[])logits.Clone();
            plus[e] += h;
            minus[e] -= h;
            double numeric = (loss.Compute<double>(plus, shape, SegmentationTarget<double>.FromLabels(labels, 255))
                - loss.Compute<double>(minus, shape, SegmentationTarget<double>.FromLabels(labels, 255))) / (2 * h);
            Assert.AreEqual(numeric, gradient[e], 1e-7 + (1e-6 * Math.Abs(numeric)), $"{loss.Name}: element {e}");
        }
    }

    [TestMethod]
    public void OneVsRestGradientIsExactThroughTheSoftmax()
    {
        var shape = new SegmentationShape(2, 4, 3, 5);
        (double[] logits, int[] labels) = Case(shape, 11);
        AssertGradientMatchesFiniteDifferences(new OneVsRestLoss(new AsymmetricUnifiedFocalLoss()), shape, logits, labels);
    }

    [TestMethod]
    public void OneVsRestOfTwoClassesIsTheBinaryLossOnItsSoftmax()
    {
        // With two classes the only task is class 1 against class 0, and [1 − p₁, p₁] is the softmax itself.
        var shape = new SegmentationShape(1, 2, 4, 6);
        (double[] logits, int[] labels) = Case(shape, 12);
        var gradient = new double[logits.Length];
        var expectedGradient = new double[logits.Length];
        double value = new OneVsRestLoss(new AsymmetricUnifiedFocalLoss()).Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255), gradient);
        double expected = new AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Activation = Activation.Softmax })
            .Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255), expectedGradient);
        Assert.AreEqual(expected, value, 1e-12);
        for (int e = 0; e < logits.Length; e++)
        {
            Assert.AreEqual(expectedGradient[e], gradient[e], 1e-12, $"element {e}");
        }
    }

    [TestMethod]
    public void RampedLossIsDicePlusAlphaBoundaryWithAlphaRaisedPerEpoch()
    {
        var shape = new SegmentationShape(1, 4, 6, 7);
        (double[] logits, int[] labels) = Case(shape, 13);
        var ramped = new RampedLoss(new DiceLoss(), new BoundaryLoss(), start: 0.01, step: 0.01);
        double dice = new DiceLoss().Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255));
        double boundary = new BoundaryLoss().Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255));
        Assert.AreNotEqual(0.0, boundary, "the case must exercise the boundary term");
        foreach (int epoch in new[] { 1, 2, 30 })
        {
            ramped.BeginEpoch(epoch);
            double alpha = 0.01 * epoch;
            Assert.AreEqual(alpha, ramped.Alpha, 1e-15);
            Assert.AreEqual(dice + (alpha * boundary), ramped.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255)), 1e-12, $"epoch {epoch}");
        }

        AssertGradientMatchesFiniteDifferences(ramped, shape, logits, labels);
    }
}
