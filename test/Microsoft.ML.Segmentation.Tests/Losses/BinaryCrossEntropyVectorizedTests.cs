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

    /// <summary>
    /// Smoothing, positive weights (differing per channel, one of them 0), class weights and every averaging, on label
    /// maps with and without an ignored label and on soft dense targets with NaN: in float these take the sigmoid focal
    /// kernel's weighted-target steps (the plain rows its binary cross-entropy step), without hardware vectors the
    /// TensorPrimitives kernel; both against the scalar reference.
    /// </summary>
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

    /// <summary>
    /// One positive weight for every channel on a label map takes the sigmoid focal kernel's α-balanced step (a = pw·w
    /// at t = 1): against the scalar reference, with and without class weights and an ignored label, one weight given
    /// once or per channel; dense targets take the weighted-target step (checked by the same calls).
    /// </summary>
    [TestMethod]
    public void OnePositiveWeightMatchesScalar()
    {
        var random = new Random(17);
        foreach (double[] positive in new[] { new[] { 1.7 }, new[] { 0.6, 0.6, 0.6 } })
        {
            foreach (bool weights in new[] { false, true })
            {
                foreach (PointwiseAveraging averaging in Enum.GetValues<PointwiseAveraging>())
                {
                    var shape = new SegmentationShape(2, 3, 1, random.Next(2) == 0 ? 37 : 1029);
                    var loss = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions
                    {
                        Averaging = averaging, PositiveWeights = positive, ClassWeights = weights ? new[] { 1.5, 0.25, 1 } : null,
                    });
                    Check(loss, random, shape, $"pw={string.Join(',', positive)} w={weights} {averaging} S={shape.PixelsPerImage}");
                }
            }
        }

        // One channel (binary segmentation, smp's usual pos_weight case) across threads.
        Check(new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = new[] { 3.0 } }), random, new SegmentationShape(4, 1, 61, 67), "one channel");
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

    /// <summary>
    /// Logits that agree with their labels by 17 to 40 (e^−|x| below 2⁻²⁴, which a product of 1 + e rounded to float
    /// would drop) against softplus(−z) and σ(x) − t summed in double here: the label rows multiply 1 + e into one
    /// product a block, and its log must keep them, alone and beside moderate logits. Rows longer than a block of 32
    /// vectors at every width, with a tail; with and without an ignored label; and with a positive weight, which takes
    /// the α-balanced step on a label map and the weighted-target step on dense targets (the label kernel of differing
    /// per-channel weights shares that step's arithmetic, <c>WeightedCrossEntropy</c>); without hardware vectors every
    /// option takes the TensorPrimitives kernel, whose former form cancelled.
    /// </summary>
    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void ConfidentLogitsKeepTheirLossAndGradient(bool withModerate, bool withIgnore)
    {
        // 4099: an even number of blocks at every width; 2333: an odd one, whose last product closes early.
        foreach (int pixels in new[] { 4099, 2333 })
        {
            foreach (double positiveWeight in new[] { 1, 2.5 })
            {
                CheckConfident(new SegmentationShape(2, 1, 1, pixels), new Random(pixels + (withModerate ? 41 : 43)), withModerate, withIgnore, positiveWeight);
            }
        }
    }

    private static void CheckConfident(SegmentationShape shape, Random random, bool withModerate, bool withIgnore, double positiveWeight)
    {
        int n = shape.ElementCount;
        var labels = new int[n];
        var input = new float[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = withIgnore && i % 13 == 5 ? 255 : random.Next(2);
            float magnitude = withModerate && i % 97 == 3 ? (float)(random.NextDouble() * 3) : (float)(17 + (random.NextDouble() * 23));
            input[i] = labels[i] == 0 ? -magnitude : magnitude;
        }

        double sum = 0;
        int counted = 0;
        var expectedGradient = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (labels[i] == 255)
            {
                continue;
            }

            double z = labels[i] == 1 ? input[i] : -input[i];
            sum += (labels[i] == 1 ? positiveWeight : 1) * (z >= 0 ? Log1P(Math.Exp(-z)) : -z + Log1P(Math.Exp(z)));
            counted++;
        }

        for (int i = 0; i < n; i++)
        {
            if (labels[i] != 255)
            {
                // σ(x) − t without cancellation: −σ(−x) for t = 1, σ(x) for t = 0.
                expectedGradient[i] = (labels[i] == 1 ? -positiveWeight / (1 + Math.Exp(input[i])) : 1 / (1 + Math.Exp(-input[i]))) / counted;
            }
        }

        double expected = sum / counted;
        // The same elements as a label map and as dense 0/1 targets (NaN where ignored): both kinds of rows.
        float[] dense = labels.Select(l => l == 255 ? float.NaN : l).ToArray();
        var options = new BinaryCrossEntropyLossOptions { PositiveWeights = positiveWeight == 1 ? null : new[] { positiveWeight } };
        foreach (bool asDense in new[] { false, true })
        {
            SegmentationTarget<float> target = asDense ? SegmentationTarget<float>.FromDense(dense)
                : withIgnore ? SegmentationTarget<float>.FromLabels(labels, 255) : SegmentationTarget<float>.FromLabels(labels);
            string kind = asDense ? "dense" : "labels";
            var gradient = new float[n];
            double actual = new BinaryCrossEntropyLoss(options).Compute<float>(input, shape, target, gradient);
            Assert.IsLessThanOrEqualTo(1e-5 * expected, Math.Abs(actual - expected), $"{shape} {kind} pw {positiveWeight}: loss {actual} vs {expected} computed in double");
            for (int i = 0; i < n; i++)
            {
                Assert.IsLessThanOrEqualTo(1e-5 * Math.Abs(expectedGradient[i]), Math.Abs(gradient[i] - expectedGradient[i]), $"{kind} pw {positiveWeight}: gradient[{i}] {gradient[i]} vs {expectedGradient[i]} (x = {input[i]}, label {labels[i]})");
            }
        }
    }

    /// <summary>ln(1 + u) without rounding 1 + u first for small u (its series to u⁵/5 below 2⁻¹⁰).</summary>
    private static double Log1P(double u) => u < 1.0 / 1024 ? u * (1 - (u * ((1.0 / 2) - (u * ((1.0 / 3) - (u * ((1.0 / 4) - (u / 5)))))))) : Math.Log(1 + u);

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
