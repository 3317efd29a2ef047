using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="OhemCrossEntropyLoss"/>: the selection and value against a brute-force reading of mmseg's rules, small
/// cases by hand, mmseg's NaN and 0, and the gradient (selection held fixed) against central finite differences.
/// </summary>
[TestClass]
public sealed class OhemCrossEntropyLossTests
{
    private const int Ignore = 255;

    [TestMethod]
    public void ThreePixelsByHand()
    {
        // Target probabilities 0.5, 0.8 and 0.9 (two classes); threshold 0.6, min_kept 1: the floor is the probability at
        // rank 1 of the ascending order (0.8), so the cut is max(0.8, 0.6) and only pixel 0 is strictly below it.
        var shape = new SegmentationShape(1, 2, 1, 3);
        double Logit(double p) => Math.Log(p / (1 - p));
        double[] x = [0, Logit(0.8), Logit(0.9), 0, 0, 0];
        int[] labels = [0, 0, 0];
        var loss = new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { Threshold = 0.6, MinKept = 1 });
        CollectionAssert.AreEqual(new[] { true, false, false }, loss.SelectHardPixels<double>(x, shape, SegmentationTarget<double>.FromLabels(labels)));
        Assert.AreEqual(-Math.Log(0.5), loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12);

        // min_kept 2 raises the floor to the third (0.9): pixels below 0.9 are kept.
        var more = new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { Threshold = 0.6, MinKept = 2 });
        Assert.AreEqual((-Math.Log(0.5) - Math.Log(0.8)) / 2, more.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12);
    }

    public static IEnumerable<object[]> Settings()
    {
        yield return new object[] { 0.7, 5, false, OhemAveraging.Selected, false };
        yield return new object[] { 0.3, 4, true, OhemAveraging.AllPixels, true };
        yield return new object[] { 0.5, 100000, false, OhemAveraging.SelectedWeight, true }; // min_kept above the pixel count: all but the most confident
        yield return new object[] { -1.0, 6, true, OhemAveraging.ValidPixels, true };
        yield return new object[] { -1.0, 3, false, OhemAveraging.Sum, false };
    }

    [TestMethod]
    [DynamicData(nameof(Settings))]
    public void MatchesTheBruteForceSelectionAndItsGradient(double threshold, int minKept, bool perImage, OhemAveraging averaging, bool weighted)
    {
        var random = new Random(41 + minKept);
        var shape = new SegmentationShape(2, 4, 3, 5);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 4, Ignore, 0.2);
        double[]? weights = weighted ? [1, 2, 0.5, 1.5] : null;
        var options = new OhemCrossEntropyLossOptions
        {
            Threshold = threshold < 0 ? null : threshold,
            MinKept = minKept,
            MinKeptPerImage = perImage,
            Averaging = averaging,
            ClassWeights = weights,
        };
        var loss = new OhemCrossEntropyLoss(options);

        // Brute force: p_t and w_t·CE per valid pixel, then mmseg's rule written directly.
        var p = new double[x.Length];
        ActivationKernels.Softmax<double>(x, shape, p);
        int s = shape.PixelsPerImage;
        var valid = Enumerable.Range(0, shape.PixelCount).Where(i => labels[i] != Ignore).ToList();
        double Pt(int i) => p[((((i / s) * 4) + labels[i]) * s) + (i % s)];
        double Ce(int i) => -(weights?[labels[i]] ?? 1) * Math.Log(Pt(i));
        long keep = perImage ? (long)minKept * shape.Batch : minKept;
        HashSet<int> kept;
        if (options.Threshold is double t)
        {
            double floor = valid.Select(Pt).Order().ElementAt((int)Math.Min(keep, valid.Count - 1));
            kept = valid.Where(i => Pt(i) < Math.Max(floor, t)).ToHashSet();
        }
        else
        {
            kept = valid.OrderByDescending(Ce).Take((int)Math.Min(keep, valid.Count)).ToHashSet();
        }

        bool[] selection = loss.SelectHardPixels<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore));
        CollectionAssert.AreEqual(Enumerable.Range(0, shape.PixelCount).Select(kept.Contains).ToArray(), selection);
        double sum = kept.Sum(Ce);
        double denominator = averaging switch
        {
            OhemAveraging.Selected => kept.Count,
            OhemAveraging.SelectedWeight => kept.Sum(i => weights?[labels[i]] ?? 1),
            OhemAveraging.AllPixels => shape.PixelCount,
            OhemAveraging.ValidPixels => valid.Count,
            _ => 1,
        };
        Assert.IsTrue(kept.Count > 0 && kept.Count < valid.Count, $"the case selects some pixels, not all: {kept.Count} of {valid.Count}");
        Assert.AreEqual(sum / denominator, loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore)), 1e-12);
        GradientCheck.AssertMatches(loss, x, shape, TestTarget.FromLabels(labels, Ignore));
    }

    /// <summary>
    /// Images of many chunks on several threads (8777 pixels each: nine chunks, the last 585), a threshold that keeps
    /// some pixels and MinKept that sets the floor, and ranking by loss: double against the brute-force rules exactly
    /// (the selection) and to 1e-12 (value and gradient, w_t·(p_c − [c = t])/kept), float to float's precision.
    /// </summary>
    [TestMethod]
    [DataRow(0.3, 20000)]
    [DataRow(0.9, 500)]
    [DataRow(-1.0, 12000)]
    public void ManyChunksMatchTheBruteForceInDoubleAndFloat(double threshold, int minKept)
    {
        var random = new Random(61 + minKept);
        var shape = new SegmentationShape(2, 5, 67, 131);
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount, 4);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 5, Ignore, 0.1);
        double[] weights = [1, 2, 0.5, 1.5, 1];
        var loss = new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { Threshold = threshold < 0 ? null : threshold, MinKept = minKept, ClassWeights = weights });

        var p = new double[x.Length];
        ActivationKernels.Softmax<double>(x, shape, p);
        int s = shape.PixelsPerImage, c = shape.Classes;
        var valid = Enumerable.Range(0, shape.PixelCount).Where(i => labels[i] != Ignore).ToList();
        int Element(int pixel, int k) => ((((pixel / s) * c) + k) * s) + (pixel % s);
        double Pt(int i) => p[Element(i, labels[i])];
        double Ce(int i) => -weights[labels[i]] * Math.Log(Pt(i));
        HashSet<int> kept = threshold >= 0
            ? valid.Where(i => Pt(i) < Math.Max(valid.Select(Pt).Order().ElementAt(Math.Min(minKept, valid.Count - 1)), threshold)).ToHashSet()
            : valid.OrderByDescending(Ce).Take(Math.Min(minKept, valid.Count)).ToHashSet();
        Assert.IsTrue(kept.Count > 0 && kept.Count < valid.Count, $"the case keeps some pixels, not all: {kept.Count} of {valid.Count}");
        double expected = kept.Sum(Ce) / kept.Count;
        var expectedGradient = new double[x.Length];
        foreach (int i in kept)
        {
            for (int k = 0; k < c; k++)
            {
                expectedGradient[Element(i, k)] = weights[labels[i]] * (p[Element(i, k)] - (k == labels[i] ? 1 : 0)) / kept.Count;
            }
        }

        var target = SegmentationTarget<double>.FromLabels(labels, Ignore);
        CollectionAssert.AreEqual(Enumerable.Range(0, shape.PixelCount).Select(kept.Contains).ToArray(), loss.SelectHardPixels<double>(x, shape, target));
        var gradient = new double[x.Length];
        Assert.AreEqual(expected, loss.Compute<double>(x, shape, target, gradient), 1e-12 * expected);
        for (int e = 0; e < x.Length; e++)
        {
            Assert.AreEqual(expectedGradient[e], gradient[e], 1e-12, $"double gradient[{e}]");
        }

        float[] xf = x.Select(v => (float)v).ToArray();
        var gradientF = new float[x.Length];
        double actualF = loss.Compute<float>(xf, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), gradientF);
        Assert.AreEqual(expected, actualF, 1e-5 * expected, "float value");
        for (int e = 0; e < x.Length; e++)
        {
            Assert.AreEqual(expectedGradient[e], gradientF[e], 1e-5 * Math.Max(Math.Abs(expectedGradient[e]), 1.0 / kept.Count), $"float gradient[{e}]");
        }
    }

    [TestMethod]
    [DataRow(double.NaN, 5000)]
    [DataRow(double.PositiveInfinity, 77)]
    [DataRow(double.NegativeInfinity, 61234)]
    [DataRow(double.NaN, 87769)] // the last element (image 1, channel 4, pixel 8776): a chunk tail, the scalar kernel's
    public void NonFiniteLogitsAreNamedInFloatAndDouble(double value, int element)
    {
        // The finite check runs inside the pass over the logits (the vector kernel's first pass in float, the guard
        // before the scalar kernel in double): the same message, index and parameter either way, with and without a gradient.
        var shape = new SegmentationShape(2, 5, 67, 131);
        var random = new Random(5);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 5, Ignore, 0.1);
        element = Math.Min(element, shape.ElementCount - 1);
        x[element] = value;
        var loss = new OhemCrossEntropyLoss();
        float[] xf = x.Select(v => (float)v).ToArray();
        foreach (bool withGradient in new[] { false, true })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), withGradient ? new double[x.Length] : default));
            var f = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(xf, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), withGradient ? new float[x.Length] : default));
            foreach (ArgumentException thrown in new[] { e, f })
            {
                Assert.AreEqual("input", thrown.ParamName);
                StringAssert.Contains(thrown.Message, $"at element {element}");
            }
        }

        Assert.ThrowsExactly<ArgumentException>(() => loss.SelectHardPixels<float>(xf, shape, SegmentationTarget<float>.FromLabels(labels, Ignore)));
    }

    [TestMethod]
    public void NaNWhenNothingIsBelowTheThresholdAndZeroWhenAllIgnored()
    {
        // One valid pixel: the floor is its own probability and nothing is strictly below it (mmseg gives NaN).
        var shape = new SegmentationShape(1, 2, 1, 2);
        double[] x = [2, 0, 0, 1];
        ISegmentationLoss mmseg = Mmseg.OhemCrossEntropy(thres: 0.1);
        var gradient = new double[4];
        Assert.IsTrue(double.IsNaN(mmseg.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels([0, Ignore], Ignore), gradient)));
        CollectionAssert.AreEqual(new double[4], gradient, "no pixel is kept, so no gradient");
        Assert.AreEqual(0, new OhemCrossEntropyLoss().Compute<double>(x, shape, SegmentationTarget<double>.FromLabels([0, Ignore], Ignore)), "SegML's default gives 0");
        Assert.AreEqual(0, mmseg.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels([Ignore, Ignore], Ignore)), "every pixel ignored: 0, as mmseg");
    }

    [TestMethod]
    public void TheSamplerKeepsMinKeptPerImageByLoss()
    {
        var random = new Random(44);
        var shape = new SegmentationShape(3, 3, 4, 4);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3, Ignore);
        var loss = (OhemCrossEntropyLoss)((IgnoreIndexLoss)Mmseg.OhemPixelSampler(minKept: 5)).Inner;
        Assert.AreEqual(15, loss.SelectHardPixels<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore)).Count(k => k));
        Assert.ThrowsExactly<ArgumentException>(() => Mmseg.OhemPixelSampler(minKept: 1));
    }

    [TestMethod]
    public void BadInputsAreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { MinKept = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { Threshold = 1.5 }));
        Assert.ThrowsExactly<ArgumentException>(() => new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { ClassWeights = [1, -1] }));
        var shape = new SegmentationShape(1, 2, 1, 2);
        Assert.ThrowsExactly<ArgumentException>(() => new OhemCrossEntropyLoss().Compute<double>(new double[4], shape, SegmentationTarget<double>.FromDense(new double[4])));

        // mmseg's sampler asserts that logits and labels have the same size (its 45×45 against 89×89 test).
        Assert.ThrowsExactly<ArgumentException>(() => new OhemCrossEntropyLoss().SelectHardPixels<double>(new double[4], shape, SegmentationTarget<double>.FromLabels(new int[3])));
    }
}
