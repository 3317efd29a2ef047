using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>The linear-time Euclidean distance transform against a brute-force nearest-zero search.</summary>
[TestClass]
public sealed class EuclideanDistanceTransformTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach ((int h, int w) in new[] { (1, 1), (1, 9), (9, 1), (7, 13), (64, 48) })
        {
            foreach (double density in new[] { 0.05, 0.5, 0.95 })
            {
                yield return new object[] { h, w, density, 1.0, 1.0 };
                yield return new object[] { h, w, density, 0.7, 2.5 };
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void MatchesBruteForce(int height, int width, double density, double sy, double sx)
    {
        var random = new Random((height * 1000) + width + (int)(density * 100));
        byte[] mask = Enumerable.Range(0, height * width).Select(_ => (byte)(random.NextDouble() < density ? 1 : 0)).ToArray();
        var distances = new double[mask.Length];
        EuclideanDistanceTransform.Compute(mask, height, width, distances, sy, sx);
        double[] expected = BruteForce(mask, height, width, sy, sx);
        for (int i = 0; i < mask.Length; i++)
        {
            Assert.AreEqual(expected[i], distances[i], 1e-9 * Math.Max(1, expected[i]), $"pixel {i}");
        }
    }

    [TestMethod]
    public void LargeMaskOnTheParallelPathMatchesBruteForceSamples()
    {
        const int h = 321, w = 300;
        var random = new Random(7);
        byte[] mask = Enumerable.Range(0, h * w).Select(_ => (byte)(random.NextDouble() < 0.999 ? 1 : 0)).ToArray();
        var distances = new double[mask.Length];
        EuclideanDistanceTransform.Compute(mask, h, w, distances, 1.3, 0.7);
        int[] zeros = Enumerable.Range(0, mask.Length).Where(i => mask[i] == 0).ToArray();
        for (int k = 0; k < 300; k++)
        {
            int i = random.Next(mask.Length);
            double best = zeros.Min(j => Math.Sqrt(Math.Pow(((i / w) - (j / w)) * 1.3, 2) + Math.Pow(((i % w) - (j % w)) * 0.7, 2)));
            Assert.AreEqual(best, distances[i], 1e-9, $"pixel {i}");
        }
    }

    [TestMethod]
    public void AllZeroGivesZeroAndAllOneGivesInfinity()
    {
        var distances = new double[35];
        EuclideanDistanceTransform.Compute(new byte[35], 5, 7, distances);
        Assert.IsTrue(distances.All(d => d == 0));
        byte[] ones = Enumerable.Repeat((byte)1, 35).ToArray();
        EuclideanDistanceTransform.Compute(ones, 5, 7, distances, 2, 3);
        Assert.IsTrue(distances.All(double.IsPositiveInfinity));
    }

    [TestMethod]
    public void OneDimensionalAndSquaredVariantsAgree()
    {
        byte[] mask = [1, 1, 0, 1, 1, 1, 0, 1];
        var d = new double[8];
        EuclideanDistanceTransform.Compute(mask, [8], [0.5], d);
        CollectionAssert.AreEqual(new[] { 1.0, 0.5, 0, 0.5, 1, 0.5, 0, 0.5 }, d);
        var sq = new double[8];
        EuclideanDistanceTransform.ComputeSquared(mask, 1, 8, sq, 3, 0.5);
        CollectionAssert.AreEqual(d.Select(v => v * v).ToArray(), sq);
    }

    [TestMethod]
    public void ThreeDimensionalMatchesBruteForce()
    {
        int[] shape = [5, 6, 7];
        var random = new Random(3);
        byte[] mask = Enumerable.Range(0, 210).Select(_ => (byte)(random.NextDouble() < 0.8 ? 1 : 0)).ToArray();
        var distances = new double[210];
        EuclideanDistanceTransform.Compute(mask, shape, [1.5, 1, 0.5], distances);
        for (int i = 0; i < 210; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < 210; j++)
            {
                if (mask[j] == 0)
                {
                    double dz = ((i / 42) - (j / 42)) * 1.5, dy = ((i / 7 % 6) - (j / 7 % 6)) * 1.0, dx = ((i % 7) - (j % 7)) * 0.5;
                    best = Math.Min(best, Math.Sqrt((dz * dz) + (dy * dy) + (dx * dx)));
                }
            }

            Assert.AreEqual(best, distances[i], 1e-9, $"voxel {i}");
        }
    }

    [TestMethod]
    public void InvalidArgumentsNameTheParameter()
    {
        var d = new double[6];
        Assert.AreEqual("mask", Assert.ThrowsExactly<ArgumentException>(() => EuclideanDistanceTransform.Compute(new byte[5], 2, 3, d)).ParamName);
        Assert.AreEqual("distances", Assert.ThrowsExactly<ArgumentException>(() => EuclideanDistanceTransform.Compute(new byte[6], 2, 3, new double[5])).ParamName);
        Assert.AreEqual("squaredDistances", Assert.ThrowsExactly<ArgumentException>(() => EuclideanDistanceTransform.ComputeSquared(new byte[6], 2, 3, new double[5])).ParamName);
        Assert.AreEqual("spacingX", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EuclideanDistanceTransform.Compute(new byte[6], 2, 3, d, 1, 0)).ParamName);
        Assert.AreEqual("spacingY", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EuclideanDistanceTransform.Compute(new byte[6], 2, 3, d, double.NaN)).ParamName);
        Assert.AreEqual("height", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EuclideanDistanceTransform.Compute(new byte[0], 0, 3, d)).ParamName);
    }

    private static double[] BruteForce(byte[] mask, int h, int w, double sy, double sx)
    {
        var result = new double[mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < mask.Length; j++)
            {
                if (mask[j] == 0)
                {
                    double dy = ((i / w) - (j / w)) * sy, dx = ((i % w) - (j % w)) * sx;
                    best = Math.Min(best, Math.Sqrt((dy * dy) + (dx * dx)));
                }
            }

            result[i] = best;
        }

        return result;
    }
}
