using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Evaluation;

/// <summary>
/// The boundary settings in a <see cref="SegmentationEvaluationState"/>: version 2 writes every
/// <see cref="BoundaryMetricOptions"/> setting; version-1 states still read, as the settings that evaluator used.
/// </summary>
[TestClass]
public sealed class EvaluationStateBoundarySettingsTests
{
    private static SegmentationEvaluator Evaluated(BoundaryMetricOptions? settings)
    {
        var evaluator = new SegmentationEvaluator(3, new SegmentationEvaluatorOptions { BoundaryMetrics = settings });
        var random = new Random(4);
        for (int image = 0; image < 3; image++)
        {
            int[] truth = Enumerable.Range(0, 9 * 11).Select(i => ((i / 11 / 3) + (i % 11 / 4) + image) % 3).ToArray();
            int[] predicted = truth.Select(t => random.NextDouble() < 0.15 ? random.Next(3) : t).ToArray();
            evaluator.Add(predicted, truth, 9, 11);
        }

        return evaluator;
    }

    /// <summary>The state as a version-1 writer wrote it: a bool and three numbers instead of the settings object.</summary>
    private static string AsVersion1(SegmentationEvaluationState state, bool boundary, double percentile)
    {
        JsonObject root = JsonNode.Parse(state.ToJson())!.AsObject();
        root["version"] = 1;
        JsonObject options = root["options"]!.AsObject();
        options.Remove("boundaryMetrics");
        options["boundaryMetrics"] = boundary;
        options["boundaryPercentile"] = percentile;
        options["surfaceTolerance"] = 1.0;
        options["boundaryWidth"] = 1.0;
        return root.ToJsonString();
    }

    [TestMethod]
    public void EverySettingRoundTrips()
    {
        var settings = new BoundaryMetricOptions
        {
            Spacing = [0.5, 2],
            Metric = DistanceMetric.Taxicab,
            Percentile = 90,
            Directed = true,
            Symmetric = true,
            SurfaceTolerance = 1.5,
            BoundaryWidth = 2,
        };
        SegmentationEvaluator evaluator = Evaluated(settings);
        string json = evaluator.GetState().ToJson();
        SegmentationEvaluationState back = SegmentationEvaluationState.FromJson(json);
        BoundaryMetricOptions read = back.BoundaryMetrics!;
        CollectionAssert.AreEqual(settings.Spacing, read.Spacing);
        Assert.AreEqual(DistanceMetric.Taxicab, read.Metric);
        Assert.AreEqual(90, read.Percentile);
        Assert.IsTrue(read.Directed);
        Assert.IsTrue(read.Symmetric);
        Assert.AreEqual(1.5, read.SurfaceTolerance);
        Assert.AreEqual(2, read.BoundaryWidth);
        Assert.AreEqual(json, back.ToJson());
        EvaluationStateTests.AssertIdentical(evaluator.GetMetrics(), back.GetMetrics(), "round trip");

        // The defaults (no spacing, the maximum) round-trip as nulls, and no boundary metrics as null.
        BoundaryMetricOptions defaults = SegmentationEvaluationState.FromJson(Evaluated(new BoundaryMetricOptions()).GetState().ToJson()).BoundaryMetrics!;
        Assert.IsNull(defaults.Percentile);
        Assert.IsNull(defaults.Spacing);
        Assert.IsFalse(defaults.Symmetric);
        Assert.IsNull(SegmentationEvaluationState.FromJson(Evaluated(null).GetState().ToJson()).BoundaryMetrics);
    }

    [TestMethod]
    public void TheStateIsImmutable()
    {
        var settings = new BoundaryMetricOptions { Spacing = [1, 1] };
        SegmentationEvaluationState state = Evaluated(settings).GetState();
        state.BoundaryMetrics!.Spacing![0] = 7;
        state.ToOptions().BoundaryMetrics!.Percentile = 50;
        Assert.AreEqual(1, state.BoundaryMetrics!.Spacing![0]);
        Assert.IsNull(state.BoundaryMetrics.Percentile);
    }

    [TestMethod]
    public void Version1StatesReadAsTheSettingsThatEvaluatorUsed()
    {
        // The version-1 evaluator computed HD95 and the symmetric average surface distance: Hd95() now.
        SegmentationEvaluator hd95 = Evaluated(BoundaryMetricOptions.Hd95());
        SegmentationEvaluationState current = hd95.GetState(new EvaluationShard(1, 2));
        SegmentationEvaluationState old = SegmentationEvaluationState.FromJson(AsVersion1(hd95.GetState(new EvaluationShard(0, 2)), boundary: true, percentile: 95));
        BoundaryMetricOptions read = old.BoundaryMetrics!;
        Assert.AreEqual(95, read.Percentile);
        Assert.IsTrue(read.Symmetric);
        Assert.IsFalse(read.Directed);
        Assert.IsNull(read.Spacing);
        Assert.AreEqual(DistanceMetric.Euclidean, read.Metric);
        EvaluationStateTests.AssertIdentical(hd95.GetMetrics(), old.GetMetrics(), "version 1");

        // It merges with a current state of the same settings, and is written back in the current version.
        SegmentationEvaluationState merged = SegmentationEvaluationState.Merge(old, current);
        Assert.AreEqual(6, merged.ImageCount);
        StringAssert.Contains(old.ToJson(), $"\"version\": {SegmentationEvaluationState.CurrentVersion}");

        // Percentile 100 was computed as the maximum.
        SegmentationEvaluator max = Evaluated(new BoundaryMetricOptions { Symmetric = true });
        SegmentationEvaluationState old100 = SegmentationEvaluationState.FromJson(AsVersion1(max.GetState(), boundary: true, percentile: 100));
        Assert.IsNull(old100.BoundaryMetrics!.Percentile);
        EvaluationStateTests.AssertIdentical(max.GetMetrics(), old100.GetMetrics(), "version 1, percentile 100");

        // And "boundaryMetrics": false means none.
        SegmentationEvaluator none = Evaluated(null);
        SegmentationEvaluationState oldNone = SegmentationEvaluationState.FromJson(AsVersion1(none.GetState(), boundary: false, percentile: 95));
        Assert.IsNull(oldNone.BoundaryMetrics);
        EvaluationStateTests.AssertIdentical(none.GetMetrics(), oldNone.GetMetrics(), "version 1, no boundary");
    }

    [TestMethod]
    public void AVersion1StateDoesNotMergeWithDifferentSettings()
    {
        SegmentationEvaluationState old = SegmentationEvaluationState.FromJson(AsVersion1(Evaluated(BoundaryMetricOptions.Hd95()).GetState(), boundary: true, percentile: 95));
        // The MONAI defaults: a directed average surface distance, which the version-1 evaluator never computed.
        SegmentationEvaluationState monai = Evaluated(new BoundaryMetricOptions { Percentile = 95 }).GetState();
        var e = Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(old, monai));
        StringAssert.Contains(e.Message, "BoundaryMetrics.Symmetric false but state 0 has true");
    }
}
