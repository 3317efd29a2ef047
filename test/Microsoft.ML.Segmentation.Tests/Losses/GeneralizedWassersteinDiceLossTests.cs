using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="GeneralizedWassersteinDiceLoss"/> (MONAI <c>GeneralizedWassersteinDiceLoss</c> with PR #8744's per-image
/// semantics): the value against the formula written out pixel by pixel, one image of a batch against that image
/// alone, and the gradient against central finite differences.
/// </summary>
[TestClass]
public sealed class GeneralizedWassersteinDiceLossTests
{
    // Largest entry 2: the loss must divide by it, as MONAI does.
    private static readonly double[][] Matrix = [[0, 1, 2], [1, 0, 0.5], [2, 0.5, 0]];

    [TestMethod]
    [DataRow(WassersteinDiceWeighting.Default, LossReduction.Mean)]
    [DataRow(WassersteinDiceWeighting.GeneralizedDice, LossReduction.Mean)]
    [DataRow(WassersteinDiceWeighting.Default, LossReduction.Sum)]
    [DataRow(WassersteinDiceWeighting.GeneralizedDice, LossReduction.Sum)]
    public void MatchesTheFormula(WassersteinDiceWeighting weighting, LossReduction reduction)
    {
        var random = new Random(21);
        var shape = new SegmentationShape(3, 3, 4, 5);
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3);
        var options = new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = Matrix, Weighting = weighting, Reduction = reduction, SmoothNumerator = 1e-3, SmoothDenominator = 1e-2 };
        double[] perImage = Reference(logits, labels, shape, options);
        double expected = reduction == LossReduction.Mean ? perImage.Average() : perImage.Sum();
        var loss = new GeneralizedWassersteinDiceLoss(options);
        Assert.AreEqual(expected, loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12);
        double[] terms = loss.ComputeTerms<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels));
        for (int n = 0; n < shape.Batch; n++)
        {
            Assert.AreEqual(perImage[n], terms[n], 1e-12);
        }
    }

    [TestMethod]
    public void EachImageOfABatchIsItsOwnLoss()
    {
        // MONAI ≤ 1.5.0 mixed the images of a batch (issue #4650); per image, a batch's terms are the images' own losses.
        var random = new Random(22);
        var shape = new SegmentationShape(3, 3, 3, 4);
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3);
        var loss = new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = Matrix, Weighting = WassersteinDiceWeighting.GeneralizedDice });
        double[] terms = loss.ComputeTerms<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels));
        var one = new SegmentationShape(1, 3, 3, 4);
        for (int n = 0; n < shape.Batch; n++)
        {
            double alone = loss.Compute<double>(logits.AsSpan(n * one.ElementCount, one.ElementCount), one, SegmentationTarget<double>.FromLabels(labels.AsSpan(n * one.PixelCount, one.PixelCount)));
            Assert.AreEqual(alone, terms[n], 1e-14, $"image {n}");
        }

        Assert.AreNotEqual(terms[0], terms[1], "the images differ, so the check is not vacuous");
    }

    [TestMethod]
    public void PerfectAndWorstPredictionsGiveZeroAndOne()
    {
        // MONAI test_bin_seg_2d: logits 1000·one_hot(target) → 0, 1000·one_hot(1 − target) → 1.
        var shape = new SegmentationShape(1, 2, 4, 4);
        int[] labels = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
        double[] good = new double[32], poor = new double[32];
        for (int i = 0; i < 16; i++)
        {
            good[(labels[i] * 16) + i] = 1000;
            poor[((1 - labels[i]) * 16) + i] = 1000;
        }

        foreach (WassersteinDiceWeighting weighting in new[] { WassersteinDiceWeighting.Default, WassersteinDiceWeighting.GeneralizedDice })
        {
            var loss = new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1], [1, 0]], Weighting = weighting });
            Assert.AreEqual(0, loss.Compute<double>(good, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-4);
            Assert.AreEqual(1, loss.Compute<double>(poor, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-4);
        }
    }

    public static IEnumerable<object[]> GradientSettings()
    {
        foreach (WassersteinDiceWeighting weighting in new[] { WassersteinDiceWeighting.Default, WassersteinDiceWeighting.GeneralizedDice })
        {
            yield return new object[] { weighting, Activation.Softmax, LossReduction.Mean, false, false };
            yield return new object[] { weighting, Activation.Softmax, LossReduction.Sum, true, false };
            yield return new object[] { weighting, Activation.None, LossReduction.Mean, false, true };
        }
    }

    [TestMethod]
    [DynamicData(nameof(GradientSettings))]
    public void GradientMatchesFiniteDifferences(WassersteinDiceWeighting weighting, Activation activation, LossReduction reduction, bool ignored, bool soft)
    {
        var random = new Random(23);
        var shape = new SegmentationShape(2, 3, 3, 4);
        var options = new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = Matrix, Weighting = weighting, Activation = activation, Reduction = reduction };
        double[] input = activation == Activation.None ? GradientCheck.RandomProbabilities(random, shape.ElementCount) : GradientCheck.RandomInput(random, shape.ElementCount);
        TestTarget target = soft
            ? TestTarget.FromDense(GradientCheck.RandomProbabilities(random, shape.ElementCount))
            : TestTarget.FromLabels(GradientCheck.RandomLabels(random, shape.PixelCount, 3, ignored ? 255 : null), ignored ? 255 : null);
        GradientCheck.AssertMatches(new GeneralizedWassersteinDiceLoss(options), input, shape, target);
    }

    [TestMethod]
    public void RefusesBadMatricesAndChannelCounts()
    {
        Assert.Throws<ArgumentNullException>(() => new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions()));
        Assert.Throws<ArgumentException>(() => new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1], [1]] }));
        Assert.Throws<ArgumentException>(() => new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 0], [0, 0]] }));
        Assert.Throws<ArgumentException>(() => new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, -1], [1, 0]] }));
        var loss = new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1], [1, 0]] });
        var shape = new SegmentationShape(1, 3, 1, 2);
        Assert.Throws<ArgumentException>(() => loss.Compute<double>(new double[6], shape, SegmentationTarget<double>.FromLabels([0, 1])));
        Assert.Throws<ArgumentException>(() => Monai.GeneralizedWassersteinDiceLoss([[0, 1], [1, 0]], weightingMode: "simple"));
        Assert.Throws<NotSupportedException>(() => Monai.GeneralizedWassersteinDiceLoss([[0, 1], [1, 0]], reduction: "none"));
    }

    [TestMethod]
    public void OptionsCloneDeeplyAndTheLossKeepsItsOwnCopy()
    {
        double[][] rows = [[0, 1], [1, 0]];
        var options = new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = rows, Weighting = WassersteinDiceWeighting.GeneralizedDice };
        GeneralizedWassersteinDiceLossOptions copy = options.Clone();
        var loss = new GeneralizedWassersteinDiceLoss(options);
        rows[0][1] = 4;
        Assert.AreEqual(1, copy.DistanceMatrix![0][1]);
        Assert.AreEqual(WassersteinDiceWeighting.GeneralizedDice, copy.Weighting);
        Assert.AreEqual(1, loss.Distance(0, 1), "the loss copied the matrix when it was built");
        var cl = new ClDiceLossOptions { SpatialShape = [2, 3] };
        Assert.AreNotSame(cl.SpatialShape, cl.Clone().SpatialShape);
        CollectionAssert.AreEqual(new[] { 2, 3 }, cl.Clone().SpatialShape!.ToArray());
        Assert.AreEqual(0.3, new AsymmetricUnifiedFocalLossOptions { Gamma = 0.3 }.Clone().Gamma);
    }

    /// <summary>Per image: softmax, normalised M, then TP, the errors and the denominator pixel by pixel.</summary>
    private static double[] Reference(double[] logits, int[] labels, SegmentationShape shape, GeneralizedWassersteinDiceLossOptions options)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        double largest = options.DistanceMatrix!.SelectMany(r => r).Max();
        var result = new double[shape.Batch];
        for (int n = 0; n < shape.Batch; n++)
        {
            var alpha = new double[c];
            for (int l = 0; l < c; l++)
            {
                int count = Enumerable.Range(0, s).Count(i => labels[(n * s) + i] == l);
                alpha[l] = options.Weighting == WassersteinDiceWeighting.Default ? (l == 0 ? 0 : 1) : 1.0 / (count + 1);
            }

            double tp = 0, wass = 0, gdl = 0;
            for (int i = 0; i < s; i++)
            {
                double[] z = Enumerable.Range(0, c).Select(k => logits[(((n * c) + k) * s) + i]).ToArray();
                double max = z.Max();
                double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
                double[] p = e.Select(v => v / e.Sum()).ToArray();
                int l = labels[(n * s) + i];
                double w = Enumerable.Range(0, c).Sum(k => options.DistanceMatrix![l][k] / largest * p[k]);
                tp += alpha[l] * (1 - w);
                wass += w;
                gdl += alpha[l] * (2 - w);
            }

            double denominator = options.Weighting == WassersteinDiceWeighting.Default ? (2 * tp) + wass : gdl;
            result[n] = 1 - (((2 * tp) + options.SmoothNumerator) / (denominator + options.SmoothDenominator));
        }

        return result;
    }
}
