using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;
using static Microsoft.ML.Segmentation.Tests.Training.BackboneTestData;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary><see cref="FeatureCache"/>: what it returns equals, bit for bit, what went in, in memory or spilled.</summary>
[TestClass]
public sealed class FeatureCacheTests
{
    private static FeatureMaps RandomMaps(Random random, int height, int width)
    {
        FeatureMap Map(int channels, int stride)
        {
            var data = new float[channels * (height / stride) * (width / stride)];
            for (int i = 0; i < data.Length; i++)
            {
                // Any bit pattern a float can hold, NaNs and subnormals included, must come back as it was.
                data[i] = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            }

            return new FeatureMap(channels, height / stride, width / stride, stride, data);
        }

        return new FeatureMaps(height, width, [Map(3, 4), Map(5, 8)]);
    }

    [TestMethod]
    public void SpilledMapsComeBackBitIdenticalInAnyOrderAndTheLimitHolds()
    {
        var random = new Random(1);
        List<FeatureMaps> added = Enumerable.Range(0, 12).Select(i => RandomMaps(random, 16 * (1 + (i % 3)), 32)).ToList();
        long limit = added.Take(4).Sum(m => m.ByteCount) + 8;
        using var folder = new TempDirectory();
        string? spillPath;
        using (var cache = new FeatureCache(limit, folder.Path))
        {
            for (int i = 0; i < added.Count; i++)
            {
                Assert.AreEqual(i, cache.Add(added[i]));
                Assert.IsTrue(cache.InMemoryBytes <= limit, $"{cache.InMemoryBytes} bytes in memory over the limit {limit}");
            }

            Assert.AreEqual(added.Count, cache.Count);
            Assert.IsTrue(cache.SpilledCount >= 8, $"only {cache.SpilledCount} spilled");
            long inMemory = Enumerable.Range(0, added.Count).Where(i => ReferenceEquals(cache.Get(i), added[i])).Sum(i => added[i].ByteCount);
            Assert.AreEqual(cache.InMemoryBytes, inMemory);
            Assert.AreEqual(added.Count - cache.SpilledCount, Enumerable.Range(0, added.Count).Count(i => ReferenceEquals(cache.Get(i), added[i])));
            spillPath = cache.SpillPath;
            Assert.IsTrue(File.Exists(spillPath));
            Assert.AreEqual(added.Skip(4).Sum(m => m.ByteCount) + (added.Take(4).Sum(m => m.ByteCount) - cache.InMemoryBytes), new FileInfo(spillPath!).Length);

            int[] order = Enumerable.Range(0, added.Count).Concat(Enumerable.Range(0, added.Count)).OrderBy(_ => random.Next()).ToArray();
            foreach (int i in order)
            {
                AssertSame(added[i], cache.Get(i));
            }

            Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => AssertSame(added[k % added.Count], cache.Get(k % added.Count)));
        }

        Assert.IsFalse(File.Exists(spillPath), "the spill file outlived the cache");
        Assert.AreEqual(0, Directory.GetFiles(folder.Path).Length);
    }

    [TestMethod]
    public void ALimitOfZeroSpillsEverythingAndNothingSpillsUnderTheDefault()
    {
        var random = new Random(2);
        using var folder = new TempDirectory();
        using var spilled = new FeatureCache(0, folder.Path);
        using var kept = new FeatureCache();
        Assert.AreEqual(FeatureCache.DefaultMemoryLimitBytes, kept.MemoryLimitBytes);
        for (int i = 0; i < 3; i++)
        {
            FeatureMaps maps = RandomMaps(random, 32, 32);
            spilled.Add(maps);
            kept.Add(maps);
            AssertSame(maps, spilled.Get(i));
            Assert.AreSame(maps, kept.Get(i));
        }

        Assert.AreEqual((0L, 3), (spilled.InMemoryBytes, spilled.SpilledCount));
        Assert.AreEqual(0, kept.SpilledCount);
        Assert.IsNull(kept.SpillPath);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => spilled.Get(3));
    }

    [TestMethod]
    public void CreateRunsTheBackboneOnEachImage()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(SyntheticResNet.Build(32, 32)));
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);
        float[][] images = [RgbImages(1, 32, 32, 1), RgbImages(1, 48, 32, 2), RgbImages(1, 32, 64, 3)];
        (float[], int, int)[] inputs = [(images[0], 32, 32), (images[1], 48, 32), (images[2], 32, 64)];
        using FeatureCache cache = FeatureCache.Create(backbone, inputs, memoryLimitBytes: 1, spillDirectory: folder.Sub("spill"));
        Assert.AreEqual(3, cache.Count);
        for (int i = 0; i < 3; i++)
        {
            AssertSame(backbone.Extract(inputs[i].Item1, inputs[i].Item2, inputs[i].Item3), cache.Get(i));
        }
    }
}
