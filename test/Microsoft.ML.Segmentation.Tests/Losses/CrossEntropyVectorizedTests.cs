using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// The float32 label-map cross-entropy (the <c>Vector&lt;T&gt;</c> kernel where SIMD is on, the chunked kernel where it
/// is off) against a per-pixel float64 oracle written here: log-softmax, loss and gradient of every pixel on its own.
/// </summary>
[TestClass]
public sealed class CrossEntropyVectorizedTests
{
    public static IEnumerable<object[]> Sizes() => VectorizedCheck.OddSizes.Select(s => new object[] { s });

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void MatchesFloat64OracleOnOddSizes(int pixels)
    {
        var random = new Random(pixels);
        foreach (int classes in new[] { 2, 5, 21 })
        {
            var shape = new SegmentationShape(2, classes, 1, pixels);
            Check(new CrossEntropyOptions(null, 0, PointwiseAveraging.TargetWeight), random, shape, $"C={classes} S={pixels}");
        }
    }

    [TestMethod]
    public void MatchesFloat64OracleForEveryOptionCombination()
    {
        var random = new Random(11);
        foreach (double smoothing in new[] { 0, 0.1, 1 })
        {
            foreach (bool weighted in new[] { false, true })
            {
                foreach (PointwiseAveraging averaging in Enum.GetValues<PointwiseAveraging>())
                {
                    var shape = new SegmentationShape(2, 3, 3, random.Next(2) == 0 ? 11 : 347);
                    double[]? weights = weighted ? [0.5, 2, 0] : null;
                    Check(new CrossEntropyOptions(weights, smoothing, averaging), random, shape, $"ε={smoothing} w={weighted} {averaging} S={shape.PixelsPerImage}");
                }
            }
        }
    }

    [TestMethod]
    public void ParallelPathMatchesOracleAndRepeatsBitForBit()
    {
        var shape = new SegmentationShape(3, 6, 67, 101); // several chunks per image at every width (1024 or 4096 pixels), odd tails, above the parallel threshold
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        var options = new CrossEntropyOptions([1, 0.5, 2, 1, 1, 3], 0.05, PointwiseAveraging.TargetWeight);
        var random = new Random(5);
        Check(options, random, shape, "parallel");
        GradientCheck.AssertRepeatsBitForBit(options.Create(), random, shape, 4, "parallel");
    }

    [TestMethod]
    public void StreamedGradientMatchesOracle()
    {
        // 2 × 21 × 100 × 1001 floats: a gradient past StreamingStores' threshold, its channel rows at every alignment
        // (1001 columns), chunk tails at every width.
        var shape = new SegmentationShape(2, 21, 100, 1001);
        Assert.IsTrue(StreamingStores.Pays(shape.ElementCount));
        var options = new CrossEntropyOptions(Enumerable.Range(0, 21).Select(c => 0.5 + (c % 4)).ToArray(), 0.1, PointwiseAveraging.TargetWeight);
        Check(options, new Random(21), shape, "streamed");
        Check(new CrossEntropyOptions(null, 0, PointwiseAveraging.Valid), new Random(22), shape, "streamed, unweighted");

        // A non-finite logit in any chunk of a streamed work item (several chunks each) is still named.
        int[] labels = GradientCheck.RandomLabels(new Random(24), shape.PixelCount, shape.Classes);
        foreach (int position in new[] { 5, (3 * 100_100) + 77, shape.ElementCount - 1 })
        {
            var input = new float[shape.ElementCount];
            input[position] = float.NaN;
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new CrossEntropyLoss().Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels), new float[input.Length]));
            StringAssert.Contains(ex.Message, $"element {position}");
        }
    }

    [TestMethod]
    public void StreamedGradientEqualsTheCachedPathBitForBit()
    {
        // Summed (scale 1), an image's gradient does not depend on the batch around it, and chunks are per image: the
        // first image of a batch large enough to stream and the same image alone (not streamed) must agree exactly.
        var batch = new SegmentationShape(2, 21, 100, 1001);
        var single = new SegmentationShape(1, 21, 100, 1001);
        Assert.IsTrue(StreamingStores.Pays(batch.ElementCount));
        Assert.IsFalse(StreamingStores.Pays(single.ElementCount));
        var random = new Random(23);
        float[] input = GradientCheck.RandomInput(random, batch.ElementCount, 4).Select(v => (float)v).ToArray();
        foreach (double smoothing in new[] { 0, 0.1 })
        {
            foreach (int? ignore in new int?[] { null, 255 })
            {
                int[] labels = GradientCheck.RandomLabels(random, batch.PixelCount, batch.Classes, ignore);
                var loss = new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = Enumerable.Range(0, 21).Select(c => 1.0 + (c % 3)).ToArray(), LabelSmoothing = smoothing, Averaging = PointwiseAveraging.Sum });
                var streamed = new float[batch.ElementCount];
                var cached = new float[single.ElementCount];
                loss.Compute<float>(input, batch, SegmentationTarget<float>.FromLabels(labels, ignore), streamed);
                loss.Compute<float>(input.AsSpan(0, single.ElementCount), single, SegmentationTarget<float>.FromLabels(labels[..single.PixelCount], ignore), cached);
                CollectionAssert.AreEqual(cached, streamed[..single.ElementCount], $"ε={smoothing} ignore={ignore}");
            }
        }
    }

    [TestMethod]
    public void LargeLogitGapsStayFinite()
    {
        // exp(x − max) underflows to 0 for gaps beyond ~87; the loss of a pixel whose label is that far below the max is the gap.
        var shape = new SegmentationShape(1, 3, 1, 16);
        var input = new double[shape.ElementCount];
        for (int i = 0; i < 16; i++)
        {
            input[i] = 50;                 // class 0
            input[16 + i] = -60 - i;       // class 1: 110 + i below class 0
            input[32 + i] = i % 2 == 0 ? 0 : 49;
        }

        int[] labels = Enumerable.Repeat(1, 16).ToArray();
        Check(new CrossEntropyOptions(null, 0, PointwiseAveraging.TargetWeight), input, labels, null, shape, "large gaps");
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteLogitsThrowInTheVectorBodyAndTheTail(float bad)
    {
        // 37 pixels: vector body and a scalar tail on every SIMD width; 3, 6 and 9 classes: the max pass reads channel
        // rows one at a time and four at a time, so every channel of a group of four and of the rest is tried.
        foreach (int classes in new[] { 3, 6, 9 })
        {
            var shape = new SegmentationShape(2, classes, 1, 37);
            int[] labels = Enumerable.Repeat(255, shape.PixelCount).ToArray();
            IEnumerable<int> positions = new[] { 0, 5, 36, shape.ElementCount - 1 }
                .Concat(Enumerable.Range(0, classes).Select(ch => ((classes + ch) * 37) + 3)); // second image, each channel
            foreach (int position in positions)
            {
                var input = new float[shape.ElementCount];
                input[position] = bad;
                var ex = Assert.ThrowsExactly<ArgumentException>(() => new CrossEntropyLoss().Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255), new float[input.Length]));
                Assert.AreEqual("input", ex.ParamName);
                StringAssert.Contains(ex.Message, $"element {position}");
                Assert.ThrowsExactly<ArgumentException>(() => new CrossEntropyLoss().Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255)));
            }
        }
    }

    private static void Check(CrossEntropyOptions options, Random random, SegmentationShape shape, string context)
    {
        double[] input = GradientCheck.RandomInput(random, shape.ElementCount, 4);
        Check(options, input, GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes, ignore: 255), 255, shape, context + " with ignore");
        Check(options, input, GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes), null, shape, context);
    }

    private static void Check(CrossEntropyOptions options, double[] input, int[] labels, int? ignore, SegmentationShape shape, string context)
    {
        float[] single = input.Select(v => (float)v).ToArray();
        double[] rounded = single.Select(v => (double)v).ToArray();
        (double expected, double[] expectedGradient) = Oracle(options, rounded, labels, ignore, shape);
        var gradient = new float[single.Length];
        gradient.AsSpan().Fill(12345);
        ISegmentationLoss loss = options.Create();
        double actual = loss.Compute<float>(single, shape, SegmentationTarget<float>.FromLabels(labels, ignore), gradient);
        double valueOnly = loss.Compute<float>(single, shape, SegmentationTarget<float>.FromLabels(labels, ignore));
        Assert.IsTrue(Math.Abs(actual - expected) <= (1e-5 * Math.Abs(expected)) + 1e-9, $"{context}: value {actual} vs oracle {expected}");
        Assert.IsTrue(Math.Abs(valueOnly - expected) <= (1e-5 * Math.Abs(expected)) + 1e-9, $"{context}: value without gradient {valueOnly} vs oracle {expected}");
        double max = expectedGradient.Max(Math.Abs);
        for (int i = 0; i < gradient.Length; i++)
        {
            Assert.IsTrue(Math.Abs(gradient[i] - expectedGradient[i]) <= (1e-5 * max) + 1e-30, $"{context}: gradient[{i}] {gradient[i]} vs oracle {expectedGradient[i]} (max {max})");
        }
    }

    /// <summary>Per pixel in float64: loss −Σ_k a_k log p_k with a = w ⊙ ((1 − ε)·onehot + ε/C), gradient (Σa)·p − a, over the denominator.</summary>
    private static (double Value, double[] Gradient) Oracle(CrossEntropyOptions options, double[] x, int[] labels, int? ignore, SegmentationShape shape)
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        double[] w = options.Weights ?? Enumerable.Repeat(1.0, c).ToArray();
        double eps = options.Smoothing;
        var gradient = new double[x.Length];
        double sum = 0, weightSum = 0, valid = 0;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = labels[(n * s) + i];
                if (label == ignore)
                {
                    continue;
                }

                valid++;
                weightSum += w[label];
                double max = double.NegativeInfinity;
                for (int k = 0; k < c; k++)
                {
                    max = Math.Max(max, x[(((n * c) + k) * s) + i]);
                }

                double z = 0;
                for (int k = 0; k < c; k++)
                {
                    z += Math.Exp(x[(((n * c) + k) * s) + i] - max);
                }

                double lse = max + Math.Log(z);
                double total = 0;
                for (int k = 0; k < c; k++)
                {
                    int at = (((n * c) + k) * s) + i;
                    double a = w[k] * (((1 - eps) * (k == label ? 1 : 0)) + (eps / c));
                    total += a;
                    sum -= a * (x[at] - lse);
                    gradient[at] = -a;
                }

                for (int k = 0; k < c; k++)
                {
                    int at = (((n * c) + k) * s) + i;
                    gradient[at] += total * Math.Exp(x[at] - lse);
                }
            }
        }

        double denominator = options.Averaging switch
        {
            PointwiseAveraging.Sum => 1,
            PointwiseAveraging.All => shape.PixelCount,
            PointwiseAveraging.ValidElements => valid * c,
            PointwiseAveraging.Valid => valid,
            _ => weightSum,
        };
        double scale = denominator > 0 ? 1 / denominator : 0;
        return (sum * scale, gradient.Select(g => g * scale).ToArray());
    }

    private sealed record CrossEntropyOptions(double[]? Weights, double Smoothing, PointwiseAveraging Averaging)
    {
        public CrossEntropyLoss Create() => new(new CrossEntropyLossOptions { ClassWeights = Weights, LabelSmoothing = Smoothing, Averaging = Averaging });
    }
}
