using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// The two-sided squared distance (to the nearest pixel of the other value) against a brute-force search and against
/// the pair of distance transforms it replaces, on masks that take each of its paths: rows searched with vectors
/// (short distances), rows that build the envelope (far pixels, long runs), the switch between them, and widths that
/// leave a partial vector.
/// </summary>
[TestClass]
public sealed class TwoSidedDistanceTests
{
    public static IEnumerable<object[]> NoiseCases()
    {
        foreach ((int h, int w) in new[] { (1, 2), (2, 1), (1, 9), (9, 1), (3, 3), (7, 13), (17, 33), (40, 37), (64, 48), (5, 100) })
        {
            foreach (double density in new[] { 0.02, 0.3, 0.5, 0.7, 0.98 })
            {
                yield return new object[] { h, w, density };
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(NoiseCases))]
    public void NoiseMatchesBruteForce(int height, int width, double density)
    {
        var random = new Random((height * 1000) + width + (int)(density * 100));
        byte[] mask = Enumerable.Range(0, height * width).Select(_ => (byte)(random.NextDouble() < density ? 1 : 0)).ToArray();
        if (mask.All(b => b == mask[0]))
        {
            mask[random.Next(mask.Length)] ^= 1; // both values present, as the transform requires
        }

        AssertMatchesBruteForce(mask, height, width);
    }

    [TestMethod]
    [DataRow(90, 90, 1, 1)] // one pixel: every row far, the envelope's path
    [DataRow(90, 90, 45, 3)] // a disc of radius 30: far rows around it, near rows through its edge
    [DataRow(70, 131, 20, 1)] // wider than a vector row, a partial last vector
    [DataRow(200, 23, 5, 2)] // tall and narrow: long column distances
    public void DiscsMatchBruteForce(int height, int width, int radius, int count)
    {
        var random = new Random(height + width + radius);
        var mask = new byte[height * width];
        for (int c = 0; c < count; c++)
        {
            int cy = random.Next(height), cx = random.Next(width);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    if (((y - cy) * (y - cy)) + ((x - cx) * (x - cx)) < radius * radius)
                    {
                        mask[(y * width) + x] = 1;
                    }
                }
            }
        }

        mask[0] = 1; // at least one pixel of each value, whatever the draw
        mask[^1] = 0;
        AssertMatchesBruteForce(mask, height, width);
        AssertMatchesBruteForce(mask.Select(b => (byte)(1 - b)).ToArray(), height, width);
    }

    [TestMethod]
    public void RowsSwitchBetweenPathsAndMatchThePairOfTransforms()
    {
        // Top: empty but for one pixel (far rows); middle: noise (near rows); bottom: a half-plane edge; 256 wide.
        const int h = 240, w = 256;
        var random = new Random(11);
        var mask = new byte[h * w];
        mask[(10 * w) + 200] = 1;
        for (int i = 80 * w; i < 160 * w; i++)
        {
            mask[i] = (byte)(random.NextDouble() < 0.05 ? 1 : 0);
        }

        for (int y = 160; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                mask[(y * w) + x] = (byte)(x < (y - 150) * 2 ? 1 : 0);
            }
        }

        var squared = new double[h * w];
        TwoSidedDistance.ComputeSquared(mask, h, w, squared);
        var inside = new double[h * w];
        var outside = new double[h * w];
        EuclideanDistanceTransform.ComputeSquared(mask, h, w, inside);
        EuclideanDistanceTransform.ComputeSquared(mask.Select(b => (byte)(1 - b)).ToArray(), h, w, outside);
        for (int i = 0; i < squared.Length; i++)
        {
            Assert.AreEqual(inside[i] + outside[i], squared[i], $"pixel ({i / w}, {i % w})");
        }
    }

    [TestMethod]
    public void SupportsSidesUpToTheLimit()
    {
        Assert.IsTrue(TwoSidedDistance.Supports(TwoSidedDistance.MaxSide, 3));
        Assert.IsFalse(TwoSidedDistance.Supports(TwoSidedDistance.MaxSide + 1, 3));
        Assert.IsFalse(TwoSidedDistance.Supports(3, TwoSidedDistance.MaxSide + 1));
    }

    private static void AssertMatchesBruteForce(byte[] mask, int height, int width)
    {
        var squared = new double[mask.Length];
        TwoSidedDistance.ComputeSquared(mask, height, width, squared);
        for (int i = 0; i < mask.Length; i++)
        {
            long best = long.MaxValue;
            for (int j = 0; j < mask.Length; j++)
            {
                if ((mask[j] != 0) != (mask[i] != 0))
                {
                    long dy = (i / width) - (j / width), dx = (i % width) - (j % width);
                    best = Math.Min(best, (dy * dy) + (dx * dx));
                }
            }

            Assert.AreEqual(best, squared[i], $"pixel ({i / width}, {i % width}) of a {height}×{width} mask");
        }
    }
}
