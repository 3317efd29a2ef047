using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// Kervadec's <see cref="BoundaryLoss"/> and its <see cref="SignedDistanceMap"/>: maps against an exhaustive search,
/// small cases by hand, the loss against p·φ written out, and the gradient against central finite differences.
/// </summary>
[TestClass]
public sealed class BoundaryLossTests
{
    [TestMethod]
    [DataRow(1.0, 1.0, false)]
    [DataRow(1.0, 2.0, false)]
    [DataRow(0.5, 1.5, true)]
    public void TheMapIsTheExhaustiveSignedDistance(double sy, double sx, bool truncate)
    {
        var random = new Random(5);
        const int h = 7, w = 9;
        byte[] mask = Enumerable.Range(0, h * w).Select(_ => random.NextDouble() < 0.35 ? (byte)1 : (byte)0).ToArray();
        var map = new double[h * w];
        SignedDistanceMap.Compute(mask, [h, w], [sy, sx], map, truncate: truncate);
        for (int i = 0; i < map.Length; i++)
        {
            // Outside: distance to the nearest inside pixel; inside: −(distance to the nearest outside pixel − 1).
            double nearest = double.PositiveInfinity;
            for (int j = 0; j < map.Length; j++)
            {
                if (mask[j] != mask[i])
                {
                    double dy = ((i / w) - (j / w)) * sy, dx = ((i % w) - (j % w)) * sx;
                    nearest = Math.Min(nearest, Math.Sqrt((dy * dy) + (dx * dx)));
                }
            }

            double expected = mask[i] != 0 ? 1 - nearest : nearest;
            Assert.AreEqual(truncate ? Math.Truncate(expected) : expected, map[i], 1e-12, $"pixel {i}");
        }
    }

    [TestMethod]
    public void ASmallMapByHand()
    {
        // One row 0 1 1 1 0: inside pixels 1 and 3 touch the outside (0), pixel 2 is one step deeper (−1).
        var map = new double[5];
        SignedDistanceMap.Compute([0, 1, 1, 1, 0], 1, 5, map);
        CollectionAssert.AreEqual(new double[] { 1, 0, -1, 0, 1 }, map);
    }

    [TestMethod]
    public void EmptyAndFullMasks()
    {
        var map = new double[6];
        SignedDistanceMap.Compute(new byte[6], 2, 3, map);
        CollectionAssert.AreEqual(new double[6], map, "an empty class has no map");
        byte[] full = Enumerable.Repeat((byte)1, 6).ToArray();
        SignedDistanceMap.Compute(full, 2, 3, map);
        CollectionAssert.AreEqual(new double[6], map, "a full class adds nothing by default");

        // SciPy: the distance to a virtual outside pixel just above row 0, √((i+1)² + j²); the map is 1 minus it.
        SignedDistanceMap.Compute(full, 2, 3, map, FullMaskDistance.ScipyVirtualOutside);
        double[] expected = { 0, 1 - Math.Sqrt(2), 1 - Math.Sqrt(5), -1, 1 - Math.Sqrt(5), 1 - Math.Sqrt(8) };
        for (int i = 0; i < 6; i++)
        {
            Assert.AreEqual(expected[i], map[i], 1e-12);
        }
    }

    [TestMethod]
    public void TheLossIsTheMeanOfProbabilityTimesMap()
    {
        var random = new Random(8);
        var shape = new SegmentationShape(2, 3, 5, 6);
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3, ignore: 255);
        var loss = new BoundaryLoss(new BoundaryLossOptions { ClassIndices = [2, 0] });
        double actual = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255));

        var p = new double[logits.Length];
        ActivationKernels.Softmax<double>(logits, shape, p);
        int s = shape.PixelsPerImage;
        double sum = 0, count = 0;
        for (int n = 0; n < 2; n++)
        {
            foreach (int k in new[] { 2, 0 })
            {
                byte[] mask = Enumerable.Range(0, s).Select(i => labels[(n * s) + i] == k ? (byte)1 : (byte)0).ToArray();
                var map = new double[s];
                SignedDistanceMap.Compute(mask, 5, 6, map);
                for (int i = 0; i < s; i++)
                {
                    if (labels[(n * s) + i] != 255)
                    {
                        sum += p[(((n * 3) + k) * s) + i] * map[i];
                        count++;
                    }
                }
            }
        }

        Assert.AreEqual(sum / count, actual, 1e-12);
    }

    [TestMethod]
    public void ProbabilityInsideTheClassLowersTheLoss()
    {
        // A 1×5 image whose class 1 is pixels 1..3: mass on the class beats mass outside it.
        var shape = new SegmentationShape(1, 2, 1, 5);
        int[] labels = [0, 1, 1, 1, 0];
        var loss = new BoundaryLoss(new BoundaryLossOptions { Activation = Activation.None });
        double[] right = [1, 0, 0, 0, 1, 0, 1, 1, 1, 0];
        double[] wrong = [0, 1, 1, 1, 0, 1, 0, 0, 0, 1];
        Assert.AreEqual(-1.0 / 5, loss.Compute<double>(right, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-15);
        Assert.AreEqual(2.0 / 5, loss.Compute<double>(wrong, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-15);
    }

    [TestMethod]
    [DataRow(Activation.Softmax, false)]
    [DataRow(Activation.Sigmoid, true)]
    [DataRow(Activation.None, false)]
    public void GradientMatchesFiniteDifferences(Activation activation, bool dense)
    {
        var random = new Random(9);
        var shape = new SegmentationShape(2, 3, 4, 5);
        double[] input = activation == Activation.None ? GradientCheck.RandomProbabilities(random, shape.ElementCount) : GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3, ignore: dense ? null : 255);
        TestTarget target = dense ? TestTarget.FromDense(OneHot(labels, shape)) : TestTarget.FromLabels(labels, 255);
        var options = new BoundaryLossOptions { Activation = activation, Spacing = [1, 1.5], TruncateDistances = dense, ClassIndices = activation == Activation.None ? [0, 1, 2] : null };
        GradientCheck.AssertMatches(new BoundaryLoss(options), input, shape, target);
    }

    [TestMethod]
    public void GradientWithOneSigmoidChannel()
    {
        var random = new Random(10);
        var shape = new SegmentationShape(2, 1, 5, 5);
        var loss = new BoundaryLoss(new BoundaryLossOptions { Activation = Activation.Sigmoid });
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, shape.ElementCount), shape, TestTarget.FromLabels(GradientCheck.RandomLabels(random, shape.PixelCount, 2)));
    }

    [TestMethod]
    public void ThePresetIsTheReferenceSurfaceLoss()
    {
        // SurfaceLoss(idc=[1]) on probabilities with int32 maps: the map of class 1 in 0 1 1 1 1 0 is 1 0 −1 −1 0 1
        // before truncation too (whole distances); a 1×6 row of probability 0.25 for class 1 averages to 0.
        var shape = new SegmentationShape(1, 2, 1, 6);
        double[] probabilities = [0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25];
        var loss = (BoundaryLoss)Kervadec.SurfaceLoss([1]);
        Assert.AreEqual(0, loss.Compute<double>(probabilities, shape, SegmentationTarget<double>.FromLabels([0, 1, 1, 1, 1, 0])), 1e-15);
        CollectionAssert.AreEqual(new double[] { 1, 0, -1, -1, 0, 1 }, loss.DistanceMaps(shape, SegmentationTarget<double>.FromLabels([0, 1, 1, 1, 1, 0])));
        Assert.IsTrue(loss.TruncateDistances);
        Assert.AreEqual(FullMaskDistance.ScipyVirtualOutside, loss.FullClass);
    }

    [TestMethod]
    public void BadOptionsAreRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new BoundaryLoss(new BoundaryLossOptions { Spacing = [1] }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new BoundaryLoss(new BoundaryLossOptions { Spacing = [1, 0] }));
        Assert.ThrowsExactly<ArgumentException>(() => new BoundaryLoss(new BoundaryLossOptions { ClassIndices = [1, 1] }));
        var loss = new BoundaryLoss(new BoundaryLossOptions { ClassIndices = [3] });
        var shape = new SegmentationShape(1, 3, 2, 2);
        Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[12], shape, SegmentationTarget<double>.FromLabels(new int[4])));
    }

    private static double[] OneHot(int[] labels, SegmentationShape shape)
    {
        int s = shape.PixelsPerImage;
        var dense = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                dense[(((n * shape.Classes) + labels[(n * s) + i]) * s) + i] = 1;
            }
        }

        return dense;
    }
}
