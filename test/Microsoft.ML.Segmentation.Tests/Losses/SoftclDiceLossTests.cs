using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="ClDiceLoss"/> (MONAI <c>SoftclDiceLoss</c> / <c>SoftDiceclDiceLoss</c>) and the soft-skeleton kernel:
/// pools against a window-by-window brute force, the loss against the formula written out here, and the gradient
/// against central finite differences on random inputs (distinct values, so no pooling window ties).
/// </summary>
[TestClass]
public sealed class SoftclDiceLossTests
{
    [TestMethod]
    [DataRow(new[] { 6, 7 })]
    [DataRow(new[] { 3, 4, 5 })]
    [DataRow(new[] { 1, 9 })]
    public void PoolsMatchTheBruteForceWindows(int[] axes)
    {
        var random = new Random(3);
        int s = axes.Aggregate(1, (a, b) => a * b);
        double[] x = Enumerable.Range(0, s).Select(_ => random.NextDouble()).ToArray();
        var eroded = new double[s];
        var dilated = new double[s];
        var picks = new int[s];
        SoftSkeleton.Erode(x, axes, eroded, picks);
        for (int i = 0; i < s; i++)
        {
            Assert.AreEqual(x[picks[i]], eroded[i], 0, "the pick is the value");
        }

        SoftSkeleton.Dilate(x, axes, dilated, picks);
        CollectionAssert.AreEqual(Reference.Erode(x, axes), eroded);
        CollectionAssert.AreEqual(Reference.Dilate(x, axes), dilated);
        for (int i = 0; i < s; i++)
        {
            Assert.AreEqual(x[picks[i]], dilated[i], 0, "the pick is the value");
        }
    }

    [TestMethod]
    public void SkeletonMatchesTheReferenceAndOfAnAllOnesImageIsZero()
    {
        var random = new Random(4);
        int[] axes = [7, 8];
        double[] x = Enumerable.Range(0, 56).Select(_ => random.NextDouble()).ToArray();
        foreach (int iterations in new[] { 0, 1, 3, 5 })
        {
            double[] expected = Reference.Skeleton(x, axes, iterations);
            double[] actual = SoftSkeleton.Skeletonize(x, axes, iterations);
            CollectionAssert.AreEqual(actual, SoftSkeleton.Skeletonize(x, axes, iterations, new SoftSkeletonTape()), "the taped pass computes the same skeleton");
            for (int i = 0; i < x.Length; i++)
            {
                Assert.AreEqual(expected[i], actual[i], 1e-15, $"iter {iterations}, element {i}");
            }
        }

        Assert.IsTrue(SoftSkeleton.Skeletonize(Enumerable.Repeat(1.0, 56).ToArray(), axes, 3).All(v => v == 0));
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void SkeletonBackwardMatchesFiniteDifferences(int dimensions)
    {
        var random = new Random(5 + dimensions);
        int[] axes = dimensions == 2 ? [6, 7] : [3, 4, 5];
        int s = axes.Aggregate(1, (a, b) => a * b);
        double[] x = Enumerable.Range(0, s).Select(_ => random.NextDouble()).ToArray();
        double[] weights = Enumerable.Range(0, s).Select(_ => random.NextDouble() - 0.5).ToArray();
        double Objective(double[] v) => SoftSkeleton.Skeletonize(v, axes, 3).Zip(weights, (a, b) => a * b).Sum();

        var tape = new SoftSkeletonTape();
        SoftSkeleton.Skeletonize(x, axes, 3, tape);
        var analytic = new double[s];
        SoftSkeleton.Backward(tape, weights, analytic);
        const double Step = 1e-7;
        for (int i = 0; i < s; i++)
        {
            double saved = x[i];
            x[i] = saved + Step;
            double plus = Objective(x);
            x[i] = saved - Step;
            double minus = Objective(x);
            x[i] = saved;
            Assert.AreEqual((plus - minus) / (2 * Step), analytic[i], 1e-6, $"∂/∂x[{i}]");
        }

        Assert.IsTrue(analytic.Any(g => g != 0), "the check is not vacuous");
    }

    [TestMethod]
    [DataRow(1.0, false, 1.0, 3)]
    [DataRow(0.5, false, 1.0, 3)]
    [DataRow(0.3, true, 1e-3, 1)]
    [DataRow(0.0, false, 0.5, 2)]
    public void MatchesTheFormula(double alpha, bool background, double smooth, int iterations)
    {
        var random = new Random(11);
        var shape = new SegmentationShape(2, 3, 6, 7);
        double[] p = GradientCheck.RandomProbabilities(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        var options = new ClDiceLossOptions { Alpha = alpha, IncludeBackground = background, Smooth = smooth, Iterations = iterations };
        double expected = Reference.Loss(p, OneHot(labels, shape), shape, [6, 7], options);
        double actual = new ClDiceLoss(options).Compute<double>(p, shape, SegmentationTarget<double>.FromLabels(labels));
        Assert.AreEqual(expected, actual, 1e-12);
        Assert.IsTrue(actual > 0.05, $"a random prediction has a clearly positive loss ({actual})");
    }

    [TestMethod]
    public void IsSymmetricInPredictionAndTargetAndZeroWhenAllOnes()
    {
        // MONAI's forward(y_true, y_pred) order does not change the value: 2PR/(P + R) and soft Dice are symmetric.
        var random = new Random(12);
        var shape = new SegmentationShape(1, 2, 8, 8);
        double[] a = GradientCheck.RandomProbabilities(random, shape.ElementCount);
        double[] b = GradientCheck.RandomProbabilities(random, shape.ElementCount);
        var loss = new ClDiceLoss(new ClDiceLossOptions { Alpha = 0.5 });
        Assert.AreEqual(loss.Compute<double>(a, shape, SegmentationTarget<double>.FromDense(b)), loss.Compute<double>(b, shape, SegmentationTarget<double>.FromDense(a)), 1e-14);
        double[] ones = Enumerable.Repeat(1.0, shape.ElementCount).ToArray();
        Assert.AreEqual(0, loss.Compute<double>(ones, shape, SegmentationTarget<double>.FromDense(ones)), 1e-15);
    }

    public static IEnumerable<object[]> GradientSettings()
    {
        yield return new object[] { Activation.None, 1.0, false, false };
        yield return new object[] { Activation.None, 0.5, true, false };
        yield return new object[] { Activation.Softmax, 0.5, false, false };
        yield return new object[] { Activation.Sigmoid, 0.7, true, false };
        yield return new object[] { Activation.Softmax, 1.0, false, true };
    }

    [TestMethod]
    [DynamicData(nameof(GradientSettings))]
    public void GradientMatchesFiniteDifferences(Activation activation, double alpha, bool background, bool volume)
    {
        var random = new Random(13);
        var shape = volume ? new SegmentationShape(1, 2, 1, 3 * 4 * 4) : new SegmentationShape(2, 3, 5, 6);
        var options = new ClDiceLossOptions { Activation = activation, Alpha = alpha, IncludeBackground = background, SpatialShape = volume ? [3, 4, 4] : null };
        double[] input = activation == Activation.None ? GradientCheck.RandomProbabilities(random, shape.ElementCount) : GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        GradientCheck.AssertMatches(new ClDiceLoss(options), input, shape, TestTarget.FromLabels(labels), step: 1e-7, tolerance: 1e-6);
    }

    [TestMethod]
    public void GradientWithOneChannelAndSoftTargets()
    {
        var random = new Random(14);
        var shape = new SegmentationShape(2, 1, 6, 5);
        double[] input = GradientCheck.RandomInput(random, shape.ElementCount);
        double[] soft = GradientCheck.RandomProbabilities(random, shape.ElementCount);
        GradientCheck.AssertMatches(new ClDiceLoss(new ClDiceLossOptions { Activation = Activation.Sigmoid, Alpha = 0.5 }), input, shape, TestTarget.FromDense(soft), step: 1e-7);
    }

    [TestMethod]
    public void RefusesWhatItCannotCompute()
    {
        var shape = new SegmentationShape(1, 2, 3, 3);
        double[] p = Enumerable.Repeat(0.5, shape.ElementCount).ToArray();
        int[] labels = [0, 1, 255, 0, 1, 0, 1, 0, 1];
        var loss = new ClDiceLoss();
        Assert.Throws<ArgumentException>(() => loss.Compute<double>(p, shape, SegmentationTarget<double>.FromLabels(labels, 255)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClDiceLoss(new ClDiceLossOptions { Alpha = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClDiceLoss(new ClDiceLossOptions { Iterations = -1 }));
        Assert.Throws<ArgumentException>(() => new ClDiceLoss(new ClDiceLossOptions { SpatialShape = [2, 2] }).Compute<double>(p, shape, SegmentationTarget<double>.FromLabels([0, 1, 1, 0, 1, 0, 1, 0, 1])));
        Assert.Throws<NotSupportedException>(() => Monai.SoftclDiceLoss().ForChannels(1));
    }

    [TestMethod]
    public void PresetsAreTheLossWithMonaiDefaults()
    {
        var shape = new SegmentationShape(1, 2, 5, 5);
        var random = new Random(15);
        double[] p = GradientCheck.RandomProbabilities(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2);
        SegmentationTarget<double> target = SegmentationTarget<double>.FromLabels(labels);
        Assert.AreEqual(new ClDiceLoss().Compute<double>(p, shape, target), Monai.SoftclDiceLoss().Compute<double>(p, shape, target), 0);
        Assert.AreEqual(new ClDiceLoss(new ClDiceLossOptions { Alpha = 0.5 }).Compute<double>(p, shape, target), Monai.SoftDiceclDiceLoss().Compute<double>(p, shape, target), 0);
    }

    private static double[] OneHot(int[] labels, SegmentationShape shape)
    {
        var dense = new double[shape.ElementCount];
        int s = shape.PixelsPerImage;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                dense[((n * shape.Classes) + labels[(n * s) + i]) * s + i] = 1;
            }
        }

        return dense;
    }

    /// <summary>Window-by-window pools and the clDice formula, written out without the kernel.</summary>
    private static class Reference
    {
        public static double[] Erode(double[] x, int[] axes) => Pool(x, axes, cross: true);

        public static double[] Dilate(double[] x, int[] axes) => Pool(x, axes, cross: false);

        public static double[] Skeleton(double[] x, int[] axes, int iterations)
        {
            double[] Open(double[] v) => Dilate(Erode(v, axes), axes);
            double[] image = x;
            double[] opened = Open(image);
            double[] skeleton = image.Zip(opened, (a, b) => Math.Max(a - b, 0)).ToArray();
            for (int j = 0; j < iterations; j++)
            {
                image = Erode(image, axes);
                opened = Open(image);
                double[] delta = image.Zip(opened, (a, b) => Math.Max(a - b, 0)).ToArray();
                skeleton = skeleton.Select((k, i) => k + Math.Max(delta[i] - (k * delta[i]), 0)).ToArray();
            }

            return skeleton;
        }

        public static double Loss(double[] p, double[] t, SegmentationShape shape, int[] axes, ClDiceLossOptions options)
        {
            int s = shape.PixelsPerImage;
            int first = options.IncludeBackground ? 0 : 1;
            double spt = 0, sp = 0, stp = 0, st = 0, tp = 0, ts = 0, ps = 0;
            for (int n = 0; n < shape.Batch; n++)
            {
                for (int c = first; c < shape.Classes; c++)
                {
                    double[] pr = p.Skip(((n * shape.Classes) + c) * s).Take(s).ToArray();
                    double[] tr = t.Skip(((n * shape.Classes) + c) * s).Take(s).ToArray();
                    double[] kp = Skeleton(pr, axes, options.Iterations);
                    double[] kt = Skeleton(tr, axes, options.Iterations);
                    for (int i = 0; i < s; i++)
                    {
                        spt += kp[i] * tr[i];
                        sp += kp[i];
                        stp += kt[i] * pr[i];
                        st += kt[i];
                        tp += tr[i] * pr[i];
                        ts += tr[i];
                        ps += pr[i];
                    }
                }
            }

            double precision = (spt + options.Smooth) / (sp + options.Smooth);
            double sensitivity = (stp + options.Smooth) / (st + options.Smooth);
            double clDice = 1 - (2 * precision * sensitivity / (precision + sensitivity));
            double dice = 1 - (((2 * tp) + options.Smooth) / (ts + ps + options.Smooth));
            return ((1 - options.Alpha) * dice) + (options.Alpha * clDice);
        }

        /// <summary>Each element's window (the cross or the full 3×…×3 box), clipped to the image, by coordinates.</summary>
        private static double[] Pool(double[] x, int[] axes, bool cross)
        {
            var result = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                int[] at = Coordinates(i, axes);
                double best = cross ? double.PositiveInfinity : double.NegativeInfinity;
                foreach (int[] offset in Offsets(axes.Length))
                {
                    int moved = offset.Count(o => o != 0);
                    if (cross && moved > 1)
                    {
                        continue;
                    }

                    int[] other = at.Zip(offset, (a, o) => a + o).ToArray();
                    if (other.Where((v, a) => v < 0 || v >= axes[a]).Any())
                    {
                        continue;
                    }

                    double v = x[Index(other, axes)];
                    best = cross ? Math.Min(best, v) : Math.Max(best, v);
                }

                result[i] = best;
            }

            return result;
        }

        private static IEnumerable<int[]> Offsets(int rank)
        {
            int count = (int)Math.Pow(3, rank);
            for (int k = 0; k < count; k++)
            {
                var offset = new int[rank];
                int rest = k;
                for (int a = 0; a < rank; a++)
                {
                    offset[a] = (rest % 3) - 1;
                    rest /= 3;
                }

                yield return offset;
            }
        }

        private static int[] Coordinates(int index, int[] axes)
        {
            var at = new int[axes.Length];
            for (int a = axes.Length - 1; a >= 0; a--)
            {
                at[a] = index % axes[a];
                index /= axes[a];
            }

            return at;
        }

        private static int Index(int[] at, int[] axes)
        {
            int index = 0;
            for (int a = 0; a < axes.Length; a++)
            {
                index = (index * axes[a]) + at[a];
            }

            return index;
        }
    }
}
