using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// The fused label-map path of the overlap losses (<c>RegionLabelMapKernel</c>), with softmax and with sigmoid, against
/// the unfused path a dense one-hot target takes (activation tensor, row sums in
/// double, separate activation backward), evaluated in float64.
/// Sizes cover SIMD tails, block and work-item boundaries and the parallel path; the suite reruns with each SIMD
/// switch off.
/// </summary>
[TestClass]
public sealed class RegionSoftmaxVectorizedTests
{
    private static readonly string[] LossNames = ["dice", "dice-l1-per-image", "tversky-squared-weighted", "generalized-dice", "jaccard-log", "mcc"];

    public static IEnumerable<object[]> Sizes()
    {
        foreach (int pixels in VectorizedCheck.OddSizes.Append(8192 + 1025))
        {
            foreach (string name in LossNames)
            {
                yield return [pixels, name, Activation.Softmax];
                yield return [pixels, name, Activation.Sigmoid];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void VectorizedMatchesUnfusedReferenceOnOddSizes(int pixels, string name, Activation activation)
    {
        var random = new Random(pixels);
        foreach ((int batch, int classes) in new[] { (1, 2), (2, 3), (3, 5) })
        {
            var shape = new SegmentationShape(batch, classes, 1, pixels);
            Check(Create(name, classes, activation), random, shape, ignore: true, $"{name} {activation} N={batch} C={classes} S={pixels}");
            Check(Create(name, classes, activation), random, shape, ignore: false, $"{name} {activation} N={batch} C={classes} S={pixels} no ignore");
        }
    }

    [TestMethod]
    public void VectorizedParallelPathMatchesAndRepeatsBitForBit()
    {
        // 2·7·150·131 elements: above ParallelWork.MinimumParallelElements, several work items per image.
        var shape = new SegmentationShape(2, 7, 150, 131);
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        var random = new Random(5);
        foreach (Activation activation in new[] { Activation.Softmax, Activation.Sigmoid })
        {
            foreach (string name in LossNames)
            {
                RegionLoss loss = Create(name, shape.Classes, activation);
                Check(loss, random, shape, ignore: true, $"{name} {activation} parallel");
                GradientCheck.AssertRepeatsBitForBit(loss, random, shape, 4, $"{name} {activation} parallel");
            }
        }
    }

    [TestMethod]
    public void VectorizedGradientMatchesFiniteDifferences()
    {
        var random = new Random(11);
        var shape = new SegmentationShape(2, 3, 3, 11);
        foreach (Activation activation in new[] { Activation.Softmax, Activation.Sigmoid })
        {
            foreach (string name in LossNames)
            {
                double[] input = GradientCheck.RandomInput(random, shape.ElementCount, 2);
                int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes, ignore: 255);
                GradientCheck.AssertMatches(Create(name, shape.Classes, activation), input, shape, TestTarget.FromLabels(labels, 255));
            }
        }
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void VectorizedPathRejectsNonFiniteLogitsEvenWhereIgnored(float bad)
    {
        var shape = new SegmentationShape(2, 3, 1, 300);
        int[] labels = Enumerable.Repeat(255, shape.PixelCount).ToArray();
        foreach (int position in new[] { 0, 301, shape.ElementCount - 1 })
        {
            var input = new float[shape.ElementCount];
            input[position] = bad;
            foreach (Activation activation in new[] { Activation.Softmax, Activation.Sigmoid })
            {
                var loss = new DiceLoss(new DiceLossOptions { Activation = activation });
                var error = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255), new float[input.Length]));
                StringAssert.Contains(error.Message, $"element {position}");
            }
        }
    }

    [TestMethod]
    [DataRow(-87.33654f)]
    [DataRow(-38.6f)]
    public void VectorizedSingleExpMatchesDoubleExp(float floor)
    {
        // Every length up to two vectors and a long run, so vector body and scalar tail are both checked; arguments
        // below the floor (down to −102) give exp of the floor.
        var random = new Random(3);
        for (int length = 1; length <= 40; length += length < 20 ? 1 : 19)
        {
            float[] x = Enumerable.Range(0, length).Select(_ => (float)(-random.NextDouble() * 100)).ToArray();
            x[0] = 0;
            float[] shift = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2)).ToArray();
            var result = new float[length];
            var sum = Enumerable.Repeat(1f, length).ToArray();
            RegionVectorMath.ExpDifference<float>(x, shift, result, sum, floor);
            for (int i = 0; i < length; i++)
            {
                double argument = Math.Max((double)(x[i] - shift[i]), floor);
                double expected = Math.Exp(argument);
                Assert.AreEqual(expected, result[i], 3e-7 * expected, $"exp({argument})");
                Assert.AreEqual(1f + result[i], sum[i], $"sum at {i}");
            }
        }
    }

    private static RegionLoss Create(string name, int classes, Activation activation) => name switch
    {
        "dice" => new DiceLoss(new() { Activation = activation }),
        "dice-l1-per-image" => new DiceLoss(new() { Activation = activation, SoftLabels = true, PerImage = true, SmoothNumerator = 1, SmoothDenominator = 1 }),
        "tversky-squared-weighted" => new TverskyLoss(new() { Activation = activation, Denominator = OverlapDenominator.Squared, Alpha = 0.2, Beta = 0.8, ClassWeights = Enumerable.Range(0, classes).Select(k => 0.5 + k).ToArray() }),
        "generalized-dice" => new GeneralizedDiceLoss(new() { Activation = activation }),
        "jaccard-log" => new JaccardLoss(new() { Activation = activation, LogLoss = true, SmoothNumerator = 0.5, SmoothDenominator = 0.5 }),
        _ => new MatthewsCorrelationLoss(new() { Activation = activation }),
    };

    private static void Check(RegionLoss loss, Random random, SegmentationShape shape, bool ignore, string context)
    {
        // Float-representable logits, so the float run and the float64 reference see the same input.
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount, 4).Select(v => (double)(float)v).ToArray();
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes, ignore: ignore ? 255 : null, ignoreFraction: 0.1);
        double[] dense = Microsoft.ML.Segmentation.GoldenVectors.LossProblem.OneHot(shape, labels, 255);
        var expectedGradient = new double[shape.ElementCount];
        double expected = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromDense(dense), expectedGradient);
        double max = expectedGradient.Max(Math.Abs);

        var gradient = new double[shape.ElementCount];
        gradient.AsSpan().Fill(12345);
        double actual = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255), gradient);
        Assert.AreEqual(expected, actual, 1e-12 * Math.Max(1, Math.Abs(expected)), $"{context} (double): value");
        Assert.AreEqual(expected, loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255)), 1e-12 * Math.Max(1, Math.Abs(expected)), $"{context} (double): value without gradient");
        for (int i = 0; i < gradient.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], gradient[i], (1e-12 * max) + 1e-300, $"{context} (double): gradient[{i}]");
        }

        // MCC's tn = count − Σp − Σt + Σpt cancels, which on images of a few pixels amplifies float rounding of p.
        double tolerance = loss is MatthewsCorrelationLoss && shape.PixelsPerImage < 8 ? 1e-2 : 1e-4;
        float[] single = logits.Select(v => (float)v).ToArray();
        var singleGradient = new float[shape.ElementCount];
        singleGradient.AsSpan().Fill(12345);
        double singleValue = loss.Compute<float>(single, shape, SegmentationTarget<float>.FromLabels(labels, 255), singleGradient);
        Assert.AreEqual(expected, singleValue, (1e-5 * Math.Abs(expected)) + 1e-6, $"{context} (float): value");
        for (int i = 0; i < singleGradient.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], singleGradient[i], (tolerance * max) + 1e-12, $"{context} (float): gradient[{i}]");
        }
    }
}
