using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>The vectorized binary cross-entropy against its scalar reference <c>ComputeScalar</c>.</summary>
[TestClass]
public sealed class BinaryCrossEntropyVectorizedTests
{
    public static IEnumerable<object[]> Sizes() => VectorizedCheck.OddSizes.Select(s => new object[] { s });

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void MatchesScalarOnOddSizes(int pixels)
    {
        var random = new Random(pixels);
        for (int batch = 1; batch <= 3; batch++)
        {
            for (int classes = 1; classes <= 5; classes += 2)
            {
                Check(new BinaryCrossEntropyLoss(), random, new SegmentationShape(batch, classes, 1, pixels), $"N={batch} C={classes} S={pixels}");
            }
        }
    }

    [TestMethod]
    public void MatchesScalarForEveryOptionCombination()
    {
        var random = new Random(5);
        foreach (double smoothing in new[] { 0, 0.1 })
        {
            foreach (bool positive in new[] { false, true })
            {
                foreach (bool weights in new[] { false, true })
                {
                    foreach (PointwiseAveraging averaging in Enum.GetValues<PointwiseAveraging>())
                    {
                        var shape = new SegmentationShape(2, 3, 1, random.Next(2) == 0 ? 33 : 1025);
                        var loss = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions
                        {
                            LabelSmoothing = smoothing, Averaging = averaging,
                            PositiveWeights = positive ? new[] { 2.0, 0.0, 0.5 } : null,
                            ClassWeights = weights ? new[] { 1.5, 0.25, 1 } : null,
                        });
                        Check(loss, random, shape, $"s={smoothing} pw={positive} w={weights} {averaging} S={shape.PixelsPerImage}");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void ParallelPathMatchesScalar()
    {
        var shape = new SegmentationShape(3, 4, 3, 3001);
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        var loss = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { LabelSmoothing = 0.05, PositiveWeights = new[] { 2.0 } });
        Check(loss, new Random(23), shape, "parallel");

        // Without positive weights and smoothing float goes through the sigmoid focal kernel (γ = 0, no α).
        var plain = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { ClassWeights = new[] { 1, 0.5, 2, 1 } });
        Check(plain, new Random(29), shape, "parallel, the focal kernel's path");
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteLogitsThrowOnEveryPath(float bad)
    {
        var shape = new SegmentationShape(2, 3, 1, 50);
        int[] labels = Enumerable.Range(0, shape.PixelCount).Select(i => i % 3).ToArray();
        foreach (BinaryCrossEntropyLossOptions options in new[] { new BinaryCrossEntropyLossOptions(), new BinaryCrossEntropyLossOptions { PositiveWeights = new[] { 2.0 } } })
        {
            foreach (int position in new[] { 0, 77, shape.ElementCount - 1 })
            {
                var input = new float[shape.ElementCount];
                input[position] = bad;
                var loss = new BinaryCrossEntropyLoss(options);
                Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels), new float[input.Length]));
                Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255)));
            }
        }
    }

    private static void Check(BinaryCrossEntropyLoss loss, Random random, SegmentationShape shape, string context)
    {
        double[] input = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int labelCount = shape.Classes == 1 ? 2 : shape.Classes;
        AssertMatches(loss, input, shape, TestTarget.FromLabels(GradientCheck.RandomLabels(random, shape.PixelCount, labelCount, ignore: 255), 255), context + " labels");
        AssertMatches(loss, input, shape, TestTarget.FromLabels(GradientCheck.RandomLabels(random, shape.PixelCount, labelCount)), context + " labels without ignore");
        double[] dense = FocalVectorizedTests.SoftTarget(random, shape);
        for (int i = 0; i < dense.Length; i += 7)
        {
            dense[i] = double.NaN; // single elements too, as multilabel targets do
        }

        AssertMatches(loss, input, shape, TestTarget.FromDense(dense), context + " dense");
    }

    private static void AssertMatches(BinaryCrossEntropyLoss loss, double[] input, SegmentationShape shape, TestTarget target, string context)
        => VectorizedCheck.AssertMatches(loss.Compute, loss.ComputeScalar, loss.Compute, loss.ComputeScalar, input, shape, target, context);
}
