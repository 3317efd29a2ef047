using Microsoft.ML.Segmentation.Tiling;
using static Microsoft.ML.Segmentation.Tests.Tiling.TestTimeAugmentationModels;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// Test-time augmentation inside tiling, per window as nnU-Net mirrors: the tiled result with the wrapped predictor
/// equals the tiled result with a predictor that augments each window by hand (the oracle), on the full N-d path and on
/// the banded path; and one window covering the image equals the untiled <see cref="TestTimeAugmentation.Run"/>.
/// </summary>
[TestClass]
public sealed class TestTimeAugmentationTilingTests
{
    private const double Tolerance = 2e-5;

    public static IEnumerable<object[]> Cases()
    {
        // flips, scales, merge, blend, overlap, tiles per run
        yield return new object[] { TtaFlips.D4, new[] { 1.0, 0.5 }, TtaMerge.Probabilities, TileBlend.Gaussian, 0.5, 3 };
        yield return new object[] { TtaFlips.HorizontalAndVertical, new[] { 1.0 }, TtaMerge.Logits, TileBlend.Constant, 0.25, 1 };
        yield return new object[] { TtaFlips.Horizontal, new[] { 1.5, 1.0 }, TtaMerge.Logits, TileBlend.Gaussian, 0.25, 4 };
        yield return new object[] { TtaFlips.Vertical, new[] { 0.75 }, TtaMerge.Probabilities, TileBlend.Constant, 0.0, 2 };
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void SlidingWindowWithTtaEqualsTtaAppliedToEachWindowByHand(TtaFlips flips, double[] scales, TtaMerge merge, TileBlend blend, double overlap, int perRun)
    {
        const int channels = 2;
        const int height = 13;
        const int width = 11;
        var tiling = new TilingOptions { TileSize = [6], Overlap = [overlap], Blend = blend, TilesPerRun = perRun, PaddingValue = 0.25f };
        float[] images = ToFloat(Smooth(channels, height, width).Concat(Smooth(channels, height, width, phase: 2)).ToArray());
        int[] shape = [2, channels, height, width];
        var tta = new TestTimeAugmentationOptions { Flips = flips, Scales = scales, Merge = merge };

        var calls = new List<int[]>();
        FloatTensor actual = SlidingWindowInference.Run(images, shape, tiling, TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(TestTimeAugmentationModels.Ramp, calls), tta, false))[0];
        FloatTensor expected = SlidingWindowInference.Run(images, shape, tiling, TestTimeAugmentationOracle.ByHand(TestTimeAugmentationModels.Ramp, flips, scales, merge, false, (h, w) => (h, w)))[0];

        CollectionAssert.AreEqual(expected.Shape.ToArray(), actual.Shape.ToArray());
        AssertClose(expected.Values.ToArray().Select(v => (double)v).ToArray(), actual.Values.Span, Tolerance, $"{flips}, {merge}, {blend}");
        Assert.IsTrue(calls.All(c => c[0] <= perRun && c[2] * c[3] > 0));
        int windows = WindowGrid.Create([height, width], tiling).WindowCount * 2;
        Assert.AreEqual((windows + perRun - 1) / perRun * tta.RunsPerWindow, calls.Count, "one inner run per transform and scale of each tiling run");
    }

    [TestMethod]
    [DataRow(TtaFlips.D4, TtaMerge.Probabilities, TileBlend.Gaussian, 2)]
    [DataRow(TtaFlips.HorizontalAndVertical, TtaMerge.Logits, TileBlend.Constant, 1)]
    public void BandedSlidingWindowWithTtaEqualsTtaAppliedToEachWindowByHand(TtaFlips flips, TtaMerge merge, TileBlend blend, int perRun)
    {
        const int channels = 3;
        const int height = 17;
        const int width = 13;
        var tiling = new TilingOptions { TileSize = [8, 8], Overlap = [0.25], Blend = blend, TilesPerRun = perRun };
        double[] scales = [1, 0.5];
        float[] image = ToFloat(Smooth(channels, height, width, phase: 0.3));
        float[] expected = SlidingWindowInference.Run(image, [1, channels, height, width], tiling, TestTimeAugmentationOracle.ByHand(TestTimeAugmentationModels.Ramp, flips, scales, merge, false, (h, w) => (h, w)))[0].Values.ToArray();

        var banded = new BandedSlidingWindow(channels, height, width, tiling);
        var stitched = new float[channels * height * width];
        WindowPredictor tta = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(TestTimeAugmentationModels.Ramp), new() { Flips = flips, Scales = scales, Merge = merge }, false);
        banded.Run(image, tta, band =>
        {
            for (int k = 0; k < band.Channels; k++)
            {
                for (int r = 0; r < band.Rows; r++)
                {
                    band.Row(k, r).CopyTo(stitched.AsSpan((((k * height) + band.FirstRow + r) * width), width));
                }
            }
        });

        AssertClose(expected.Select(v => (double)v).ToArray(), stitched, Tolerance, $"banded, {flips}, {merge}");
    }

    [TestMethod]
    public void OneWindowOverTheImageEqualsUntiledTta()
    {
        const int channels = 2;
        float[] image = ToFloat(Smooth(channels, 9, 9, phase: 1));
        var tta = new TestTimeAugmentationOptions { Flips = TtaFlips.D4, Scales = [1, 0.6] };

        // The default tile is the whole image: one window, constant weight 1, so blending leaves the scores as they are.
        float[] tiled = SlidingWindowInference.Run(image, [1, channels, 9, 9], new TilingOptions(), TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(TestTimeAugmentationModels.Ramp), tta, false))[0].Values.ToArray();
        float[] untiled = TestTimeAugmentation.Run(image, [1, channels, 9, 9], tta, false, TestTimeAugmentationOracle.AsPredictor(TestTimeAugmentationModels.Ramp)).Values.ToArray();
        CollectionAssert.AreEqual(untiled, tiled);
    }
}
