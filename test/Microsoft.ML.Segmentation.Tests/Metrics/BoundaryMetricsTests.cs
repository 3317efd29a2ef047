using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

/// <summary>Boundary metrics against brute force over all pairs of surface pixels, on small random masks.</summary>
[TestClass]
public sealed class BoundaryMetricsTests
{
    public static IEnumerable<object[]> Cases()
    {
        for (int seed = 0; seed < 12; seed++)
        {
            int h = 3 + (seed % 5), w = 4 + (seed * 3 % 7);
            yield return new object[] { seed, h, w, seed % 3 == 0 ? new[] { 0.5, 1.75 } : null! };
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void MetricsMatchBruteForce(int seed, int height, int width, double[]? spacing)
    {
        var random = new Random(seed);
        int[] shape = [height, width];
        byte[] pred = Blob(random, height, width);
        byte[] truth = Blob(random, height, width);
        (int Y, int X)[] pe = EdgePixels(pred, height, width), te = EdgePixels(truth, height, width);
        double sy = spacing?[0] ?? 1, sx = spacing?[1] ?? 1;
        double[] forward = pe.Select(p => te.Min(q => Math.Sqrt(Sq((p.Y - q.Y) * sy) + Sq((p.X - q.X) * sx)))).ToArray();
        double[] backward = te.Select(p => pe.Min(q => Math.Sqrt(Sq((p.Y - q.Y) * sy) + Sq((p.X - q.X) * sx)))).ToArray();
        var options = new BoundaryMetricOptions { Spacing = spacing };

        CollectionAssert.AreEqual(forward, BoundaryMetrics.SurfaceDistances(pred, truth, shape, options), new Tolerance());
        Assert.AreEqual(Math.Max(forward.Max(), backward.Max()), BoundaryMetrics.HausdorffDistance(pred, truth, shape, options), 1e-9);
        options.Directed = true;
        Assert.AreEqual(forward.Max(), BoundaryMetrics.HausdorffDistance(pred, truth, shape, options), 1e-9);
        options.Directed = false;
        options.Percentile = 95;
        Assert.AreEqual(Math.Max(Percentile(forward, 95), Percentile(backward, 95)), BoundaryMetrics.HausdorffDistance(pred, truth, shape, options), 1e-9);
        Assert.AreEqual(forward.Average(), BoundaryMetrics.AverageSurfaceDistance(pred, truth, shape, options), 1e-9);
        options.Symmetric = true;
        Assert.AreEqual(forward.Concat(backward).Average(), BoundaryMetrics.AverageSurfaceDistance(pred, truth, shape, options), 1e-9);
        double tau = 1.2;
        double nsd = (forward.Count(d => d <= tau) + backward.Count(d => d <= tau)) / (double)(forward.Length + backward.Length);
        Assert.AreEqual(nsd, BoundaryMetrics.NormalizedSurfaceDice(pred, truth, shape, tau, options), 1e-12);

        foreach (double width2 in new[] { 1.0, 2.5 })
        {
            bool[] pr = Region(pred, pe, height, width, width2), tr = Region(truth, te, height, width, width2);
            double iou = pr.Zip(tr, (a, b) => a && b).Count(x => x) / (double)pr.Zip(tr, (a, b) => a || b).Count(x => x);
            Assert.AreEqual(iou, BoundaryMetrics.BoundaryIou(pred, truth, shape, width2), 1e-12);
        }
    }

    [TestMethod]
    [DataRow(DistanceMetric.Euclidean)]
    [DataRow(DistanceMetric.Taxicab)]
    [DataRow(DistanceMetric.Chessboard)]
    public void VolumesMatchBruteForce(DistanceMetric metric)
    {
        int[] shape = [5, 6, 7];
        var random = new Random((int)metric);
        byte[] pred = Enumerable.Range(0, 210).Select(_ => (byte)(random.NextDouble() < 0.4 ? 1 : 0)).ToArray();
        byte[] truth = Enumerable.Range(0, 210).Select(_ => (byte)(random.NextDouble() < 0.4 ? 1 : 0)).ToArray();
        int[][] pe = Edges3(pred, shape), te = Edges3(truth, shape);
        double D(int[] a, int[] b)
        {
            double[] d = a.Zip(b, (x, y) => (double)Math.Abs(x - y)).ToArray();
            return metric == DistanceMetric.Taxicab ? d.Sum() : metric == DistanceMetric.Chessboard ? d.Max() : Math.Sqrt(d.Sum(v => v * v));
        }

        double[] forward = pe.Select(p => te.Min(q => D(p, q))).ToArray();
        double[] backward = te.Select(p => pe.Min(q => D(p, q))).ToArray();
        var options = new BoundaryMetricOptions { Metric = metric };
        Assert.AreEqual(Math.Max(forward.Max(), backward.Max()), BoundaryMetrics.HausdorffDistance(pred, truth, shape, options), 1e-9);
        options.Symmetric = true;
        Assert.AreEqual(forward.Concat(backward).Average(), BoundaryMetrics.AverageSurfaceDistance(pred, truth, shape, options), 1e-9);
    }

    [TestMethod]
    public void EmptyMasksFollowMonai()
    {
        int[] shape = [6, 6];
        var empty = new byte[36];
        byte[] square = Enumerable.Range(0, 36).Select(i => (byte)(i / 6 is >= 1 and <= 3 && i % 6 is >= 1 and <= 3 ? 1 : 0)).ToArray();
        Assert.AreEqual(double.PositiveInfinity, BoundaryMetrics.HausdorffDistance(empty, square, shape));
        Assert.AreEqual(double.PositiveInfinity, BoundaryMetrics.HausdorffDistance(empty, square, shape, new BoundaryMetricOptions { Directed = true }));
        Assert.AreEqual(double.PositiveInfinity, BoundaryMetrics.HausdorffDistance(square, empty, shape));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.HausdorffDistance(square, empty, shape, new BoundaryMetricOptions { Percentile = 95 })));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.HausdorffDistance(empty, empty, shape)));
        Assert.AreEqual(double.PositiveInfinity, BoundaryMetrics.AverageSurfaceDistance(empty, square, shape));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.AverageSurfaceDistance(empty, empty, shape)));
        Assert.AreEqual(0, BoundaryMetrics.NormalizedSurfaceDice(square, empty, shape, 1));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.NormalizedSurfaceDice(empty, empty, shape, 1)));
        Assert.AreEqual(0, BoundaryMetrics.HausdorffDistance(square, square, shape));
        Assert.AreEqual(8, BoundaryMetrics.SurfaceDistances(square, square, shape).Length);
    }

    [TestMethod]
    public void EdgesAndClassMaskAndErrors()
    {
        int[] labels = [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2];
        var mask = new byte[16];
        BoundaryMetrics.ClassMask(labels, 2, mask);
        var edges = new byte[16];
        BoundaryMetrics.Edges(mask, [4, 4], edges);
        // The four inner pixels have all four neighbours in the mask; every other mask pixel touches the border or a hole.
        CollectionAssert.AreEqual(new byte[] { 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1 }, edges);
        Assert.AreEqual("truth", Assert.ThrowsExactly<ArgumentException>(() => BoundaryMetrics.HausdorffDistance(mask, new byte[15], [4, 4])).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BoundaryMetrics.HausdorffDistance(mask, mask, [4, 4], new BoundaryMetricOptions { Percentile = 101 })).ParamName);
        Assert.AreEqual("tolerance", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BoundaryMetrics.NormalizedSurfaceDice(mask, mask, [4, 4], -1)).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => BoundaryMetrics.HausdorffDistance(mask, mask, [4, 4], new BoundaryMetricOptions { Spacing = [1] })).ParamName);
    }

    [TestMethod]
    public void QuantileInterpolatesLikeTorch()
    {
        Assert.AreEqual(0.9, BoundaryMetrics.Quantile([1, 0, 0], 0.95), 1e-12);
        Assert.AreEqual(2.5, BoundaryMetrics.Quantile([4, 1, 2, 3], 0.5), 1e-12);
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.Quantile([double.PositiveInfinity, double.PositiveInfinity], 0.5)));
        Assert.IsTrue(double.IsNaN(BoundaryMetrics.Quantile([], 0.5)));
    }

    private static double Sq(double v) => v * v;

    private static byte[] Blob(Random random, int h, int w)
    {
        var m = new byte[h * w];
        int cy = random.Next(h), cx = random.Next(w);
        double r = 1 + (random.NextDouble() * Math.Max(h, w) / 2);
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = Sq((i / w) - cy) + Sq((i % w) - cx) <= r * r || random.NextDouble() < 0.1 ? (byte)1 : (byte)0;
        }

        return m;
    }

    private static (int Y, int X)[] EdgePixels(byte[] m, int h, int w)
    {
        bool Fg(int y, int x) => y >= 0 && y < h && x >= 0 && x < w && m[(y * w) + x] != 0;
        var result = new List<(int, int)>();
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                bool eroded = Fg(y, x) && Fg(y - 1, x) && Fg(y + 1, x) && Fg(y, x - 1) && Fg(y, x + 1);
                if (Fg(y, x) && !eroded)
                {
                    result.Add((y, x));
                }
            }
        }

        return result.ToArray();
    }

    private static int[][] Edges3(byte[] m, int[] shape)
    {
        bool Fg(int z, int y, int x) => z >= 0 && z < shape[0] && y >= 0 && y < shape[1] && x >= 0 && x < shape[2] && m[(((z * shape[1]) + y) * shape[2]) + x] != 0;
        var result = new List<int[]>();
        for (int z = 0; z < shape[0]; z++)
        {
            for (int y = 0; y < shape[1]; y++)
            {
                for (int x = 0; x < shape[2]; x++)
                {
                    bool eroded = Fg(z - 1, y, x) && Fg(z + 1, y, x) && Fg(z, y - 1, x) && Fg(z, y + 1, x) && Fg(z, y, x - 1) && Fg(z, y, x + 1);
                    if (Fg(z, y, x) && !eroded)
                    {
                        result.Add([z, y, x]);
                    }
                }
            }
        }

        return result.ToArray();
    }

    private static bool[] Region(byte[] m, (int Y, int X)[] edges, int h, int w, double width)
        => Enumerable.Range(0, h * w).Select(i => edges.Any(e => Math.Sqrt(Sq((i / w) - e.Y) + Sq((i % w) - e.X)) < width)).ToArray();

    private static double Percentile(double[] values, double p)
    {
        double[] s = values.OrderBy(v => v).ToArray();
        double pos = p / 100 * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return s[lo] + ((pos - lo) * (s[hi] - s[lo]));
    }

    private sealed class Tolerance : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((double)x! - (double)y!) <= 1e-9 ? 0 : 1;
    }
}
