using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary><see cref="RankSelection"/> against a sort, on orders that make quickselect slow or tie-heavy.</summary>
[TestClass]
public sealed class RankSelectionTests
{
    [TestMethod]
    public void EveryRankIsTheSortedValueOnSmallArrays()
    {
        var random = new Random(3);
        for (int n = 1; n <= 70; n++)
        {
            double[] values = Enumerable.Range(0, n).Select(_ => (double)random.Next(n / 2 + 1)).ToArray();
            double[] sorted = values.Order().ToArray();
            for (int rank = 0; rank < n; rank++)
            {
                Assert.AreEqual(sorted[rank], RankSelection.Smallest((double[])values.Clone(), rank), $"n = {n}, rank {rank}");
            }
        }
    }

    [TestMethod]
    public void LargeArraysOfEveryOrder()
    {
        const int N = 200_003;
        var random = new Random(5);
        var orders = new Dictionary<string, double[]>
        {
            ["random"] = Enumerable.Range(0, N).Select(_ => random.NextDouble()).ToArray(),
            ["ascending"] = Enumerable.Range(0, N).Select(i => (double)i).ToArray(),
            ["descending"] = Enumerable.Range(0, N).Select(i => (double)(N - i)).ToArray(),
            ["constant"] = Enumerable.Repeat(0.25, N).ToArray(),
            ["two values"] = Enumerable.Range(0, N).Select(i => i % 2 == 0 ? 1.0 : -1.0).ToArray(),
            ["organ pipe"] = Enumerable.Range(0, N).Select(i => (double)Math.Min(i, N - i)).ToArray(),
            ["few distinct"] = Enumerable.Range(0, N).Select(_ => (double)random.Next(7)).ToArray(),
        };
        foreach ((string name, double[] values) in orders)
        {
            double[] sorted = values.Order().ToArray();
            foreach (int rank in new[] { 0, 1, N / 3, N / 2, N - 2, N - 1 })
            {
                Assert.AreEqual(sorted[rank], RankSelection.Smallest((double[])values.Clone(), rank), $"{name}, rank {rank}");
            }
        }
    }

    [TestMethod]
    public void ARankOutsideTheArrayIsRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RankSelection.Smallest(new double[3], 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RankSelection.Smallest(new double[3], -1));
    }
}
