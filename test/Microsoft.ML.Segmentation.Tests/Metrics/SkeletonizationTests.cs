using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

/// <summary>
/// The 2-D skeleton (scikit-image's <c>skeletonize</c>) on hand cases and invariants, and the skeleton measures
/// (topology precision/sensitivity, centreline Dice) built on it.
/// </summary>
[TestClass]
public sealed class SkeletonizationTests
{
    private static byte[] Parse(params string[] rows)
        => rows.SelectMany(r => r.Select(ch => ch == '#' ? (byte)1 : (byte)0)).ToArray();

    private static byte[] Skeleton(string[] rows) => Skeletonization.Skeletonize(Parse(rows), rows.Length, rows[0].Length);

    [TestMethod]
    public void OnePixelWideLinesStay()
    {
        string[] horizontal = [".......", ".#####.", "......."];
        string[] vertical = ["#", "#", "#", "#"];
        string[] diagonal = ["#...", ".#..", "..#.", "...#"];
        string[] bent = ["#....", ".#...", "..###", "....."];
        foreach (string[] rows in new[] { horizontal, vertical, diagonal, bent })
        {
            CollectionAssert.AreEqual(Parse(rows), Skeleton(rows), string.Join("/", rows));
        }
    }

    [TestMethod]
    public void IsolatedPixelStaysAndEmptyStaysEmpty()
    {
        CollectionAssert.AreEqual(Parse("#"), Skeleton(["#"]));
        CollectionAssert.AreEqual(Parse("...", "...", "..."), Skeleton(["...", "...", "..."]));
    }

    [TestMethod]
    public void EllipseThinsToScikitImageDocstringResult()
    {
        // The example of skimage.morphology.skeletonize's docstring: X, Y = ogrid[0:9, 0:9];
        // ellipse = (X − 4)²/3 + (Y − 4)² < 9 thins to a vertical line in column 4, rows 3..6.
        var mask = new byte[81];
        for (int x = 0; x < 9; x++)
        {
            for (int y = 0; y < 9; y++)
            {
                mask[(x * 9) + y] = ((x - 4) * (x - 4) / 3.0) + ((y - 4) * (y - 4)) < 9 ? (byte)1 : (byte)0;
            }
        }

        byte[] expected = new byte[81];
        for (int x = 3; x <= 6; x++)
        {
            expected[(x * 9) + 4] = 1;
        }

        CollectionAssert.AreEqual(expected, Skeletonization.Skeletonize(mask, 9, 9));
    }

    [TestMethod]
    public void FilledRectangleThinsToItsMedialLine()
    {
        // 3 × 6 bar: sub-pass 1 removes the bottom row and the right end of the middle row; sub-pass 2 removes the top
        // row but its last-but-one pixel, and the middle row's new right end: the medial row remains, with a diagonal
        // step up at its right end (scikit-image's table keeps that corner). The second round removes nothing.
        CollectionAssert.AreEqual(
            Parse("........", ".....#..", ".####...", "........", "........"),
            Skeleton(["........", ".######.", ".######.", ".######.", "........"]));

        // A 2 × 2 block keeps its top row: the bottom pixels (codes 14 and 131) go in sub-pass 1, the top ones
        // (left with E alone, right with W alone) are then ends of a line.
        CollectionAssert.AreEqual(Parse("##", ".."), Skeleton(["##", "##"]));

        // The whole image foreground (the padding is background).
        CollectionAssert.AreEqual(Parse("..#.", "##..", "...."), Skeleton(["####", "####", "####"]));
    }

    [TestMethod]
    public void GoldenTwoByTwoMasks()
    {
        // MONAI's MetricsReloaded test: y_pred = [[1, 0], [0, 1]] (a diagonal: kept), y = [[1, 0], [1, 1]]
        // (the corner pixel, code N + E = 10, is removable in either sub-pass: the diagonal remains).
        CollectionAssert.AreEqual(Parse("#.", ".#"), Skeleton(["#.", ".#"]));
        CollectionAssert.AreEqual(Parse("#.", ".#"), Skeleton(["#.", "##"]));

        byte[] pred = Parse("#.", ".#"), truth = Parse("#.", "##");
        Assert.AreEqual(1.0, BoundaryMetrics.TopologyPrecision(pred, truth, [2, 2]));
        Assert.AreEqual(1.0, BoundaryMetrics.TopologySensitivity(pred, truth, [2, 2]));
        Assert.AreEqual(1.0, BoundaryMetrics.CentrelineDice(pred, truth, [2, 2]));
    }

    [TestMethod]
    public void SkeletonMeasuresFollowTheirFormulas()
    {
        // Prediction: a horizontal line in row 1; truth: a vertical line in column 2 of a 4 × 5 image.
        byte[] pred = Parse(".....", "#####", ".....", ".....");
        byte[] truth = Parse("..#..", "..#..", "..#..", "..#..");
        int[] shape = [4, 5];
        Assert.AreEqual(1 / 5.0, BoundaryMetrics.TopologyPrecision(pred, truth, shape), 1e-12);
        Assert.AreEqual(1 / 4.0, BoundaryMetrics.TopologySensitivity(pred, truth, shape), 1e-12);
        Assert.AreEqual(2 * 0.2 * 0.25 / 0.45, BoundaryMetrics.CentrelineDice(pred, truth, shape), 1e-12);

        byte[] empty = new byte[20];
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.TopologyPrecision(empty, truth, shape)));
        Assert.AreEqual(0.0, BoundaryMetrics.TopologySensitivity(empty, truth, shape));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.CentrelineDice(empty, truth, shape)));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.TopologySensitivity(pred, empty, shape)));
    }

    [TestMethod]
    public void InvalidArgumentsNameTheParameter()
    {
        var e1 = Assert.ThrowsExactly<ArgumentException>(() => BoundaryMetrics.CentrelineDice(new byte[8], new byte[8], [2, 2, 2]));
        Assert.AreEqual("shape", e1.ParamName);
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => Skeletonization.Skeletonize(new byte[5], 2, 2));
        Assert.AreEqual("mask", e2.ParamName);
        var e3 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Skeletonization.Skeletonize(new byte[0], 0, 2));
        Assert.AreEqual("height", e3.ParamName);
        var e4 = Assert.ThrowsExactly<ArgumentException>(() => Skeletonization.Skeletonize(new byte[4], 2, 2, new byte[3]));
        Assert.AreEqual("skeleton", e4.ParamName);
    }

    public static IEnumerable<object[]> Blobs()
    {
        for (int seed = 0; seed < 40; seed++)
        {
            yield return new object[] { seed };
        }
    }

    [TestMethod]
    [DynamicData(nameof(Blobs))]
    public void SkeletonIsSubsetIdempotentAndKeepsComponents(int seed)
    {
        var random = new Random(seed);
        int h = 6 + random.Next(20), w = 6 + random.Next(20);
        byte[] mask = Blob(random, h, w);
        byte[] skeleton = Skeletonization.Skeletonize(mask, h, w);
        for (int i = 0; i < mask.Length; i++)
        {
            Assert.IsTrue(skeleton[i] <= mask[i], $"skeleton pixel {i} outside the mask");
        }

        CollectionAssert.AreEqual(skeleton, Skeletonization.Skeletonize(skeleton, h, w), "not idempotent");
        Assert.AreEqual(Components(mask, h, w), Components(skeleton, h, w), "8-connected component count changed");
    }

    /// <summary>Random noise smoothed by a 3 × 3 majority vote, twice: blobs of varied thickness with holes.</summary>
    private static byte[] Blob(Random random, int h, int w)
    {
        byte[] m = new byte[h * w];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = random.NextDouble() < 0.55 ? (byte)1 : (byte)0;
        }

        for (int round = 0; round < 2; round++)
        {
            byte[] next = new byte[m.Length];
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int yy = y + dy, xx = x + dx;
                            n += yy >= 0 && yy < h && xx >= 0 && xx < w ? m[(yy * w) + xx] : 0;
                        }
                    }

                    next[(y * w) + x] = n >= 5 ? (byte)1 : (byte)0;
                }
            }

            m = next;
        }

        return m;
    }

    private static int Components(byte[] m, int h, int w)
    {
        var seen = new bool[m.Length];
        int count = 0;
        var stack = new Stack<int>();
        for (int s = 0; s < m.Length; s++)
        {
            if (m[s] == 0 || seen[s])
            {
                continue;
            }

            count++;
            seen[s] = true;
            stack.Push(s);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                int y = p / w, x = p % w;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy >= 0 && yy < h && xx >= 0 && xx < w && m[(yy * w) + xx] != 0 && !seen[(yy * w) + xx])
                        {
                            seen[(yy * w) + xx] = true;
                            stack.Push((yy * w) + xx);
                        }
                    }
                }
            }
        }

        return count;
    }
}
