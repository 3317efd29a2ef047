using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="BalancedBinaryCrossEntropyLoss"/> (mmseg's PIDNet <c>BoundaryLoss</c>): by hand, against the weighted BCE
/// written out, the degenerate batches mmseg gives 0, and the gradient against central finite differences.
/// </summary>
[TestClass]
public sealed class BalancedBinaryCrossEntropyLossTests
{
    [TestMethod]
    public void FourPixelsByHand()
    {
        // One positive, three negatives: the positive is weighted 3/4, each negative 1/4; the mean divides by 4.
        var shape = new SegmentationShape(1, 1, 2, 2);
        double[] x = [0, 0, 0, 0];
        double expected = ((0.75 * Math.Log(2)) + (3 * 0.25 * Math.Log(2))) / 4;
        Assert.AreEqual(expected, new BalancedBinaryCrossEntropyLoss().Compute<double>(x, shape, SegmentationTarget<double>.FromLabels([1, 0, 0, 0])), 1e-15);
    }

    [TestMethod]
    [DataRow(PointwiseAveraging.All)]
    [DataRow(PointwiseAveraging.Valid)]
    [DataRow(PointwiseAveraging.TargetWeight)]
    [DataRow(PointwiseAveraging.Sum)]
    public void MatchesTheWeightedBinaryCrossEntropy(PointwiseAveraging averaging)
    {
        var random = new Random(21);
        var shape = new SegmentationShape(2, 1, 4, 5);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2, ignore: 255, ignoreFraction: 0.2);
        double positives = labels.Count(l => l == 1), negatives = labels.Count(l => l == 0), n = positives + negatives;
        double sum = 0, weights = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (labels[i] == 255)
            {
                continue;
            }

            double p = 1 / (1 + Math.Exp(-x[i]));
            double w = labels[i] == 1 ? negatives / n : positives / n;
            sum += w * -(labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p));
            weights += w;
        }

        double expected = averaging switch
        {
            PointwiseAveraging.All => sum / labels.Length,
            PointwiseAveraging.Valid => sum / n,
            PointwiseAveraging.TargetWeight => sum / weights,
            _ => sum,
        };
        var loss = new BalancedBinaryCrossEntropyLoss(new BalancedBinaryCrossEntropyLossOptions { Averaging = averaging });
        Assert.AreEqual(expected, loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, 255)), 1e-12);
        GradientCheck.AssertMatches(loss, x, shape, TestTarget.FromLabels(labels, 255));
    }

    [TestMethod]
    public void OneSidedBatchesGiveZero()
    {
        var shape = new SegmentationShape(1, 1, 1, 3);
        ISegmentationLoss loss = Mmseg.BoundaryLoss();
        var gradient = new double[3];
        Assert.AreEqual(0, loss.Compute<double>([1, -2, 3], shape, SegmentationTarget<double>.FromLabels([1, 1, 255], 255), gradient));
        CollectionAssert.AreEqual(new double[3], gradient);
        Assert.AreEqual(0, loss.Compute<double>([1, -2, 3], shape, SegmentationTarget<double>.FromLabels([0, 0, 0])));
    }

    [TestMethod]
    public void DenseTargetsAreZeroOneOrNaN()
    {
        var random = new Random(22);
        var shape = new SegmentationShape(2, 1, 3, 3);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        double[] dense = Enumerable.Range(0, shape.ElementCount).Select(i => i % 7 == 3 ? double.NaN : i % 3 == 0 ? 1.0 : 0.0).ToArray();
        int[] labels = dense.Select(v => double.IsNaN(v) ? 255 : (int)v).ToArray();
        var loss = new BalancedBinaryCrossEntropyLoss();
        Assert.AreEqual(loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, 255)), loss.Compute<double>(x, shape, SegmentationTarget<double>.FromDense(dense)), 1e-15);
        GradientCheck.AssertMatches(loss, x, shape, TestTarget.FromDense(dense));
        dense[0] = 0.5;
        Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(x, shape, SegmentationTarget<double>.FromDense(dense)));
        Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[36], shape.WithClasses(2), SegmentationTarget<double>.FromLabels(labels, 255)));
    }

    [TestMethod]
    public void TheLossWeightScales()
    {
        var random = new Random(23);
        var shape = new SegmentationShape(1, 1, 4, 4);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2);
        double plain = Mmseg.BoundaryLoss().Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));
        Assert.AreEqual(20 * plain, Mmseg.BoundaryLoss(lossWeight: 20).Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12);
    }
}
