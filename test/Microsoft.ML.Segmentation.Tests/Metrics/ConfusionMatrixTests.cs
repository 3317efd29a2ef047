using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class ConfusionMatrixTests
{
    private static (int[] Predicted, int[] Truth) RandomMaps(Random random, int length, int classes, int? ignore, double ignoreShare = 0.1)
    {
        var predicted = new int[length];
        var truth = new int[length];
        for (int i = 0; i < length; i++)
        {
            predicted[i] = random.Next(classes);
            truth[i] = ignore is int ig && random.NextDouble() < ignoreShare ? ig : random.Next(classes);
        }

        return (predicted, truth);
    }

    private static Dictionary<(int, int), long> BruteForce(int[] predicted, int[] truth, int? ignore)
    {
        var counts = new Dictionary<(int, int), long>();
        for (int i = 0; i < truth.Length; i++)
        {
            if (truth[i] == ignore)
            {
                continue;
            }

            counts[(truth[i], predicted[i])] = counts.GetValueOrDefault((truth[i], predicted[i])) + 1;
        }

        return counts;
    }

    private static void AssertMatches(Dictionary<(int, int), long> expected, ConfusionMatrix matrix)
    {
        for (int t = 0; t < matrix.NumClasses; t++)
        {
            for (int p = 0; p < matrix.NumClasses; p++)
            {
                Assert.AreEqual(expected.GetValueOrDefault((t, p)), matrix[t, p], $"[{t},{p}]");
            }
        }

        Assert.AreEqual(expected.Values.Sum(), matrix.Total);
    }

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(3, 100)]
    [DataRow(7, 4097)]
    [DataRow(21, 70_000)]
    public void Add_MatchesBruteForce_WithIgnoreIndex(int classes, int length)
    {
        var random = new Random(42);
        (int[] predicted, int[] truth) = RandomMaps(random, length, classes, 255);
        var matrix = new ConfusionMatrix(classes, ignoreIndex: 255);
        matrix.Add(predicted, truth);
        AssertMatches(BruteForce(predicted, truth, 255), matrix);
    }

    [TestMethod]
    public void AddBatch_IsParallelButMatchesBruteForce_AndImageCountsSumToTotal()
    {
        var random = new Random(42);
        var shape = new SegmentationShape(4, 5, 150, 130);
        (int[] predicted, int[] truth) = RandomMaps(random, shape.PixelCount, 5, 255);
        var matrix = new ConfusionMatrix(5, 255, keepImageCounts: true);
        matrix.Add(predicted, truth, shape);
        AssertMatches(BruteForce(predicted, truth, 255), matrix);

        ConfusionCounts[] images = matrix.ToImageCounts();
        Assert.HasCount(4, images);
        ConfusionCounts total = matrix.ToCounts();
        ConfusionCounts summed = ConfusionCounts.Sum(images);
        for (int c = 0; c < 5; c++)
        {
            Assert.AreEqual(total[c], summed[c]);
        }

        int pixels = shape.PixelsPerImage;
        for (int n = 0; n < 4; n++)
        {
            var single = new ConfusionMatrix(5, 255);
            single.Add(predicted.AsSpan(n * pixels, pixels), truth.AsSpan(n * pixels, pixels));
            for (int c = 0; c < 5; c++)
            {
                Assert.AreEqual(single.ToCounts()[c], images[n][c], $"image {n} class {c}");
            }
        }
    }

    [TestMethod]
    public void Merge_EqualsOneAccumulatorOverBoth()
    {
        var random = new Random(42);
        (int[] p1, int[] t1) = RandomMaps(random, 1000, 4, 255);
        (int[] p2, int[] t2) = RandomMaps(random, 600, 4, 255);
        var a = new ConfusionMatrix(4, 255, keepImageCounts: true);
        var b = new ConfusionMatrix(4, 255, keepImageCounts: true);
        var both = new ConfusionMatrix(4, 255, keepImageCounts: true);
        a.Add(p1, t1);
        b.Add(p2, t2);
        both.Add(p1, t1);
        both.Add(p2, t2);
        a.Merge(b);
        CollectionAssert.AreEqual(both.ToArray(), a.ToArray());
        Assert.AreEqual(2, a.ImageCount);
        Assert.HasCount(2, a.ToImageCounts());
    }

    [TestMethod]
    public void Merge_WithItself_DoublesTheCounts()
    {
        var matrix = new ConfusionMatrix(2, keepImageCounts: true);
        matrix.Add(new[] { 0, 1, 1 }, new[] { 0, 1, 0 });
        matrix.Merge(matrix);
        CollectionAssert.AreEqual(new long[] { 2, 2, 0, 2 }, matrix.ToArray());
        Assert.AreEqual(2, matrix.ImageCount);
    }

    [TestMethod]
    public void Merge_DifferentClassCount_Throws()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new ConfusionMatrix(3).Merge(new ConfusionMatrix(4)));
        Assert.AreEqual("other", ex.ParamName);
    }

    [TestMethod]
    public void Add_TruthOutOfRange_ThrowsWithValueAndPosition()
    {
        var matrix = new ConfusionMatrix(3, ignoreIndex: 255);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => matrix.Add(new[] { 0, 1, 2 }, new[] { 0, 3, 255 }));
        Assert.AreEqual("truth", ex.ParamName);
        StringAssert.Contains(ex.Message, "3");
        StringAssert.Contains(ex.Message, "position 1");
        Assert.AreEqual(0, matrix.Total, "a rejected batch leaves no counts");
    }

    [TestMethod]
    public void Add_PredictionOutOfRangeOrNegativeTruth_Throws()
    {
        var matrix = new ConfusionMatrix(3);
        Assert.AreEqual("predicted", Assert.ThrowsExactly<ArgumentException>(() => matrix.Add(new[] { 0, 5 }, new[] { 0, 1 })).ParamName);
        Assert.AreEqual("truth", Assert.ThrowsExactly<ArgumentException>(() => matrix.Add(new[] { 0, 1 }, new[] { -1, 1 })).ParamName);

        // int.MinValue is the kernels' stand-in for "no ignore index", not an ignored label: it was once skipped unnamed.
        var ex = Assert.ThrowsExactly<ArgumentException>(() => matrix.Add(new[] { 0, 1 }, new[] { 0, int.MinValue }));
        Assert.AreEqual("truth", ex.ParamName);
        StringAssert.Contains(ex.Message, int.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.AreEqual(0, matrix.Total);
    }

    [TestMethod]
    public void Add_LargeBatchWithBadLabel_ThrowsArgumentExceptionNotAggregate()
    {
        var shape = new SegmentationShape(8, 2, 128, 128);
        var predicted = new int[shape.PixelCount];
        var truth = new int[shape.PixelCount];
        truth[^1] = 9;
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new ConfusionMatrix(2).Add(predicted, truth, shape));
        Assert.AreEqual("truth", ex.ParamName);
    }

    [TestMethod]
    public void Add_MismatchedLengths_Throws()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new ConfusionMatrix(3).Add(new int[4], new int[5]));
        Assert.AreEqual("truth", ex.ParamName);
        var shape = new SegmentationShape(2, 3, 2, 2);
        Assert.AreEqual("predicted", Assert.ThrowsExactly<ArgumentException>(() => new ConfusionMatrix(3).Add(new int[7], new int[8], shape)).ParamName);
        Assert.AreEqual("shape", Assert.ThrowsExactly<ArgumentException>(() => new ConfusionMatrix(4).Add(new int[8], new int[8], shape)).ParamName);
    }

    [TestMethod]
    public void Constructor_NonPositiveClassCount_Throws()
    {
        Assert.AreEqual("numClasses", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ConfusionMatrix(-1)).ParamName);
        Assert.AreEqual("numClasses", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ConfusionMatrix(0)).ParamName);
    }

    [TestMethod]
    public void IgnoreIndexInsideClassRange_SkipsThatTruthOnly()
    {
        var matrix = new ConfusionMatrix(3, ignoreIndex: 1);
        matrix.Add(new[] { 1, 1, 0, 2 }, new[] { 1, 0, 0, 2 });
        Assert.AreEqual(3, matrix.Total);
        Assert.AreEqual(1, matrix[0, 1], "predictions of the ignored class still count against other truths");
    }

    [TestMethod]
    public void ImageCounts_WithoutFlag_Throws()
        => Assert.ThrowsExactly<InvalidOperationException>(() => new ConfusionMatrix(2).ToImageCounts());
}
