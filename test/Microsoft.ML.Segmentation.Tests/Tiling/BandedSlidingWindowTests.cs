using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// The banded 2-D accumulator against the full N-d kernel: the concatenated bands equal the full result bit for bit,
/// the bands cover every image row once, top to bottom, and the accumulator never holds more than
/// K × (tile height + interval) × padded width scores.
/// </summary>
[TestClass]
public sealed class BandedSlidingWindowTests
{
    public static IEnumerable<object[]> Cases()
    {
        // height, width, tile height, tile width, overlap, blend, tiles per run
        yield return new object[] { 37, 29, 8, 8, 0.25, TileBlend.Constant, 1 };
        yield return new object[] { 37, 29, 8, 8, 0.25, TileBlend.Gaussian, 3 };
        yield return new object[] { 50, 41, 16, 12, 0.5, TileBlend.Gaussian, 4 };
        yield return new object[] { 23, 31, 7, 5, 0.0, TileBlend.Constant, 2 };
        yield return new object[] { 23, 31, 7, 5, 0.9, TileBlend.Gaussian, 1 };
        yield return new object[] { 64, 64, 16, 16, 0.0, TileBlend.Constant, 5 };
        yield return new object[] { 19, 17, 6, 9, 0.6, TileBlend.Gaussian, 100 };
        // Smaller than a tile on one axis, then on both: padded, one row of windows.
        yield return new object[] { 5, 30, 8, 8, 0.25, TileBlend.Gaussian, 2 };
        yield return new object[] { 30, 5, 8, 8, 0.25, TileBlend.Constant, 2 };
        yield return new object[] { 5, 6, 8, 8, 0.25, TileBlend.Gaussian, 1 };
        // Tile equal to the image: one window.
        yield return new object[] { 12, 10, 12, 10, 0.25, TileBlend.Gaussian, 1 };
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void BandsEqualTheFullResult(int height, int width, int tileHeight, int tileWidth, double overlap, TileBlend blend, int perRun)
    {
        const int channels = 3;
        const int classes = 4;
        var options = new TilingOptions
        {
            TileSize = [tileHeight, tileWidth],
            Overlap = [overlap],
            Blend = blend,
            TilesPerRun = perRun,
            PaddingValue = 0.5f,
        };
        float[] image = TilingTestPredictors.Random(channels * height * width, height * 100 + width);
        float[] full = SlidingWindowInference.Run(image, [1, channels, height, width], options, TilingTestPredictors.Mixing(classes))[0].Values.ToArray();

        var banded = new BandedSlidingWindow(channels, height, width, options);
        var stitched = new float[classes * height * width];
        int nextRow = 0;
        var regions = new List<(int Top, int Left, int Rows, int Columns)>();
        ImageRegionReader reader = (top, left, rows, columns, destination) =>
        {
            regions.Add((top, left, rows, columns));
            for (int c = 0; c < channels; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    image.AsSpan((((c * height) + top + r) * width) + left, columns).CopyTo(destination.Slice(((c * rows) + r) * columns, columns));
                }
            }
        };
        banded.Run(reader, TilingTestPredictors.Mixing(classes), band =>
        {
            Assert.AreEqual(nextRow, band.FirstRow, "bands come top to bottom without gaps");
            Assert.AreEqual(classes, band.Channels);
            Assert.AreEqual(width, band.Width);
            var copy = new float[classes * band.Rows * width];
            band.CopyTo(copy);
            for (int k = 0; k < classes; k++)
            {
                for (int r = 0; r < band.Rows; r++)
                {
                    CollectionAssert.AreEqual(band.Row(k, r).ToArray(), copy.AsSpan(((k * band.Rows) + r) * width, width).ToArray());
                    copy.AsSpan(((k * band.Rows) + r) * width, width).CopyTo(stitched.AsSpan((((k * height) + band.FirstRow + r) * width), width));
                }
            }

            nextRow += band.Rows;
        });

        Assert.AreEqual(height, nextRow, "the bands cover every row");
        for (int i = 0; i < full.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(full[i]), BitConverter.SingleToInt32Bits(stitched[i]), $"value {i}: full {full[i]}, banded {stitched[i]}");
        }

        // The full scores divided straight out of the band (TiledInference.Score's path): the same bits.
        float[] direct = RunInto(new BandedSlidingWindow(channels, height, width, options), reader, classes, height, width);
        for (int i = 0; i < full.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(full[i]), BitConverter.SingleToInt32Bits(direct[i]), $"value {i}: full {full[i]}, divided into place {direct[i]}");
        }

        Assert.IsTrue(regions.All(r => r.Top >= 0 && r.Left >= 0 && r.Top + r.Rows <= height && r.Left + r.Columns <= width), "the reader is only asked for pixels inside the image");
        int paddedWidth = Math.Max(width, tileWidth);
        long bound = (long)classes * (tileHeight + banded.Grid.Interval[0]) * paddedWidth;
        Assert.IsTrue(banded.PeakScoreBufferFloats > 0 && banded.PeakScoreBufferFloats <= bound, $"peak {banded.PeakScoreBufferFloats} floats, bound {bound}");
        Assert.IsTrue(banded.PeakWeightBufferFloats <= (long)(tileHeight + banded.Grid.Interval[0]) * paddedWidth);
    }

    [TestMethod]
    public void ParallelBlendAndKeptBuffersGiveTheFullResultBitForBit()
    {
        // 8 classes × 96² windows: past ParallelWork's threshold, so the classes are blended on several threads. One
        // workspace, its buffers NaN to begin with, serves a large image, a small one (its buffers dirty and too large)
        // and large ones again, as a TiledInference does from image to image; a public instance is also run twice.
        var workspace = new TilingWorkspace();
        workspace.Scores(1 << 20).AsSpan().Fill(float.NaN); // the band must write every score sum before it reads one
        workspace.Weights(1 << 18).AsSpan().Fill(float.NaN);
        var large = new TilingOptions { TileSize = [96, 96], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = 3, PaddingValue = -1f };
        var small = new TilingOptions { TileSize = [8, 8], Overlap = [0.5], Blend = TileBlend.Constant, TilesPerRun = 2 };
        AssertBandsEqualFull(new BandedSlidingWindow(3, 200, 170, large, workspace), large, 200, 170, classes: 8, seed: 1);
        AssertBandsEqualFull(new BandedSlidingWindow(3, 37, 29, small, workspace), small, 37, 29, classes: 5, seed: 2);
        AssertBandsEqualFull(new BandedSlidingWindow(3, 60, 250, large, workspace), large, 60, 250, classes: 8, seed: 3); // padded rows
        AssertBandsEqualFull(new BandedSlidingWindow(3, 200, 170, large, workspace), large, 200, 170, classes: 8, seed: 4);

        var reused = new BandedSlidingWindow(3, 130, 140, large);
        AssertBandsEqualFull(reused, large, 130, 140, classes: 9, seed: 5);
        AssertBandsEqualFull(reused, large, 130, 140, classes: 9, seed: 6);
        Assert.AreEqual(9L * 96 * 140, reused.PeakScoreBufferFloats, "the peak counts the band in use, not the kept array");
    }

    private static void AssertBandsEqualFull(BandedSlidingWindow banded, TilingOptions options, int height, int width, int classes, int seed)
    {
        const int channels = 3;
        float[] image = TilingTestPredictors.Random(channels * height * width, seed);
        float[] full = SlidingWindowInference.Run(image, [1, channels, height, width], options, TilingTestPredictors.Mixing(classes))[0].Values.ToArray();
        var stitched = new float[classes * height * width];
        stitched.AsSpan().Fill(float.NaN);
        banded.Run(image, TilingTestPredictors.Mixing(classes), band =>
        {
            for (int k = 0; k < classes; k++)
            {
                for (int r = 0; r < band.Rows; r++)
                {
                    band.Row(k, r).CopyTo(stitched.AsSpan(((k * height) + band.FirstRow + r) * width, width));
                }
            }
        });

        float[] direct = RunInto(banded, (top, left, rows, columns, destination) => PlanarRegion.Copy(image, channels, height, width, top, left, rows, columns, destination), classes, height, width);
        for (int i = 0; i < full.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(full[i]), BitConverter.SingleToInt32Bits(stitched[i]), $"{height}x{width}, {classes} classes, value {i}: full {full[i]}, banded {stitched[i]}");
            Assert.AreEqual(BitConverter.SingleToInt32Bits(full[i]), BitConverter.SingleToInt32Bits(direct[i]), $"{height}x{width}, {classes} classes, value {i}: full {full[i]}, divided into place {direct[i]}");
        }
    }

    /// <summary><see cref="BandedSlidingWindow.RunInto"/> into a NaN-filled array one value longer than the scores (nothing written past them).</summary>
    private static float[] RunInto(BandedSlidingWindow banded, ImageRegionReader reader, int classes, int height, int width)
    {
        var direct = new float[(classes * height * width) + 1];
        direct.AsSpan().Fill(float.NaN);
        banded.RunInto(reader, TilingTestPredictors.Mixing(classes), k =>
        {
            Assert.AreEqual(classes, k);
            return direct;
        });
        Assert.IsTrue(float.IsNaN(direct[^1]), "written past the scores");
        return direct;
    }

    [TestMethod]
    public void BoundedMemoryIsFarBelowTheFullOutputOnATallImage()
    {
        var options = new TilingOptions { TileSize = [32, 32], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = 8 };
        const int height = 1000;
        const int width = 96;
        var banded = new BandedSlidingWindow(1, height, width, options);
        float[] image = TilingTestPredictors.Random(height * width, 7);
        int rows = 0;
        banded.Run(image, TilingTestPredictors.Mixing(2), band => rows += band.Rows);
        Assert.AreEqual(height, rows);
        Assert.AreEqual(2L * 32 * width, banded.PeakScoreBufferFloats, "K × tile height × width");
        Assert.IsTrue(banded.PeakScoreBufferFloats * 20 < 2L * height * width);
    }

    [TestMethod]
    public void RefusesMultipleOutputsAndScaledOutputs()
    {
        var options = new TilingOptions { TileSize = [4, 4] };
        var banded = new BandedSlidingWindow(1, 8, 8, options);
        var image = new float[64];
        WindowPredictor two = (w, s) => [new FloatTensor(w.ToArray(), s.ToArray()), new FloatTensor(w.ToArray(), s.ToArray())];
        WindowPredictor half = (w, s) => [new FloatTensor(new float[s[0] * 4], new[] { s[0], 1, 2, 2 })];
        Assert.ThrowsExactly<InvalidOperationException>(() => banded.Run(image, two, _ => { }));
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => banded.Run(image, half, _ => { }));
        StringAssert.Contains(ex.Message, "[1, K, 4, 4]");
    }
}
