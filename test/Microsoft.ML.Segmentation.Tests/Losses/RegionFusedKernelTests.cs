using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// The fused path of the overlap losses (<c>RegionFusedKernel</c>), with softmax and with sigmoid, on label maps (with and
/// without ignored pixels), one-hot dense targets and soft dense targets with NaN elements, against a reference that
/// shares neither its activation nor its loop: the test's own softmax or sigmoid in float64, the loss with
/// <see cref="Activation.None"/> on those probabilities (the unfused statistics kernel, row by row), and the
/// activation's Jacobian applied here. Sizes cover SIMD tails, block and work-item boundaries and the parallel path;
/// the suite reruns with each SIMD switch off.
/// </summary>
[TestClass]
public sealed class RegionFusedKernelTests
{
    private static readonly TargetForm[] Forms = Enum.GetValues<TargetForm>();

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
            foreach (TargetForm form in Forms)
            {
                Check(name, activation, random, shape, form, $"{name} {activation} {form} N={batch} C={classes} S={pixels}");
            }
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
                foreach (TargetForm form in Forms)
                {
                    Check(name, activation, random, shape, form, $"{name} {activation} {form} parallel");
                }

                GradientCheck.AssertRepeatsBitForBit(Create(name, shape.Classes, activation), random, shape, 4, $"{name} {activation} parallel");
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
                GradientCheck.AssertMatches(Create(name, shape.Classes, activation), input, shape, TestTarget.FromDense(TargetForms.SoftWithNaN(random, shape.ElementCount)));
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

    /// <summary>
    /// The loss and its gradient by the reference: p = softmax or σ of the logits here in float64, the loss with
    /// <see cref="Activation.None"/> on p against the dense form, then ∂L/∂x = p(∂L/∂p − Σ_j p_j ∂L/∂p_j) or p(1 − p)∂L/∂p.
    /// </summary>
    private static double Reference(string name, Activation activation, double[] logits, SegmentationShape shape, double[] dense, double[] gradient)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        var p = new double[logits.Length];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int at = (n * c * s) + i;
                double max = Enumerable.Range(0, c).Max(k => logits[at + (k * s)]);
                double sum = Enumerable.Range(0, c).Sum(k => Math.Exp(logits[at + (k * s)] - max));
                for (int k = 0; k < c; k++)
                {
                    double x = logits[at + (k * s)];
                    p[at + (k * s)] = activation == Activation.Softmax ? Math.Exp(x - max) / sum : 1 / (1 + Math.Exp(-x));
                }
            }
        }

        var dp = new double[p.Length];
        double value = Create(name, c, Activation.None).Compute<double>(p, shape, SegmentationTarget<double>.FromDense(dense), dp);
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int at = (n * c * s) + i;
                double dot = Enumerable.Range(0, c).Sum(k => p[at + (k * s)] * dp[at + (k * s)]);
                for (int k = 0; k < c; k++)
                {
                    int e = at + (k * s);
                    gradient[e] = activation == Activation.Softmax ? p[e] * (dp[e] - dot) : p[e] * (1 - p[e]) * dp[e];
                }
            }
        }

        return value;
    }

    private static void Check(string name, Activation activation, Random random, SegmentationShape shape, TargetForm form, string context)
    {
        RegionLoss loss = Create(name, shape.Classes, activation);

        // Float-representable logits and targets, so the float run and the float64 reference see the same input.
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount, 4).Select(v => (double)(float)v).ToArray();
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes, ignore: form == TargetForm.LabelsWithIgnored ? 255 : null, ignoreFraction: 0.1);
        double[] dense = form == TargetForm.SoftWithNaN ? TargetForms.SoftWithNaN(random, shape.ElementCount) : Microsoft.ML.Segmentation.GoldenVectors.LossProblem.OneHot(shape, labels, 255);
        bool labelMap = form is TargetForm.Labels or TargetForm.LabelsWithIgnored;
        float[] denseSingle = dense.Select(v => (float)v).ToArray();
        SegmentationTarget<double> Target() => labelMap ? SegmentationTarget<double>.FromLabels(labels, 255) : SegmentationTarget<double>.FromDense(dense);
        SegmentationTarget<float> SingleTarget() => labelMap ? SegmentationTarget<float>.FromLabels(labels, 255) : SegmentationTarget<float>.FromDense(denseSingle);

        var expectedGradient = new double[shape.ElementCount];
        double expected = Reference(name, activation, logits, shape, dense, expectedGradient);
        double max = expectedGradient.Max(Math.Abs);

        var gradient = new double[shape.ElementCount];
        gradient.AsSpan().Fill(12345);
        double actual = loss.Compute<double>(logits, shape, Target(), gradient);
        Assert.AreEqual(expected, actual, 1e-12 * Math.Max(1, Math.Abs(expected)), $"{context} (double): value");
        Assert.AreEqual(expected, loss.Compute<double>(logits, shape, Target()), 1e-12 * Math.Max(1, Math.Abs(expected)), $"{context} (double): value without gradient");
        for (int i = 0; i < gradient.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], gradient[i], (1e-12 * max) + 1e-300, $"{context} (double): gradient[{i}]");
        }

        // MCC's tn = count − Σp − Σt + Σpt cancels, which on images of a few pixels amplifies float rounding of p.
        double tolerance = loss is MatthewsCorrelationLoss && shape.PixelsPerImage < 8 ? 1e-2 : 1e-4;
        float[] single = logits.Select(v => (float)v).ToArray();
        var singleGradient = new float[shape.ElementCount];
        singleGradient.AsSpan().Fill(12345);
        double singleValue = loss.Compute<float>(single, shape, SingleTarget(), singleGradient);
        Assert.AreEqual(expected, singleValue, (1e-5 * Math.Abs(expected)) + 1e-6, $"{context} (float): value");
        for (int i = 0; i < singleGradient.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], singleGradient[i], (tolerance * max) + 1e-12, $"{context} (float): gradient[{i}]");
        }
    }
}
