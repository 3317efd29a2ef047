using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// The workspace's importance map is kept between passes only while the window, blend and sigma stay the same; any of
/// them changed gives the map <see cref="ImportanceMap.Create"/> computes for the new ones.
/// </summary>
[TestClass]
public sealed class TilingWorkspaceTests
{
    [TestMethod]
    public void ImportanceMapIsKeptForTheSameArgumentsAndRecomputedForOthers()
    {
        var workspace = new TilingWorkspace();
        float[] gaussian = workspace.ImportanceMap([8, 6], TileBlend.Gaussian, [0.125, 0.125]);
        CollectionAssert.AreEqual(ImportanceMap.Create([8, 6], TileBlend.Gaussian, [0.125, 0.125]), gaussian);
        Assert.AreSame(gaussian, workspace.ImportanceMap([8, 6], TileBlend.Gaussian, [0.125, 0.125]), "the same arguments: the same map");

        (int[] Tile, TileBlend Blend, double[] Sigma)[] others =
        [
            ([8, 6], TileBlend.Constant, [0.125, 0.125]),
            ([8, 6], TileBlend.Gaussian, [0.25, 0.125]),
            ([8, 6], TileBlend.Gaussian, [0.125, 0.25]),
            ([6, 8], TileBlend.Gaussian, [0.125, 0.125]),
            ([5, 6], TileBlend.Gaussian, [0.125, 0.125]),
            ([8, 6], TileBlend.Gaussian, [0.125, 0.125]),
        ];
        foreach ((int[] tile, TileBlend blend, double[] sigma) in others)
        {
            float[] map = workspace.ImportanceMap(tile, blend, sigma);
            CollectionAssert.AreEqual(ImportanceMap.Create(tile, blend, sigma), map, $"{blend} [{string.Join(",", tile)}] σ [{string.Join(",", sigma)}]");
        }
    }

    /// <summary>One workspace over images of several sizes, smaller than the window too (padded), and back: as fresh tilers.</summary>
    [TestMethod]
    public void OneWorkspaceOverImagesOfSeveralSizesGivesWhatFreshTilersGive()
    {
        var options = new TilingOptions { TileSize = [8, 8], Overlap = [0.5], Blend = TileBlend.Gaussian, TilesPerRun = 3 };
        var workspace = new TilingWorkspace();
        foreach ((int height, int width) in new[] { (20, 17), (5, 6), (20, 17), (7, 30) })
        {
            float[] image = Enumerable.Range(0, height * width).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
            float[] kept = Run(new BandedSlidingWindow(1, height, width, options, workspace), image, height, width);
            float[] fresh = Run(new BandedSlidingWindow(1, height, width, options), image, height, width);
            CollectionAssert.AreEqual(fresh, kept, $"{width}x{height}");
        }
    }

    private static float[] Run(BandedSlidingWindow tiler, float[] image, int height, int width)
    {
        var result = new float[2 * height * width];
        tiler.Run(image, TilingTestPredictors.Mixing(2), band =>
        {
            for (int k = 0; k < band.Channels; k++)
            {
                for (int r = 0; r < band.Rows; r++)
                {
                    band.Row(k, r).CopyTo(result.AsSpan(((k * height) + band.FirstRow + r) * width, width));
                }
            }
        });
        return result;
    }
}
