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
                string context = $"{averaging} N={batch} S={pixels} share={positiveShare}";
                Check(loss, x, shape, TestTarget.FromLabels(labels, 255), $"{context} labels");
                Check(loss, x, shape, TestTarget.FromLabels(labels.Select(l => l == 255 ? 0 : l).ToArray()), $"{context} labels, no ignore index");
                Check(loss, x, shape, TestTarget.FromDense(labels.Select(l => l == 255 ? double.NaN : l).ToArray()), $"{context} dense");
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

    private static void Check(BalancedBinaryCrossEntropyLoss loss, double[] x, SegmentationShape shape, TestTarget target, string context)
    {
        VectorizedCheck.AssertMatches(loss.Compute, Reference<double>, loss.Compute, Reference<float>, x, shape, target, context, new CheckTolerances(SingleValueAbsolute: 1e-7));

        double Reference<T>(ReadOnlySpan<T> input, SegmentationShape s, SegmentationTarget<T> t, Span<T> gradient)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => BalancedBinaryCrossEntropyReference.Compute(loss, input, s, t, gradient);
    }
}
