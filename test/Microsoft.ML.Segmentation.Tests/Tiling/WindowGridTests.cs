using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>MONAI's window starts and weights on literal cases, and the identities the issue names.</summary>
[TestClass]
public sealed class WindowGridTests
{
    [TestMethod]
    [DataRow(13, 6, 0.25, new[] { 0, 4, 7 })]
    [DataRow(10, 6, 0.25, new[] { 0, 4 })]
    [DataRow(7, 3, 0.5, new[] { 0, 1, 2, 3, 4 })]
    [DataRow(15, 4, 0.0, new[] { 0, 4, 8, 11 })]
    [DataRow(16, 4, 0.0, new[] { 0, 4, 8, 12 })]
    [DataRow(11, 5, 0.9, new[] { 0, 1, 2, 3, 4, 5, 6 })]
    [DataRow(101, 32, 0.25, new[] { 0, 24, 48, 69 })]
    [DataRow(5, 8, 0.25, new[] { 0 })]
    [DataRow(8, 8, 0.5, new[] { 0 })]
    public void StartsAreMonais(int size, int tile, double overlap, int[] starts)
    {
        WindowGrid grid = WindowGrid.Create([size], [tile], [overlap]);
        CollectionAssert.AreEqual(starts, grid.AxisStarts(0).ToArray());
        Assert.AreEqual(Math.Max(size, tile), grid.PaddedSize[0]);
        Assert.AreEqual((Math.Max(size, tile) - size) / 2, grid.PadBefore[0]);
    }

    [TestMethod]
    public void WindowsAreRowMajorFirstAxisSlowest()
    {
        WindowGrid grid = WindowGrid.Create([10, 13], [6, 6], [0.25, 0.25]);
        var starts = new List<string>();
        var start = new int[2];
        for (int w = 0; w < grid.WindowCount; w++)
        {
            grid.GetStart(w, start);
            starts.Add($"{start[0]},{start[1]}");
        }

        CollectionAssert.AreEqual(new[] { "0,0", "0,4", "0,7", "4,0", "4,4", "4,7" }, starts);
        CollectionAssert.AreEqual(new[] { 4, 4 }, grid.Interval.ToArray());
    }

    [TestMethod]
    public void GaussianMapIsTheFormula()
    {
        float[] map = ImportanceMap.Create([9, 6], TileBlend.Gaussian, [0.3, 0.5]);
        double[] raw = new double[54];
        for (int y = 0; y < 9; y++)
        {
            for (int x = 0; x < 6; x++)
            {
                double dy = y - 4.0;
                double dx = x - 2.5;
                raw[(y * 6) + x] = Math.Exp(-(dy * dy) / (2 * 2.7 * 2.7)) * Math.Exp(-(dx * dx) / (2 * 3.0 * 3.0));
            }
        }

        double floor = Math.Max(raw.Min(), 1e-3);
        for (int i = 0; i < raw.Length; i++)
        {
            Assert.AreEqual(Math.Max(raw[i], floor), map[i], 1e-6);
        }

        Assert.IsTrue(ImportanceMap.Create([3, 4], TileBlend.Constant, [0.125]).All(v => v == 1f));
        // A narrow Gaussian is clamped at 1e-3 in the corners.
        Assert.AreEqual((float)1e-3, ImportanceMap.Create([8, 8], TileBlend.Gaussian, [0.125])[0]);
    }

    [TestMethod]
    public void TileEqualToTheImageIsTheModelOutputBitForBit()
    {
        float[] image = TilingTestPredictors.Random(2 * 3 * 9 * 7, 3);
        WindowPredictor head = TilingTestPredictors.Mixing(2);
        float[] untiled = head(image, [2, 3, 9, 7])[0].Values.ToArray();
        foreach (int[] tile in new[] { new[] { 9, 7 }, new[] { 0, 0 }, new[] { 0, 7 } })
        {
            float[] tiled = SlidingWindowInference.Run(image, [2, 3, 9, 7], new TilingOptions { TileSize = tile, TilesPerRun = 2 }, head)[0].Values.ToArray();
            CollectionAssert.AreEqual(untiled, tiled, $"tile [{string.Join(",", tile)}]");
        }
    }

    [TestMethod]
    public void NoOverlapConstantBlendIsStitchingTheWindows()
    {
        // 12×8 in 4×4 windows, overlap 0: six disjoint windows whose own outputs are pasted in place.
        float[] image = TilingTestPredictors.Random(1 * 2 * 12 * 8, 5);
        WindowPredictor head = TilingTestPredictors.Mixing(3);
        float[] tiled = SlidingWindowInference.Run(image, [1, 2, 12, 8], new TilingOptions { TileSize = [4, 4], Overlap = [0] }, head)[0].Values.ToArray();
        for (int wy = 0; wy < 3; wy++)
        {
            for (int wx = 0; wx < 2; wx++)
            {
                var window = new float[2 * 16];
                for (int c = 0; c < 2; c++)
                {
                    for (int y = 0; y < 4; y++)
                    {
                        image.AsSpan((((c * 12) + (wy * 4) + y) * 8) + (wx * 4), 4).CopyTo(window.AsSpan((c * 16) + (y * 4), 4));
                    }
                }

                float[] own = head(window, [1, 2, 4, 4])[0].Values.ToArray();
                for (int k = 0; k < 3; k++)
                {
                    for (int y = 0; y < 4; y++)
                    {
                        for (int x = 0; x < 4; x++)
                        {
                            Assert.AreEqual(own[(k * 16) + (y * 4) + x], tiled[(((k * 12) + (wy * 4) + y) * 8) + (wx * 4) + x]);
                        }
                    }
                }
            }
        }
    }

    [TestMethod]
    public void PointwiseModelGivesTheUntiledResultForAnyTiling()
    {
        float[] image = TilingTestPredictors.Random(1 * 2 * 21 * 17, 9);
        WindowPredictor pointwise = (w, s) => [new FloatTensor(w.ToArray().Select(v => (3 * v) - 1).ToArray(), s.ToArray())];
        float[] untiled = image.Select(v => (3 * v) - 1).ToArray();
        foreach (TileBlend blend in new[] { TileBlend.Constant, TileBlend.Gaussian })
        {
            foreach (double overlap in new[] { 0, 0.25, 0.5, 0.9 })
            {
                foreach (int[] tile in new[] { new[] { 5, 5 }, new[] { 8, 3 }, new[] { 21, 4 } })
                {
                    float[] tiled = SlidingWindowInference.Run(image, [1, 2, 21, 17], new TilingOptions { TileSize = tile, Overlap = [overlap], Blend = blend, TilesPerRun = 3 }, pointwise)[0].Values.ToArray();
                    for (int i = 0; i < untiled.Length; i++)
                    {
                        Assert.AreEqual(untiled[i], tiled[i], 1e-5f * (1 + Math.Abs(untiled[i])), $"{blend} overlap {overlap} tile [{string.Join(",", tile)}] value {i}");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void MultiResolutionOutputsAreStitchedAtTheirOwnScale()
    {
        // Output 1 is the window subsampled by 2: stitched at half resolution it equals the image subsampled by 2.
        float[] image = TilingTestPredictors.Random(1 * 1 * 16 * 16, 11);
        WindowPredictor head = (w, s) =>
        {
            int n = s[0];
            var half = new float[n * 4 * 4];
            for (int b = 0; b < n; b++)
            {
                for (int y = 0; y < 4; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        half[(b * 16) + (y * 4) + x] = w[(b * 64) + (2 * y * 8) + (2 * x)];
                    }
                }
            }

            return [new FloatTensor(w.ToArray(), s.ToArray()), new FloatTensor(half, new[] { n, 1, 4, 4 })];
        };
        IReadOnlyList<FloatTensor> outputs = SlidingWindowInference.Run(image, [1, 1, 16, 16], new TilingOptions { TileSize = [8, 8], Overlap = [0.5], TilesPerRun = 4 }, head);
        CollectionAssert.AreEqual(new[] { 1, 1, 8, 8 }, outputs[1].Shape.ToArray());
        float[] low = outputs[1].Values.ToArray();
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
            {
                Assert.AreEqual(image[(2 * y * 16) + (2 * x)], low[(y * 8) + x], 1e-6f);
            }
        }
    }
}
