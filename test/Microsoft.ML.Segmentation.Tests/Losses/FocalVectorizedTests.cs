using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>The vectorized focal loss against its scalar reference <c>FocalLossScalar</c>.</summary>
[TestClass]
public sealed class FocalVectorizedTests
{
    public static IEnumerable<object[]> Sizes()
    {
        foreach (Activation activation in new[] { Activation.Sigmoid, Activation.Softmax })
        {
            foreach (int pixels in VectorizedCheck.OddSizes)
            {
                yield return [activation, pixels];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void MatchesScalarOnOddSizes(Activation activation, int pixels)
    {
        var random = new Random(pixels);
        for (int batch = 1; batch <= 3; batch++)
        {
            for (int classes = activation == Activation.Softmax ? 2 : 1; classes <= 5; classes += 2)
            {
                var options = new FocalLossOptions { Activation = activation, Alpha = 0.25 };
                Check(new FocalLoss(options), random, new SegmentationShape(batch, classes, 1, pixels), $"N={batch} C={classes} S={pixels}");
            }
        }
    }

    [TestMethod]
    [DataRow(Activation.Sigmoid)]
    [DataRow(Activation.Softmax)]
    public void MatchesScalarForEveryOptionCombination(Activation activation)
    {
        var random = new Random(7);
        foreach (double gamma in new[] { 0, 0.5, 1, 2, 2.5, 3, 4 })
        {
            foreach (double? alpha in new double?[] { null, 0.25 })
            {
                foreach (bool weights in new[] { false, true })
                {
                    foreach (PointwiseAveraging averaging in Enum.GetValues<PointwiseAveraging>())
                    {
                        foreach (bool normalized in new[] { false, true })
                        {
                            foreach (double? reduced in new double?[] { null, 0.5 })
                            {
                                var shape = new SegmentationShape(2, 3, 1, random.Next(2) == 0 ? 33 : 1025);
                                var options = new FocalLossOptions
                                {
                                    Activation = activation, Gamma = gamma, Alpha = alpha, Averaging = averaging, Normalized = normalized, ReducedThreshold = reduced,
                                    ClassWeights = weights ? new[] { 0.5, 2, 1.25 } : null,
                                };
                                Check(new FocalLoss(options), random, shape, $"γ={gamma} α={alpha} w={weights} {averaging} norm={normalized} red={reduced} S={shape.PixelsPerImage}");
                            }
                        }
                    }
                }
            }
        }
    }

    [TestMethod]
    [DataRow(Activation.Sigmoid, false)]
    [DataRow(Activation.Sigmoid, true)]
    [DataRow(Activation.Softmax, false)]
    [DataRow(Activation.Softmax, true)]
    public void ParallelPathMatchesScalarAndRepeats(Activation activation, bool normalized)
    {
        // Above ParallelWork.MinimumParallelElements, so rows and chunks run on the thread pool.
        var shape = new SegmentationShape(3, 4, 3, 3001);
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        var loss = new FocalLoss(new FocalLossOptions { Activation = activation, Normalized = normalized, Alpha = 0.25, ClassWeights = new[] { 1, 0.5, 2, 1 } });
        var random = new Random(19);
        Check(loss, random, shape, $"{activation} parallel");
        GradientCheck.AssertRepeatsBitForBit(loss, random, shape, 3, $"{activation} parallel");
    }

    [TestMethod]
    public void AllPixelsIgnored()
    {
        var shape = new SegmentationShape(2, 3, 1, 40);
        var random = new Random(3);
        double[] input = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = Enumerable.Repeat(255, shape.PixelCount).ToArray();
        foreach (Activation activation in new[] { Activation.Sigmoid, Activation.Softmax })
        {
            foreach (bool normalized in new[] { false, true })
            {
                var loss = new FocalLoss(new FocalLossOptions { Activation = activation, Normalized = normalized });
                AssertMatches(loss, input, shape, TestTarget.FromLabels(labels, 255), $"{activation} all ignored");
            }
        }
    }

    [TestMethod]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    [DataRow(double.NegativeInfinity)]
    public void NonFiniteLogitsThrowEvenWhereIgnoredOrWeightedZero(double bad)
    {
        var shape = new SegmentationShape(2, 3, 1, 50);
        int[] labels = Enumerable.Repeat(255, shape.PixelCount).ToArray();
        int[] plain = Enumerable.Range(0, shape.PixelCount).Select(i => i % 3).ToArray();
        foreach (int position in new[] { 0, 77, shape.ElementCount - 1 })
        {
            foreach (double? alpha in new double?[] { null, 0, 1 })
            {
                var loss = new FocalLoss(new FocalLossOptions { Alpha = alpha, ClassWeights = new[] { 0.0 } });
                double[] input = new double[shape.ElementCount];
                input[position] = bad;
                Assert.ThrowsExactly<ArgumentException>(() => loss.Compute(input, shape, SegmentationTarget<double>.FromLabels(labels, 255), new double[input.Length]));
                float[] single = input.Select(v => (float)v).ToArray();
                Assert.ThrowsExactly<ArgumentException>(() => loss.Compute(single, shape, SegmentationTarget<float>.FromLabels(labels, 255)));

                // Without an ignore index the label loop has no mask: the first pass must still see the logit.
                Assert.ThrowsExactly<ArgumentException>(() => loss.Compute(single, shape, SegmentationTarget<float>.FromLabels(plain), new float[single.Length]));
            }
        }
    }

    /// <summary>
    /// Logits across the whole float range the label-map step treats specially: 0 and ±0 (the sign flip), |x| near
    /// where e^−|x| underflows (87.3) and beyond, and large |x| where the atanh series of log1p(e) sees s → 0. Every γ
    /// the specialised loops cover, with and without α, an ignore index and normalisation, against the double-precision
    /// scalar reference: beyond the row's bound on |x| (<c>LargestNormalMagnitude</c>) the kernel takes e^−|x| of the
    /// bound, which must stay within the reference's tolerance.
    /// </summary>
    [TestMethod]
    public void SigmoidLabelMapsMatchScalarOnExtremeLogits()
    {
        var random = new Random(99);
        float[] specials = [0f, -0f, 1e-7f, -1e-7f, 0.5f, -0.5f, 15f, -15f, 40f, -40f, 87f, -87f, 87.5f, -87.5f, 88.5f, -88.5f, 100f, -100f];
        var shape = new SegmentationShape(2, 3, 1, 67);
        double[] input = Enumerable.Range(0, shape.ElementCount)
            .Select(i => i % 2 == 0 ? specials[i / 2 % specials.Length] : (random.NextDouble() - 0.5) * 60)
            .ToArray();
        foreach (double gamma in new[] { 0.0, 0.5, 1, 1.5, 2, 3, 4.5 })
        {
            foreach (bool normalized in new[] { false, true })
            {
                // Both switches of the label loop (α, an ignore index) and both ways of summing a.
                foreach (double? alpha in new double?[] { 0.25, null })
                {
                    // Reduced thresholds 0.55 and ¼ (w/th up to 3: a positive exponent). Not ½: at x ≈ 0 (the specials
                    // 0 and ±1e−7) p_t is ½ within float's rounding for any t, where the slope jumps from 0 to γ/th and
                    // float and double may round to either side (the option-combination test runs ½ on random logits).
                    foreach (double? reduced in new double?[] { null, 0.55, 0.25 })
                    {
                        var loss = new FocalLoss(new FocalLossOptions { Gamma = gamma, Alpha = alpha, Normalized = normalized, ReducedThreshold = reduced });
                        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes, ignore: 255);
                        AssertMatches(loss, input, shape, TestTarget.FromLabels(labels, 255), $"γ={gamma} α={alpha} norm={normalized} red={reduced} extreme logits");
                        int[] plain = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
                        AssertMatches(loss, input, shape, TestTarget.FromLabels(plain), $"γ={gamma} α={alpha} norm={normalized} red={reduced} extreme logits without ignore");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The dense-target step on the same extreme logits: hard 0/1 targets (where the floored e^−|x| matters, as for
    /// label maps) and soft ones with NaN (ignored) elements, every γ, with and without α and normalisation.
    /// </summary>
    [TestMethod]
    public void SigmoidDenseTargetsMatchScalarOnExtremeLogits()
    {
        var random = new Random(98);
        float[] specials = [0f, -0f, 1e-7f, -1e-7f, 15f, -15f, 25f, -25f, 40f, -40f, 60f, -60f, 87.5f, -87.5f, 100f, -100f];
        var shape = new SegmentationShape(2, 3, 1, 67);
        double[] input = Enumerable.Range(0, shape.ElementCount)
            .Select(i => i % 2 == 0 ? specials[i / 2 % specials.Length] : (random.NextDouble() - 0.5) * 120)
            .ToArray();
        double[] hard = input.Select(_ => random.Next(2) == 0 ? 0.0 : 1.0).ToArray();
        double[] soft = SoftTarget(random, shape);
        foreach (double gamma in new[] { 0.0, 0.5, 1, 1.5, 2, 3, 4.5 })
        {
            foreach (bool normalized in new[] { false, true })
            {
                foreach (double? alpha in new double?[] { 0.25, null })
                {
                    foreach (double? reduced in new double?[] { null, 0.55, 0.25 }) // not ½: see the label-map test
                    {
                        var loss = new FocalLoss(new FocalLossOptions { Gamma = gamma, Alpha = alpha, Normalized = normalized, ReducedThreshold = reduced });
                        AssertMatches(loss, input, shape, TestTarget.FromDense(hard), $"γ={gamma} α={alpha} norm={normalized} red={reduced} hard dense, extreme logits");
                        AssertMatches(loss, input, shape, TestTarget.FromDense(soft), $"γ={gamma} α={alpha} norm={normalized} red={reduced} soft dense, extreme logits");
                    }
                }
            }
        }
    }

    private static void Check(FocalLoss loss, Random random, SegmentationShape shape, string context)
    {
        double[] input = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int labelCount = shape.Classes == 1 ? 2 : shape.Classes;
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, labelCount, ignore: 255);
        AssertMatches(loss, input, shape, TestTarget.FromLabels(labels, 255), context + " labels");
        int[] plain = GradientCheck.RandomLabels(random, shape.PixelCount, labelCount);
        AssertMatches(loss, input, shape, TestTarget.FromLabels(plain), context + " labels without ignore");
        double[] dense = SoftTarget(random, shape);
        AssertMatches(loss, input, shape, TestTarget.FromDense(dense), context + " dense");
        for (int i = 0; i < dense.Length; i += 7)
        {
            dense[i] = double.NaN; // single elements too: multilabel targets leave single classes unlabelled
        }

        AssertMatches(loss, input, shape, TestTarget.FromDense(dense), context + " dense with NaN elements");
    }

    /// <summary>Soft targets (a distribution per pixel) with some pixels NaN.</summary>
    internal static double[] SoftTarget(Random random, SegmentationShape shape)
    {
        var dense = new double[shape.ElementCount];
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                double[] q = Enumerable.Range(0, c).Select(_ => random.NextDouble()).ToArray();
                double total = c == 1 ? 1 : q.Sum();
                bool ignored = random.NextDouble() < 0.1;
                for (int k = 0; k < c; k++)
                {
                    dense[(((n * c) + k) * s) + i] = ignored ? double.NaN : q[k] / total;
                }
            }
        }

        return dense;
    }

    private static void AssertMatches(FocalLoss loss, double[] input, SegmentationShape shape, TestTarget target, string context)
        => VectorizedCheck.AssertMatches(loss.Compute, loss.ComputeScalar, loss.Compute, loss.ComputeScalar, input, shape, target, context);
}
