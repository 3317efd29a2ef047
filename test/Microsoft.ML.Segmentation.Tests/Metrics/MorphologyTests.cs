using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class MorphologyTests
{
    [TestMethod]
    public void SquareElementShrinksABlockToItsCentre()
    {
        byte[] mask =
        {
            0, 0, 0, 0, 0,
            0, 1, 1, 1, 0,
            0, 1, 1, 1, 0,
            0, 1, 1, 1, 0,
            0, 0, 0, 0, 0,
        };
        var eroded = new byte[25];
        Morphology.BinaryErosion(mask, 5, 5, Enumerable.Repeat((byte)1, 9).ToArray(), 3, 3, eroded);
        CollectionAssert.AreEqual(Enumerable.Range(0, 25).Select(i => i == 12 ? (byte)1 : (byte)0).ToArray(), eroded);
    }

    [TestMethod]
    public void BorderValueDecidesWhetherTheImageEdgeErodes()
    {
        byte[] full = Enumerable.Repeat((byte)1, 12).ToArray();
        byte[] cross = { 0, 1, 0, 1, 1, 1, 0, 1, 0 };
        var eroded = new byte[12];
        Morphology.BinaryErosion(full, 3, 4, cross, 3, 3, eroded, borderValue: 1);
        CollectionAssert.AreEqual(full, eroded);
        Morphology.BinaryErosion(full, 3, 4, cross, 3, 3, eroded);
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0 }, eroded);
    }

    [TestMethod]
    public void CrossErosionGivesTheSurfacesBoundaryMetricsUse()
    {
        // BoundaryMetrics.Edges is written independently: mask XOR (cross erosion with a 0 border).
        var random = new Random(12);
        foreach ((int h, int w) in new[] { (1, 1), (1, 7), (6, 1), (9, 13), (20, 17) })
        {
            byte[] mask = Enumerable.Range(0, h * w).Select(_ => random.NextDouble() < 0.6 ? (byte)1 : (byte)0).ToArray();
            var eroded = new byte[mask.Length];
            Morphology.BinaryErosion(mask, h, w, new byte[] { 0, 1, 0, 1, 1, 1, 0, 1, 0 }, 3, 3, eroded);
            var edges = new byte[mask.Length];
            BoundaryMetrics.Edges(mask, new[] { h, w }, edges);
            CollectionAssert.AreEqual(mask.Zip(eroded, (m, e) => (byte)(m ^ e)).ToArray(), edges, $"{h}×{w}");
        }
    }

    [TestMethod]
    public void LengthsAreChecked()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Morphology.BinaryErosion(new byte[4], 2, 3, new byte[9], 3, 3, new byte[4]));
        Assert.ThrowsExactly<ArgumentException>(() => Morphology.BinaryErosion(new byte[6], 2, 3, new byte[8], 3, 3, new byte[6]));
    }
}
