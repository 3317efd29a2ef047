using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>Taxicab and chessboard transforms (two raster passes) against a brute-force nearest-zero search, in 2-D and 3-D.</summary>
[TestClass]
public sealed class DistanceTransformTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (int[] shape in new[] { new[] { 1, 1 }, new[] { 1, 9 }, new[] { 9, 1 }, new[] { 7, 13 }, new[] { 5, 6, 7 }, new[] { 4, 3, 5 } })
        {
            foreach (DistanceMetric metric in new[] { DistanceMetric.Taxicab, DistanceMetric.Chessboard, DistanceMetric.Euclidean })
            {
                foreach (double density in new[] { 0.1, 0.85 })
                {
                    yield return new object[] { shape, metric, density };
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void MatchesBruteForce(int[] shape, DistanceMetric metric, double density)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        var random = new Random(count + (int)metric + (int)(density * 10));
        byte[] mask = Enumerable.Range(0, count).Select(_ => (byte)(random.NextDouble() < density ? 1 : 0)).ToArray();
        var distances = new double[count];
        DistanceTransform.Compute(mask, shape, [], metric, distances);
        for (int i = 0; i < count; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < count; j++)
            {
                if (mask[j] == 0)
                {
                    best = Math.Min(best, Distance(Coordinates(i, shape), Coordinates(j, shape), metric));
                }
            }

            Assert.AreEqual(best, distances[i], 1e-9, $"element {i}");
        }
    }

    [TestMethod]
    public void StepMetricsIgnoreSpacingAndRejectUnknownMetrics()
    {
        byte[] mask = [0, 1, 1, 1];
        var a = new double[4];
        var b = new double[4];
        DistanceTransform.Compute(mask, [1, 4], [], DistanceMetric.Taxicab, a);
        DistanceTransform.Compute(mask, [1, 4], [3.0, 2.0], DistanceMetric.Taxicab, b);
        CollectionAssert.AreEqual(new double[] { 0, 1, 2, 3 }, a);
        CollectionAssert.AreEqual(a, b);
        Assert.AreEqual("metric", Assert.ThrowsExactly<ArgumentException>(() => DistanceTransform.Compute(mask, [1, 4], [], (DistanceMetric)7, a)).ParamName);
    }

    private static int[] Coordinates(int index, int[] shape)
    {
        var c = new int[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            c[a] = index % shape[a];
            index /= shape[a];
        }

        return c;
    }

    private static double Distance(int[] p, int[] q, DistanceMetric metric)
    {
        double[] d = p.Zip(q, (x, y) => (double)Math.Abs(x - y)).ToArray();
        return metric switch
        {
            DistanceMetric.Taxicab => d.Sum(),
            DistanceMetric.Chessboard => d.Max(),
            _ => Math.Sqrt(d.Sum(v => v * v)),
        };
    }
}
