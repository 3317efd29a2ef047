using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="BalancedBinaryCrossEntropyLoss"/>'s fast path (the binary cross-entropy kernel with PyTorch's
/// <c>pos_weight</c> Q/P, scaled by P/(P + Q)) against the pixel-by-pixel reference in float64
/// (<c>BalancedBinaryCrossEntropyReference</c>): label maps with and without an ignore index, dense targets of 0, 1
/// and NaN, every averaging, float and double, sizes that cover SIMD tails and the parallel path, and the batches
/// without a positive or a negative pixel.
/// </summary>
[TestClass]
public sealed class BalancedBinaryCrossEntropyFastPathTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (int pixels in VectorizedCheck.OddSizes.Append(70001))
        {
            foreach (PointwiseAveraging averaging in new[] { PointwiseAveraging.All, PointwiseAveraging.Valid, PointwiseAveraging.TargetWeight, PointwiseAveraging.Sum })
            {
                yield return [pixels, averaging];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void FastPathMatchesTheReference(int pixels, PointwiseAveraging averaging)
    {
        var random = new Random(pixels + (int)averaging);
        var loss = new BalancedBinaryCrossEntropyLoss(new BalancedBinaryCrossEntropyLossOptions { Averaging = averaging });
        foreach (int batch in new[] { 1, 3 })
        {
            var shape = new SegmentationShape(batch, 1, 1, pixels);
            double[] x = GradientCheck.RandomInput(random, shape.ElementCount, 4).Select(v => (double)(float)v).ToArray();
            foreach (double positiveShare in new[] { 0.0, 0.1, 0.5, 1.0 })
            {
                int[] labels = Enumerable.Range(0, shape.PixelCount).Select(_ => random.NextDouble() < 0.15 ? 255 : random.NextDouble() < positiveShare ? 1 : 0).ToArray();
                double[] dense = labels.Select(l => l == 255 ? double.NaN : l).ToArray();
                string context = $"{averaging} N={batch} S={pixels} share={positiveShare}";
                Check(loss, x, shape, () => SegmentationTarget<double>.FromLabels(labels, 255), () => SegmentationTarget<float>.FromLabels(labels, 255), $"{context} labels");
                int[] unmasked = labels.Select(l => l == 255 ? 0 : l).ToArray();
                Check(loss, x, shape, () => SegmentationTarget<double>.FromLabels(unmasked), () => SegmentationTarget<float>.FromLabels(unmasked), $"{context} labels, no ignore index");
                float[] denseSingle = dense.Select(v => (float)v).ToArray();
                Check(loss, x, shape, () => SegmentationTarget<double>.FromDense(dense), () => SegmentationTarget<float>.FromDense(denseSingle), $"{context} dense");
            }
        }
    }

    [TestMethod]
    public void DenseValuesOtherThanZeroOneOrNaNAreNamed()
    {
        var shape = new SegmentationShape(1, 1, 1, 40);
        var dense = new float[40];
        dense[3] = 1;
        dense[37] = 0.5f;
        var error = Assert.ThrowsExactly<ArgumentException>(() => new BalancedBinaryCrossEntropyLoss().Compute<float>(new float[40], shape, SegmentationTarget<float>.FromDense(dense)));
        StringAssert.Contains(error.Message, "element 37");
    }

    private delegate SegmentationTarget<T> TargetOf<T>()
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;

    private static void Check(BalancedBinaryCrossEntropyLoss loss, double[] x, SegmentationShape shape, TargetOf<double> target, TargetOf<float> singleTarget, string context)
    {
        var expectedGradient = new double[x.Length];
        double expected = BalancedBinaryCrossEntropyReference.Compute<double>(loss, x, shape, target(), expectedGradient);
        double max = expectedGradient.Max(Math.Abs);

        var gradient = new double[x.Length];
        gradient.AsSpan().Fill(12345);
        Assert.AreEqual(expected, loss.Compute<double>(x, shape, target(), gradient), 1e-12 * Math.Max(1, Math.Abs(expected)), $"{context} (double): value");
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], gradient[i], (1e-12 * max) + 1e-300, $"{context} (double): gradient[{i}]");
        }

        float[] single = x.Select(v => (float)v).ToArray();
        var singleGradient = new float[x.Length];
        singleGradient.AsSpan().Fill(12345);
        Assert.AreEqual(expected, loss.Compute<float>(single, shape, singleTarget(), singleGradient), (1e-5 * Math.Abs(expected)) + 1e-7, $"{context} (float): value");
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], singleGradient[i], (1e-5 * max) + 1e-12, $"{context} (float): gradient[{i}]");
        }
    }
}
