using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Evaluation;

/// <summary>
/// <see cref="SegmentationEvaluationState"/>: evaluating shards apart, saving each state as JSON and merging gives
/// exactly (bit for bit) the metrics of one evaluator over all images, for every reduction and the boundary metrics.
/// </summary>
[TestClass]
public sealed class EvaluationStateTests
{
    private const int Classes = 4;

    /// <summary>Random images of varied sizes: blobs of classes (so boundaries exist), noise, some ignored pixels, some classes absent.</summary>
    private static List<(int[] Predicted, int[] Truth, int Height, int Width)> Dataset(int seed, int count)
    {
        var random = new Random(seed);
        var images = new List<(int[], int[], int, int)>();
        for (int n = 0; n < count; n++)
        {
            int height = random.Next(4, 12), width = random.Next(4, 12);
            int present = random.Next(1, Classes + 1);
            var truth = new int[height * width];
            var predicted = new int[height * width];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int i = (y * width) + x;
                    truth[i] = random.Next(12) == 0 ? 255 : ((x / 3) + (y / 4)) % present;
                    predicted[i] = random.NextDouble() < 0.7 && truth[i] != 255 ? truth[i] : random.Next(present);
                }
            }

            images.Add((predicted, truth, height, width));
        }

        return images;
    }

    private static SegmentationEvaluatorOptions Options(MetricReduction reduction, bool boundary = true) => new()
    {
        ClassNames = ["bg", "road", "car", "sky"],
        IgnoreIndex = 255,
        Reduction = reduction,
        BoundaryMetrics = boundary ? BoundaryMetricOptions.Hd95() : null,
    };

    private static SegmentationEvaluationState[] Shards(List<(int[] Predicted, int[] Truth, int Height, int Width)> images, int n, SegmentationEvaluatorOptions options)
    {
        var states = new SegmentationEvaluationState[n];
        for (int i = 0; i < n; i++)
        {
            var shard = new EvaluationShard(i, n);
            (int start, int length) = shard.Range(images.Count);
            var evaluator = new SegmentationEvaluator(Classes, options);
            foreach ((int[] p, int[] t, int h, int w) in images.Skip(start).Take(length))
            {
                evaluator.Add(p, t, h, w);
            }

            // Every state travels through JSON, as it would between processes.
            states[i] = SegmentationEvaluationState.FromJson(evaluator.GetState(shard).ToJson());
        }

        return states;
    }

    private static SegmentationMetrics Single(List<(int[] Predicted, int[] Truth, int Height, int Width)> images, SegmentationEvaluatorOptions options)
    {
        var evaluator = new SegmentationEvaluator(Classes, options);
        foreach ((int[] p, int[] t, int h, int w) in images)
        {
            evaluator.Add(p, t, h, w);
        }

        return evaluator.GetMetrics();
    }

    /// <summary>Every field, compared exactly (NaN equals NaN).</summary>
    internal static void AssertIdentical(SegmentationMetrics expected, SegmentationMetrics actual, string context)
    {
        CollectionAssert.AreEqual(expected.ClassNames.ToArray(), actual.ClassNames.ToArray(), context);
        Assert.AreEqual(expected.ImageCount, actual.ImageCount, context);
        Assert.AreEqual(expected.PixelCount, actual.PixelCount, context);
        Assert.AreEqual(expected.PixelAccuracy, actual.PixelAccuracy, context);
        Assert.AreEqual(expected.MeanAccuracy, actual.MeanAccuracy, context);
        Assert.AreEqual(expected.MeanIoU, actual.MeanIoU, context);
        Assert.AreEqual(expected.MeanDice, actual.MeanDice, context);
        Assert.AreEqual(expected.FrequencyWeightedIoU, actual.FrequencyWeightedIoU, context);
        CollectionAssert.AreEqual(expected.PerClassIoU.ToArray(), actual.PerClassIoU.ToArray(), context);
        CollectionAssert.AreEqual(expected.PerClassDice.ToArray(), actual.PerClassDice.ToArray(), context);
        CollectionAssert.AreEqual(expected.PerClassPrecision.ToArray(), actual.PerClassPrecision.ToArray(), context);
        CollectionAssert.AreEqual(expected.PerClassRecall.ToArray(), actual.PerClassRecall.ToArray(), context);
        CollectionAssert.AreEqual(expected.PerClassSupport.ToArray(), actual.PerClassSupport.ToArray(), context);
        CollectionAssert.AreEqual(expected.GetConfusionMatrix(), actual.GetConfusionMatrix(), context);
        Assert.AreEqual(expected.Boundary is null, actual.Boundary is null, context);
        if (expected.Boundary is { } b && actual.Boundary is { } a)
        {
            Assert.AreEqual(b.Percentile, a.Percentile, context);
            Assert.AreEqual(b.SurfaceTolerance, a.SurfaceTolerance, context);
            CollectionAssert.AreEqual(b.PerClassHausdorff.ToArray(), a.PerClassHausdorff.ToArray(), context);
            CollectionAssert.AreEqual(b.PerClassAverageSurfaceDistance.ToArray(), a.PerClassAverageSurfaceDistance.ToArray(), context);
            CollectionAssert.AreEqual(b.PerClassSurfaceDice.ToArray(), a.PerClassSurfaceDice.ToArray(), context);
            CollectionAssert.AreEqual(b.PerClassBoundaryIoU.ToArray(), a.PerClassBoundaryIoU.ToArray(), context);
        }
    }

    [TestMethod]
    [DataRow(MetricReduction.Macro)]
    [DataRow(MetricReduction.Micro)]
    [DataRow(MetricReduction.Weighted)]
    [DataRow(MetricReduction.MacroImagewise)]
    [DataRow(MetricReduction.MicroImagewise)]
    [DataRow(MetricReduction.WeightedImagewise)]
    [DataRow(MetricReduction.MacroPerImage)]
    [DataRow(MetricReduction.WeightedPerImage)]
    [DataRow(MetricReduction.PooledImagewise)]
    public void MergedShardsEqualASingleRunExactly(MetricReduction reduction)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var images = Dataset(seed, 13);
            SegmentationEvaluatorOptions options = Options(reduction);
            SegmentationMetrics single = Single(images, options);
            foreach (int n in new[] { 1, 2, 3, 5 })
            {
                SegmentationEvaluationState[] states = Shards(images, n, options);
                // Given in any order: shard labels put them back in dataset order.
                SegmentationEvaluationState merged = SegmentationEvaluationState.Merge(states.Reverse().ToArray());
                AssertIdentical(single, merged.GetMetrics(), $"seed {seed}, {n} shards");
                AssertIdentical(single, SegmentationEvaluator.FromState(merged).GetMetrics(), $"seed {seed}, {n} shards, FromState");
                Assert.IsNull(merged.Shard);
            }
        }
    }

    [TestMethod]
    public void MoreShardsThanImagesGiveEmptyShardsThatStillMerge()
    {
        var images = Dataset(4, 3);
        SegmentationEvaluatorOptions options = Options(MetricReduction.MacroImagewise);
        SegmentationEvaluationState[] states = Shards(images, 5, options);
        Assert.AreEqual(2, states.Count(s => s.ImageCount == 0));
        AssertIdentical(Single(images, options), SegmentationEvaluationState.Merge(states).GetMetrics(), "5 shards of 3 images");
    }

    [TestMethod]
    public void SkippedRowsTravelThroughStatesAndMerges()
    {
        var images = Dataset(6, 11);
        SegmentationEvaluatorOptions options = Options(MetricReduction.MacroImagewise);
        var states = new SegmentationEvaluationState[3];
        var expected = new List<SkippedImage>();
        for (int i = 0; i < 3; i++)
        {
            var shard = new EvaluationShard(i, 3);
            (int start, int length) = shard.Range(images.Count);
            var evaluator = new SegmentationEvaluator(Classes, options);
            foreach ((int[] p, int[] t, int h, int w) in images.Skip(start).Take(length))
            {
                evaluator.Add(p, t, h, w);
            }

            var skipped = new SkippedImage(100 + i, i == 1 ? null : $"bad{i}.png", $"reason {i} \"quoted\"");
            evaluator.Skip(skipped);
            expected.Add(skipped);
            states[2 - i] = SegmentationEvaluationState.FromJson(evaluator.GetState(shard).ToJson());
        }

        SegmentationMetrics merged = SegmentationEvaluationState.Merge(states).GetMetrics();
        CollectionAssert.AreEqual(expected, merged.SkippedImages.ToArray());
        AssertIdentical(Single(images, options), merged, "metrics unchanged by the skipped rows");
    }

    [TestMethod]
    public void ShardRangesAreContiguousAndCoverEveryItemOnce()
    {
        foreach (int total in new[] { 0, 1, 7, 10, 13 })
        {
            foreach (int n in new[] { 1, 2, 3, 5, 16 })
            {
                var covered = Enumerable.Range(0, n).SelectMany(i =>
                {
                    (int start, int length) = new EvaluationShard(i, n).Range(total);
                    return Enumerable.Range(start, length);
                }).ToArray();
                CollectionAssert.AreEqual(Enumerable.Range(0, total).ToArray(), covered, $"{total} items, {n} shards");
            }
        }
    }

    [TestMethod]
    public void JsonRoundTripIsLossless()
    {
        var images = Dataset(7, 6);
        var evaluator = new SegmentationEvaluator(Classes, Options(MetricReduction.WeightedImagewise));
        foreach ((int[] p, int[] t, int h, int w) in images)
        {
            evaluator.Add(p, t, h, w);
        }

        SegmentationEvaluationState state = evaluator.GetState(new EvaluationShard(2, 3));
        string json = state.ToJson();
        SegmentationEvaluationState back = SegmentationEvaluationState.FromJson(json);
        Assert.AreEqual(json, back.ToJson());
        Assert.AreEqual(new EvaluationShard(2, 3), back.Shard);
        Assert.AreEqual(3, SegmentationEvaluationState.CurrentVersion);
        StringAssert.Contains(json, "\"NaN\"", "an absent class gives NaN distances, kept as a string");
        AssertIdentical(evaluator.GetMetrics(), back.GetMetrics(), "round trip");
        Assert.AreEqual(6, back.ImageCount);
        Assert.AreEqual(evaluator.GetMetrics().PixelCount, back.PixelCount);
    }

    [TestMethod]
    public void StatesWithoutBoundaryMetricsRoundTripAndMerge()
    {
        var images = Dataset(8, 5);
        SegmentationEvaluatorOptions options = Options(MetricReduction.MacroImagewise, boundary: false);
        SegmentationMetrics single = Single(images, options);
        AssertIdentical(single, SegmentationEvaluationState.Merge(Shards(images, 2, options)).GetMetrics(), "no boundary");
        Assert.IsNull(single.Boundary);
    }

    [TestMethod]
    public void IncompatibleStatesAreRejectedNamingTheDifference()
    {
        var images = Dataset(9, 4);
        SegmentationEvaluationState baseline = Shards(images, 1, Options(MetricReduction.Macro))[0];
        SegmentationEvaluationState Other(Action<SegmentationEvaluatorOptions> change)
        {
            SegmentationEvaluatorOptions options = Options(MetricReduction.Macro);
            change(options);
            return Shards(images, 1, options)[0].WithShard(null);
        }

        baseline = baseline.WithShard(null);
        (SegmentationEvaluationState State, string Named)[] cases =
        [
            (Other(o => o.ClassNames = ["bg", "road", "bus", "sky"]), "bus"),
            (Other(o => o.Reduction = MetricReduction.MacroImagewise), "Reduction MacroImagewise"),
            (Other(o => o.AbsentClass = AbsentClassPolicy.Zero), "AbsentClass"),
            (Other(o => o.BoundaryMetrics!.Percentile = null), "BoundaryMetrics.Percentile none but state 0 has 95"),
            (Other(o => o.BoundaryMetrics!.SurfaceTolerance = 2), "BoundaryMetrics.SurfaceTolerance 2"),
            (Other(o => o.BoundaryMetrics!.BoundaryWidth = 2), "BoundaryMetrics.BoundaryWidth 2"),
            (Other(o => o.BoundaryMetrics!.Spacing = [1, 2]), "BoundaryMetrics.Spacing [1, 2] but state 0 has none"),
            (Other(o => o.BoundaryMetrics!.Metric = DistanceMetric.Chessboard), "BoundaryMetrics.Metric Chessboard"),
            (Other(o => o.BoundaryMetrics!.Directed = true), "BoundaryMetrics.Directed true"),
            (Other(o => o.BoundaryMetrics!.Symmetric = false), "BoundaryMetrics.Symmetric false"),
        ];
        foreach ((SegmentationEvaluationState other, string named) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(baseline, other));
            StringAssert.Contains(e.Message, named);
        }

        var relabelled = images.Select(im => (im.Predicted, im.Truth.Select(t => t == 255 ? 254 : t).ToArray(), im.Height, im.Width)).ToList();
        SegmentationEvaluatorOptions ignore254 = Options(MetricReduction.Macro);
        ignore254.IgnoreIndex = 254;
        var ignore = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(baseline, Shards(relabelled, 1, ignore254)[0].WithShard(null)));
        StringAssert.Contains(ignore.Message, "IgnoreIndex 254 but state 0 has 255");

        var boundary = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(baseline, Other(o => o.BoundaryMetrics = null)));
        StringAssert.Contains(boundary.Message, "BoundaryMetrics");
    }

    [TestMethod]
    public void MissingOrDuplicatedShardsAreDetected()
    {
        var images = Dataset(10, 9);
        SegmentationEvaluationState[] states = Shards(images, 3, Options(MetricReduction.Macro));

        var missing = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(states[0], states[2]));
        StringAssert.Contains(missing.Message, "1/3 missing");
        CollectionAssert.AreEqual(new[] { 1 }, SegmentationEvaluationState.MissingShards([states[0], states[2]]).ToArray());
        SegmentationEvaluationState partial = SegmentationEvaluationState.Merge([states[0], states[2]], allowIncomplete: true);
        Assert.AreEqual(states[0].ImageCount + states[2].ImageCount, partial.ImageCount);

        var twice = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(states[0], states[1], states[1], states[2]));
        StringAssert.Contains(twice.Message, "1/3 is given twice");
        Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge([states[0], states[1], states[1]], allowIncomplete: true));

        SegmentationEvaluationState[] fives = Shards(images, 5, Options(MetricReduction.Macro));
        var mixed = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(states[0], fives[1]));
        StringAssert.Contains(mixed.Message, "1/5");
        var bare = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(states[0], states[1].WithShard(null)));
        StringAssert.Contains(bare.Message, "not a shard");
    }

    [TestMethod]
    public void BadJsonIsRejectedAsInvalidData()
    {
        Assert.ThrowsExactly<System.IO.InvalidDataException>(() => SegmentationEvaluationState.FromJson("{}"));
        Assert.ThrowsExactly<System.IO.InvalidDataException>(() => SegmentationEvaluationState.FromJson("not json"));
        string json = Shards(Dataset(11, 2), 1, Options(MetricReduction.Macro))[0].ToJson();
        var newer = Assert.ThrowsExactly<System.IO.InvalidDataException>(() => SegmentationEvaluationState.FromJson(json.Replace("\"version\": 3", "\"version\": 4", StringComparison.Ordinal)));
        StringAssert.Contains(newer.Message, "version 4");
    }

    [TestMethod]
    public void AStateRestoredIntoAnEvaluatorKeepsAccumulating()
    {
        var images = Dataset(12, 6);
        SegmentationEvaluatorOptions options = Options(MetricReduction.MacroImagewise);
        var first = new SegmentationEvaluator(Classes, options);
        foreach ((int[] p, int[] t, int h, int w) in images.Take(3))
        {
            first.Add(p, t, h, w);
        }

        SegmentationEvaluator resumed = SegmentationEvaluator.FromState(SegmentationEvaluationState.FromJson(first.GetState().ToJson()));
        foreach ((int[] p, int[] t, int h, int w) in images.Skip(3))
        {
            resumed.Add(p, t, h, w);
        }

        AssertIdentical(Single(images, options), resumed.GetMetrics(), "resumed");
    }
}
