using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// The kernel against a direct, obviously-correct loop in float64 on random 1-D, 2-D and 3-D sizes, tiles, overlaps,
/// blends, padding and batch sizes: window starts as the set {d·step : d·step + tile &lt; size} ∪ {size − tile}, the
/// padded image built explicitly, the weights from the Gaussian formula.
/// </summary>
[TestClass]
public sealed class SlidingWindowOracleTests
{
    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 40).Select(s => new object[] { s });

    [TestMethod]
    [DynamicData(nameof(Seeds))]
    public void MatchesBruteForce(int seed)
    {
        var random = new Random(seed);
        int rank = 1 + (seed % 3);
        int batch = random.Next(1, 3);
        int channels = random.Next(1, 3);
        int classes = random.Next(1, 4);
        int[] image = Enumerable.Range(0, rank).Select(_ => random.Next(1, rank == 3 ? 9 : 17)).ToArray();
        // Tiles from 0 (the image's size) to larger than the image, so that padding is exercised.
        int[] tile = image.Select(n => random.Next(4) == 0 ? 0 : random.Next(1, n + 4)).ToArray();
        double[] overlaps = { 0, 0.25, 0.5, 0.6, 0.9 };
        double[] overlap = Enumerable.Range(0, rank).Select(_ => overlaps[random.Next(overlaps.Length)]).ToArray();
        var options = new TilingOptions
        {
            TileSize = tile,
            Overlap = overlap,
            Blend = random.Next(2) == 0 ? TileBlend.Constant : TileBlend.Gaussian,
            SigmaScale = Enumerable.Range(0, rank).Select(_ => 0.1 + random.NextDouble()).ToArray(),
            TilesPerRun = random.Next(1, 6),
            PaddingValue = (float)Math.Round(random.NextDouble() - 0.5, 2),
        };

        int[] shape = new[] { batch, channels }.Concat(image).ToArray();
        float[] input = TilingTestPredictors.Random(shape.Aggregate(1, (a, b) => a * b), seed);
        var calls = new List<int>();
        FloatTensor actual = SlidingWindowInference.Run(input, shape, options, TilingTestPredictors.Mixing(classes, s => calls.Add(s[0])))[0];
        double[] expected = Oracle(input, batch, channels, image, options, classes, out int windowsPerImage);

        CollectionAssert.AreEqual(new[] { batch, classes }.Concat(image).ToArray(), actual.Shape.ToArray(), "output shape");
        float[] values = actual.Values.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], values[i], 2e-5 * (1 + Math.Abs(expected[i])), $"value {i} of {options.Blend} tile [{string.Join(",", tile)}] image [{string.Join(",", image)}]");
        }

        // Windows are fed TilesPerRun at a time across batch items: full chunks, then the remainder.
        int total = windowsPerImage * batch;
        Assert.AreEqual(total, calls.Sum());
        Assert.IsTrue(calls.Take(calls.Count - 1).All(c => c == Math.Min(options.TilesPerRun, total)));
    }

    private static double[] Oracle(float[] input, int batch, int channels, int[] image, TilingOptions options, int classes, out int windowsPerImage)
    {
        int rank = image.Length;
        int[] tile = image.Select((n, a) => options.TileSize[a] > 0 ? options.TileSize[a] : n).ToArray();
        int[] padded = image.Select((n, a) => Math.Max(n, tile[a])).ToArray();
        int[] before = image.Select((n, a) => (padded[a] - n) / 2).ToArray();
        int[][] starts = new int[rank][];
        for (int a = 0; a < rank; a++)
        {
            int step = tile[a] == padded[a] ? tile[a] : Math.Max((int)(tile[a] * (1 - options.Overlap[a])), 1);
            var set = new SortedSet<int>();
            for (int s = 0; s + tile[a] < padded[a]; s += step)
            {
                set.Add(s);
            }

            set.Add(padded[a] - tile[a]);
            starts[a] = set.ToArray();
        }

        double[] weights = Weights(tile, options);
        int tileCount = tile.Aggregate(1, (x, y) => x * y);
        int paddedCount = padded.Aggregate(1, (x, y) => x * y);
        int imageCount = image.Aggregate(1, (x, y) => x * y);
        var windowStarts = Product(starts).ToList();
        windowsPerImage = windowStarts.Count;
        var result = new double[batch * classes * imageCount];
        for (int b = 0; b < batch; b++)
        {
            var sums = new double[classes * paddedCount];
            var counts = new double[paddedCount];
            foreach (int[] start in windowStarts)
            {
                var window = new double[channels * tileCount];
                for (int c = 0; c < channels; c++)
                {
                    for (int q = 0; q < tileCount; q++)
                    {
                        int[] p = Unravel(q, tile).Select((v, a) => v + start[a] - before[a]).ToArray();
                        bool inside = p.Select((v, a) => v >= 0 && v < image[a]).All(x => x);
                        window[(c * tileCount) + q] = inside ? input[(((b * channels) + c) * imageCount) + Ravel(p, image)] : options.PaddingValue;
                    }
                }

                double[] y = TilingTestPredictors.MixingHead(window, channels, tileCount, classes);
                for (int q = 0; q < tileCount; q++)
                {
                    int target = Ravel(Unravel(q, tile).Select((v, a) => v + start[a]).ToArray(), padded);
                    counts[target] += weights[q];
                    for (int k = 0; k < classes; k++)
                    {
                        sums[(k * paddedCount) + target] += (float)y[(k * tileCount) + q] * weights[q];
                    }
                }
            }

            for (int k = 0; k < classes; k++)
            {
                for (int i = 0; i < imageCount; i++)
                {
                    int target = Ravel(Unravel(i, image).Select((v, a) => v + before[a]).ToArray(), padded);
                    result[(((b * classes) + k) * imageCount) + i] = sums[(k * paddedCount) + target] / counts[target];
                }
            }
        }

        return result;
    }

    /// <summary>exp(−x²/2σ²) per axis, x centred at (n−1)/2, σ = scale·n; product over axes; clamped at max(min, 1e-3).</summary>
    private static double[] Weights(int[] tile, TilingOptions options)
    {
        int count = tile.Aggregate(1, (x, y) => x * y);
        var w = new double[count];
        for (int q = 0; q < count; q++)
        {
            int[] p = Unravel(q, tile);
            w[q] = 1;
            if (options.Blend == TileBlend.Gaussian)
            {
                for (int a = 0; a < tile.Length; a++)
                {
                    double sigma = options.SigmaScale[a] * tile[a];
                    double x = p[a] - ((tile[a] - 1) / 2.0);
                    w[q] *= Math.Exp(-(x * x) / (2 * sigma * sigma));
                }
            }
        }

        double floor = Math.Max(w.Min(), 1e-3);
        return w.Select(v => Math.Max(v, floor)).ToArray();
    }

    private static IEnumerable<int[]> Product(int[][] axes)
    {
        IEnumerable<int[]> result = [[]];
        foreach (int[] axis in axes)
        {
            int[] local = axis;
            result = result.SelectMany(prefix => local.Select(s => prefix.Append(s).ToArray())).ToList();
        }

        return result;
    }

    private static int[] Unravel(int index, int[] size)
    {
        var p = new int[size.Length];
        for (int a = size.Length - 1; a >= 0; a--)
        {
            p[a] = index % size[a];
            index /= size[a];
        }

        return p;
    }

    private static int Ravel(int[] p, int[] size)
    {
        int index = 0;
        for (int a = 0; a < size.Length; a++)
        {
            index = (index * size[a]) + p[a];
        }

        return index;
    }
}
