using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>Perfect, disjoint, empty-class and ignore cases, and float32 against float64.</summary>
[TestClass]
public sealed class LossBehaviourTests
{
    private static readonly SegmentationShape Shape = new(2, 3, 4, 4);

    [TestMethod]
    public void PerfectPredictionsGiveZeroOverlapLoss()
    {
        var random = new Random(31);
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 3);
        double[] probabilities = LossProblemOneHot(labels);
        var target = SegmentationTarget<double>.FromLabels(labels);
        foreach (OverlapLoss loss in new OverlapLoss[] { new DiceLoss(new() { Activation = Activation.None }), new JaccardLoss(new() { Activation = Activation.None }), new TverskyLoss(new() { Activation = Activation.None, Alpha = 0.3, Beta = 0.7 }) })
        {
            Assert.AreEqual(0, loss.Compute<double>(probabilities, Shape, target), 1e-12, loss.Name);
        }
    }

    [TestMethod]
    public void DisjointPredictionsGiveOneOverlapLoss()
    {
        var random = new Random(32);
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 3);
        int[] shifted = labels.Select(l => (l + 1) % 3).ToArray();
        double[] probabilities = LossProblemOneHot(shifted);
        Assert.AreEqual(1, new DiceLoss(new() { Activation = Activation.None }).Compute<double>(probabilities, Shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12);
    }

    [TestMethod]
    public void EmptyClassPolicies()
    {
        // Class 2 never occurs in the target but is predicted everywhere at 1/3.
        var random = new Random(33);
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 2);
        double[] probabilities = Enumerable.Repeat(1.0 / 3, Shape.ElementCount).ToArray();
        double[] Terms(EmptyTargetPolicy policy) => new DiceLoss(new() { Activation = Activation.None, EmptyTarget = policy, SmoothNumerator = 1e-5, SmoothDenominator = 1e-5 })
            .ComputeTerms<double>(probabilities, Shape, SegmentationTarget<double>.FromLabels(labels));

        Assert.AreEqual(0, Terms(EmptyTargetPolicy.ZeroLoss)[2]);
        Assert.IsTrue(double.IsNaN(Terms(EmptyTargetPolicy.Exclude)[2]));
        Assert.AreEqual(1, Terms(EmptyTargetPolicy.Compute)[2], 1e-6);
        double excluded = new DiceLoss(new() { Activation = Activation.None, EmptyTarget = EmptyTargetPolicy.Exclude }).Compute<double>(probabilities, Shape, SegmentationTarget<double>.FromLabels(labels));
        double[] kept = Terms(EmptyTargetPolicy.Exclude);
        Assert.AreEqual((kept[0] + kept[1]) / 2, excluded, 1e-6);
    }

    [TestMethod]
    public void IgnoredPixelsDoNotChangeTheLoss()
    {
        var random = new Random(34);
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 3);
        double[] logits = GradientCheck.RandomInput(random, Shape.ElementCount);
        int[] withIgnored = (int[])labels.Clone();
        double[] scrambled = (double[])logits.Clone();
        int s = Shape.PixelsPerImage;
        foreach (int pixel in new[] { 0, 5, 17, 30 })
        {
            withIgnored[pixel] = 255;
            for (int k = 0; k < 3; k++)
            {
                scrambled[((((pixel / s) * 3) + k) * s) + (pixel % s)] = random.NextDouble() * 10;
            }
        }

        foreach (ISegmentationLoss loss in new ISegmentationLoss[] { new CrossEntropyLoss(), new DiceLoss(), new FocalLoss(), new TverskyLoss(new() { PerImage = true }) })
        {
            double a = loss.Compute<double>(logits, Shape, SegmentationTarget<double>.FromLabels(withIgnored, 255));
            double b = loss.Compute<double>(scrambled, Shape, SegmentationTarget<double>.FromLabels(withIgnored, 255));
            Assert.AreEqual(a, b, 1e-12, $"{loss.Name}: the logits of ignored pixels changed the loss");
            var gradient = new double[Shape.ElementCount];
            loss.Compute<double>(scrambled, Shape, SegmentationTarget<double>.FromLabels(withIgnored, 255), gradient);
            for (int k = 0; k < 3; k++)
            {
                Assert.AreEqual(0, gradient[(k * s) + 5], $"{loss.Name}: ignored pixel 5 got a gradient in channel {k}");
            }
        }
    }

    [TestMethod]
    public void SinglePrecisionMatchesDoublePrecision()
    {
        var random = new Random(35);
        var shape = new SegmentationShape(2, 5, 37, 41); // odd sizes: SIMD tails and several chunks
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 5, ignore: 255);
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount, 4);
        float[] logitsF = logits.Select(v => (float)v).ToArray();
        foreach (ISegmentationLoss loss in new ISegmentationLoss[] { new CrossEntropyLoss(new() { LabelSmoothing = 0.1 }), new DiceLoss(), new FocalLoss(), new GeneralizedDiceLoss(), new TverskyLoss(new() { Alpha = 0.3, Beta = 0.7 }) })
        {
            var gd = new double[logits.Length];
            var gf = new float[logits.Length];
            double d = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255), gd);
            double f = loss.Compute<float>(logitsF, shape, SegmentationTarget<float>.FromLabels(labels, 255), gf);
            Assert.AreEqual(d, f, 1e-5 * Math.Max(1, Math.Abs(d)), loss.Name);
            double scale = gd.Max(Math.Abs);
            for (int i = 0; i < gd.Length; i++)
            {
                Assert.AreEqual(gd[i], gf[i], 1e-4 * scale, $"{loss.Name} gradient {i}");
            }
        }
    }

    private static double[] LossProblemOneHot(int[] labels)
    {
        var p = new double[Shape.ElementCount];
        int s = Shape.PixelsPerImage;
        for (int i = 0; i < labels.Length; i++)
        {
            p[((((i / s) * 3) + labels[i]) * s) + (i % s)] = 1;
        }

        return p;
    }
}
